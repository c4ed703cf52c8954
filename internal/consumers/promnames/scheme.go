package promnames

import (
	"strings"

	"github.com/prometheus/otlptranslator"
)

// Scheme is one way an exporter names metrics and labels: a translation
// strategy of otlptranslator, the suffixes some exporters leave out, and a
// namespace prefix.
type Scheme struct {
	Strategy otlptranslator.TranslationStrategyOption
	// NoUnit leaves the unit suffix out but keeps `_total` (the Go SDK
	// exporter's WithoutUnits); NoType keeps the unit suffix and leaves
	// `_total` and `_ratio` out (its WithoutCounterSuffixes). Both apply
	// to strategies that add suffixes only.
	NoUnit, NoType bool
	Namespace      string
}

func (s Scheme) String() string {
	out := string(s.Strategy)
	if s.NoUnit {
		out += "/WithoutUnits"
	}
	if s.NoType {
		out += "/WithoutTypeSuffixes"
	}
	if s.Namespace != "" {
		out += "/namespace=" + s.Namespace
	}
	return out
}

// escapes reports whether the scheme turns names and labels into
// Prometheus' legacy character set.
func (s Scheme) escapes() bool { return s.Strategy.ShouldEscape() }

// schemes lists every scheme, for each namespace and none.
func schemes(namespaces []string) []Scheme {
	var out []Scheme
	for _, ns := range append([]string{""}, namespaces...) {
		for _, st := range []otlptranslator.TranslationStrategyOption{
			otlptranslator.UnderscoreEscapingWithSuffixes,
			otlptranslator.NoUTF8EscapingWithSuffixes,
		} {
			out = append(out,
				Scheme{Strategy: st, Namespace: ns},
				Scheme{Strategy: st, NoUnit: true, Namespace: ns},
				Scheme{Strategy: st, NoType: true, Namespace: ns})
		}
		out = append(out,
			Scheme{Strategy: otlptranslator.UnderscoreEscapingWithoutSuffixes, Namespace: ns},
			Scheme{Strategy: otlptranslator.NoTranslation, Namespace: ns})
	}
	return out
}

// Series is which of a metric's series a name is.
type Series string

const (
	// SeriesValue is the metric's own series: a gauge's or a counter's, a
	// native histogram's, a summary's quantiles.
	SeriesValue  Series = "value"
	SeriesBucket Series = "bucket"
	SeriesCount  Series = "count"
	SeriesSum    Series = "sum"
)

// translatorType is the type otlptranslator names a metric by.
func translatorType(m Metric) otlptranslator.MetricType {
	switch m.Instrument {
	case Gauge:
		return otlptranslator.MetricTypeGauge
	case Sum:
		if m.Monotonic {
			return otlptranslator.MetricTypeMonotonicCounter
		}
		return otlptranslator.MetricTypeNonMonotonicCounter
	case Histogram:
		return otlptranslator.MetricTypeHistogram
	case ExponentialHistogram:
		return otlptranslator.MetricTypeExponentialHistogram
	case Summary:
		return otlptranslator.MetricTypeSummary
	}
	return otlptranslator.MetricTypeUnknown
}

// seriesOf lists the series a metric's data type is exported as, with the
// suffix each adds to the family name. A histogram's own name is its
// native form; every exporter writes the classic series beside or instead.
func seriesOf(i Instrument) []Series {
	switch i {
	case Histogram, ExponentialHistogram:
		return []Series{SeriesValue, SeriesBucket, SeriesCount, SeriesSum}
	case Summary:
		return []Series{SeriesValue, SeriesCount, SeriesSum}
	}
	return []Series{SeriesValue}
}

func (s Series) suffix() string {
	if s == SeriesValue {
		return ""
	}
	return "_" + string(s)
}

// familyName is the name a scheme gives m, before any series suffix; ""
// when the translator refuses the name.
func familyName(m Metric, s Scheme) string {
	tm := otlptranslator.Metric{Name: m.Key, Unit: m.Unit, Type: translatorType(m)}
	if s.NoUnit {
		tm.Unit = ""
	}
	if s.NoType && (tm.Type == otlptranslator.MetricTypeMonotonicCounter || tm.Type == otlptranslator.MetricTypeGauge) {
		tm.Type = otlptranslator.MetricTypeUnknown
	}
	namer := otlptranslator.NewMetricNamer(s.Namespace, s.Strategy)
	name, err := namer.Build(tm)
	if err != nil {
		return ""
	}
	return name
}

// labelName is the label a scheme gives an attribute key; scope attributes
// are prefixed `otel_scope_` first, as Prometheus' OTLP endpoint does.
func labelName(a Attribute, s Scheme) string {
	key := a.Key
	if a.Source == Scope {
		key = "otel_scope_" + key
	}
	namer := otlptranslator.LabelNamer{UTF8Allowed: !s.escapes()}
	name, err := namer.Build(key)
	if err != nil {
		return ""
	}
	return name
}

// stem is a Prometheus name without its series, type and unit suffixes and
// with its separators made underscores: two names with one stem differ
// only in those, as a metric does when its unit is renamed. It serves to
// suggest the metric a query meant when its name is not sent.
func stem(name string) string {
	tokens := strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '.' || r == '/' || r == '-' })
	for len(tokens) > 1 && suffixWords[tokens[len(tokens)-1]] {
		tokens = tokens[:len(tokens)-1]
	}
	return strings.Join(tokens, "_")
}

var suffixWords = map[string]bool{
	"bucket": true, "count": true, "sum": true, "total": true, "ratio": true, "per": true,
	"days": true, "hours": true, "minutes": true, "seconds": true, "milliseconds": true,
	"microseconds": true, "nanoseconds": true, "bytes": true, "kibibytes": true,
	"mebibytes": true, "gibibytes": true, "tibibytes": true, "kilobytes": true,
	"megabytes": true, "gigabytes": true, "terabytes": true, "meters": true, "volts": true,
	"amperes": true, "joules": true, "watts": true, "grams": true, "celsius": true,
	"hertz": true, "percent": true, "second": true, "minute": true, "hour": true,
	"day": true, "week": true, "month": true, "year": true,
}
