package usage

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// The catalog speaks of a metric's type, temporality and fields' sources
// in the API's enums, whether it is read over the API (the CLI) or from
// its store (the catalog's own reading); these say what each is to the
// Prometheus names, once for both.

// InstrumentOf is the instrument of a metric type, 0 for an unknown one.
func InstrumentOf(t tallycatv1.MetricType) promnames.Instrument { return instruments[t] }

// TemporalityOf is the temporality of an aggregation temporality, 0 for
// none.
func TemporalityOf(t tallycatv1.Temporality) promnames.Temporality { return temporalities[t] }

// SourceOf is the source of a field, and false for a source that gives a
// metric no label (a span's or a log's own).
func SourceOf(s tallycatv1.FieldSource) (promnames.Source, bool) {
	src, ok := sources[s]
	return src, ok
}

var instruments = map[tallycatv1.MetricType]promnames.Instrument{
	tallycatv1.MetricType_METRIC_TYPE_GAUGE:                 promnames.Gauge,
	tallycatv1.MetricType_METRIC_TYPE_SUM:                   promnames.Sum,
	tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM:             promnames.Histogram,
	tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM: promnames.ExponentialHistogram,
	tallycatv1.MetricType_METRIC_TYPE_SUMMARY:               promnames.Summary,
}

var temporalities = map[tallycatv1.Temporality]promnames.Temporality{
	tallycatv1.Temporality_TEMPORALITY_DELTA:      promnames.Delta,
	tallycatv1.Temporality_TEMPORALITY_CUMULATIVE: promnames.Cumulative,
}

var sources = map[tallycatv1.FieldSource]promnames.Source{
	tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE:   promnames.Resource,
	tallycatv1.FieldSource_FIELD_SOURCE_SCOPE:      promnames.Scope,
	tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT: promnames.DataPoint,
}

// MetricTypeOf is the metric type of an instrument, unspecified for an
// unknown one: InstrumentOf's inverse.
func MetricTypeOf(in promnames.Instrument) tallycatv1.MetricType {
	for t, i := range instruments {
		if i == in {
			return t
		}
	}
	return tallycatv1.MetricType_METRIC_TYPE_UNSPECIFIED
}
