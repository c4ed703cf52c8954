package promnames

import (
	"slices"
	"strings"
)

// Via is how an attribute reaches a label.
type Via string

const (
	// ViaLabel: a data point attribute, a label of its own series.
	ViaLabel Via = "label"
	// ViaPromoted: a resource attribute copied onto every series, as the
	// Collector's resource_to_telemetry_conversion and Prometheus'
	// promote_resource_attributes do.
	ViaPromoted Via = "promoted"
	// ViaScope: a scope attribute, an `otel_scope_` label.
	ViaScope Via = "scope"
	// ViaJob, ViaInstance: the resource attributes `job` and `instance`
	// are made of.
	ViaJob      Via = "job"
	ViaInstance Via = "instance"
	// ViaTargetInfo: a resource attribute read off target_info.
	ViaTargetInfo Via = "target_info"
)

// AttributeMatch is one attribute a label can carry.
type AttributeMatch struct {
	Key    string
	Source Source
	Via    Via
}

// Exporter-made labels: no attribute of the metric, present all the same.
var (
	// seriesLabels are on every exported series.
	seriesLabels = []string{"job", "instance", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url", "__type__", "__unit__"}
)

// syntheticLabel reports whether the exporter makes label itself for a
// candidate's series: `le` on a histogram's buckets (and, for
// histogram_quantile, its native form), `quantile` on a summary's values.
func syntheticLabel(label string, in Instrument, series Series) bool {
	if slices.Contains(seriesLabels, label) {
		return true
	}
	switch label {
	case "le":
		return (in == Histogram || in == ExponentialHistogram) && (series == SeriesBucket || series == SeriesValue)
	case "quantile":
		return in == Summary && series == SeriesValue
	}
	return false
}

// identity lists the resource attributes job and instance are made of.
func identity(label string) ([]string, Via) {
	switch label {
	case "job":
		return []string{"service.namespace", "service.name"}, ViaJob
	case "instance":
		return []string{"service.instance.id"}, ViaInstance
	}
	return nil, ""
}

// label resolves one label of a candidate's series under the candidate's
// schemes: the attributes it can carry, and whether the exporter makes it.
func (ix *Index) label(c Candidate, label string) ([]AttributeMatch, bool) {
	var out []AttributeMatch
	add := func(m AttributeMatch) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if keys, via := identity(label); via != "" {
		for _, a := range c.metric.Attributes {
			if a.Source == Resource && slices.Contains(keys, a.Key) {
				add(AttributeMatch{Key: a.Key, Source: a.Source, Via: via})
			}
		}
	}
	for _, a := range c.metric.Attributes {
		for _, s := range c.Schemes {
			if labelName(a, s) != label {
				continue
			}
			via := ViaLabel
			switch a.Source {
			case Resource:
				via = ViaPromoted
			case Scope:
				via = ViaScope
			}
			add(AttributeMatch{Key: a.Key, Source: a.Source, Via: via})
			break
		}
	}
	return out, syntheticLabel(label, c.Instrument, c.Series)
}

// targetInfoLabel resolves a label of target_info: any resource attribute
// of any metric, under any scheme.
func (ix *Index) targetInfoLabel(label string) ([]AttributeMatch, bool) {
	var out []AttributeMatch
	for _, a := range ix.resource {
		for _, s := range ix.schemes {
			if labelName(a, s) == label {
				out = append(out, AttributeMatch{Key: a.Key, Source: Resource, Via: ViaTargetInfo})
				break
			}
		}
	}
	synthetic := label == "job" || label == "instance"
	if keys, via := identity(label); via != "" {
		for _, a := range ix.resource {
			if slices.Contains(keys, a.Key) {
				out = append(out, AttributeMatch{Key: a.Key, Source: Resource, Via: via})
			}
		}
	}
	return out, synthetic || strings.HasPrefix(label, "__")
}
