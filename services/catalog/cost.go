package catalog

import (
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// Cost (see docs/COST.md): what a metric costs the backend that stores it. The
// ingest counts, per observation, the distinct series among the data points
// it reports and, per attribute, the distinct values (and the values
// themselves while they are few). The catalog keeps these per stream, per
// ten-minute bucket (cardinality.BucketWidth) and per field, merging what
// every ingest replica sent for the same bucket, for cardinality.Retention.
// A window (the last hour, the last day) merges a stream's buckets; the
// series of different streams are disjoint (another release, scope or
// metric), so a schema's or a metric's series are the sum of its streams'.
// Keying cost by stream, not schema, is what lets a stream that moves to a
// larger schema take its cost along, as it takes its history.
//
// A span or a log record is a data point of its shape and is kept the same
// way, with no series (a tracing or logs backend stores each item, not a
// series), its own attributes' and severity's values as a metric data
// point's, and, for a log, its records' bytes, which logs are priced by.

// DefaultHighCardinality is how many distinct values in the last hour make a
// field high-cardinality unless configured otherwise.
const DefaultHighCardinality = 1000

// CostConfig is how the catalog is told to judge fields.
type CostConfig struct {
	// MaxValues is how many distinct values a data point field may carry
	// and still have them listed as examples; past it, none are kept.
	MaxValues int
	// HighCardinality flags a field that carried more distinct values
	// than this in the last hour.
	HighCardinality uint64
	// Prices, when set, estimate what the figures cost a month.
	Prices Prices
}

// Prices is an optional price model: what a metrics backend charges for a
// thousand series kept a month and for a million data points ingested,
// what a tracing backend charges for a million spans ingested, and what a
// logs backend charges for a gigabyte (10^9 bytes, as backends bill) of log
// records ingested. Each signal is priced by its own prices, and a signal
// whose prices are zero has no model.
type Prices struct {
	PerThousandSeriesMonth float64
	PerMillionPoints       float64
	PerMillionSpans        float64
	PerGBLogs              float64
}

// Set reports whether p is a price model for any signal: some price is not
// zero.
func (p Prices) Set() bool {
	return p.PerThousandSeriesMonth != 0 || p.PerMillionPoints != 0 || p.PerMillionSpans != 0 || p.PerGBLogs != 0
}

// MinutesAMonth is the month the estimates are of: thirty days.
const MinutesAMonth = 60 * 24 * 30

// Monthly estimates what a month at a metric cost's series and rate would
// cost, or nil without a price for metrics.
func (p Prices) Monthly(c Cost) *float64 {
	if p.PerThousandSeriesMonth == 0 && p.PerMillionPoints == 0 {
		return nil
	}
	v := float64(c.Series)/1000*p.PerThousandSeriesMonth + c.DataPointsPerMinute*MinutesAMonth/1e6*p.PerMillionPoints
	return &v
}

// MonthlyOf estimates what a month at a cost of signal sig would cost: a
// metric's by Monthly, a span's by its span rate, a log's by its log bytes
// a minute; nil without a price for the signal (unknown, not free).
func (p Prices) MonthlyOf(sig schemaid.Signal, c Cost) *float64 {
	var v float64
	switch sig {
	case schemaid.Span:
		if p.PerMillionSpans == 0 {
			return nil
		}
		v = c.DataPointsPerMinute * MinutesAMonth / 1e6 * p.PerMillionSpans
	case schemaid.Log:
		if p.PerGBLogs == 0 {
			return nil
		}
		v = c.LogBytesPerMinute * MinutesAMonth / 1e9 * p.PerGBLogs
	default:
		return p.Monthly(c)
	}
	return &v
}

// DefaultCostConfig is the configuration of a catalog started without flags.
func DefaultCostConfig() CostConfig {
	return CostConfig{MaxValues: cardinality.DefaultMaxValues, HighCardinality: DefaultHighCardinality}
}

// Cost is what a schema, release or metric costs over a window: for a
// span or a log, which have no series, its spans or log records (the data
// points of its shape) and, for a log, their bytes.
type Cost struct {
	Window tallycatv1.Window
	// Series is the estimated number of distinct series.
	Series uint64
	// DataPointsPerMinute is the rate over the part of the window that had
	// data (see cardinality.Window), summed over streams.
	DataPointsPerMinute float64
	DataPoints          uint64
	// LogBytes are the bytes of a log's records in the window (see
	// Observation.RecordBytes), and LogBytesPerMinute their rate over the
	// same time as DataPointsPerMinute's, summed over streams.
	LogBytes          uint64
	LogBytesPerMinute float64
	// Monthly is the price model's estimate of a month at these figures;
	// nil without a model for the signal (see Prices).
	Monthly *float64
}

// HistorySpan is how far back GetSeriesHistory looks.
const HistorySpan = 24 * time.Hour

// DefaultTopLimit is how long each list of ListTopSeries is when the
// request does not say.
const DefaultTopLimit = 10

// FieldFigures are what an ingest counted of one attribute among an
// observation's data points, spans or log records.
type FieldFigures struct {
	// Source is FIELD_SOURCE_RESOURCE, or the API's source of a field of
	// the observation's own signal that is counted: DATA_POINT on a
	// metric, SPAN on a span, LOG_RECORD or SEVERITY on a log (see
	// fieldRow).
	Source   tallycatv1.FieldSource
	Key      string
	Type     tallycatv1.ValueType
	Distinct cardinality.Distinct
	// Values are the values with their data points; the catalog keeps
	// them only for a data point field whose State is KEPT.
	Values []ValueCount
	State  tallycatv1.ExampleValuesState
}

// ValueCount is a value of a field and how many data points carried it.
type ValueCount struct {
	Value      string
	DataPoints uint64
}

// CostField names what a cost row counts: a field's values, or the series
// (the zero CostField).
type CostField struct {
	Source tallycatv1.FieldSource
	Name   string
	Type   tallycatv1.ValueType
}

// IsSeries reports whether the row counts series rather than a field.
func (f CostField) IsSeries() bool { return f == CostField{} }

// StreamBucket is one bucket of one stream.
type StreamBucket struct {
	StreamID string
	Bucket   time.Time
}

// CostRow is what one stream sent in one bucket about its series or one
// field, merged over every observation and replica.
type CostRow struct {
	StreamBucket
	Field    CostField
	Distinct cardinality.Distinct
	// DataPoints is set on series rows: the data points counted (spans,
	// log records), and LogBytes on a log's: its records' bytes.
	DataPoints uint64
	LogBytes   uint64
	// FirstSeen and LastSeen are when the row's data points were first and
	// last seen, over every observation merged into it: what a data point
	// rate runs over (see cardinality.Bucket), so that a producer that
	// started within a bucket is not spread over all of it. FirstSeen may
	// be before Bucket (see planCosts).
	FirstSeen, LastSeen time.Time
	// Values are set while State is KEPT, most data points first.
	Values []ValueCount
	// State is a field row's: KEPT, TOO_MANY, WITHHELD, NOT_SCALAR or, for
	// a resource field, NOT_DATA_POINT. Series rows (a span's or a log's
	// count rows too) leave it unspecified.
	State tallycatv1.ExampleValuesState
}

// CostWrite is a cost row as a batch leaves it: New when the store held no
// row for its stream, bucket and field.
type CostWrite struct {
	New bool
	CostRow
}

// TopSeries is where the cost is over a window: the metrics, releases and
// attributes with the most series (see Store.ListTopSeries).
type TopSeries struct {
	Window     tallycatv1.Window
	Metrics    []TopMetric
	Releases   []TopRelease
	Attributes []TopAttribute
}

// TopMetric is a metric, all its schemas, and its cost.
type TopMetric struct {
	Key  string
	Type tallycatv1.MetricType
	Cost Cost
	// Schemas counts the schemas with data in the window.
	Schemas int
}

// TopRelease is a release and its cost over every metric it produces.
type TopRelease struct {
	ReleaseIdentity
	Cost Cost
	// Metrics counts the metrics it sent data of in the window.
	Metrics int
}

// TopAttribute is an attribute of a metric and how many distinct values it
// carried over the window, with the metric's series for scale.
type TopAttribute struct {
	Key             string
	Name            string
	Source          tallycatv1.FieldSource
	Distinct        uint64
	HighCardinality bool
	Series          uint64
}

// SeriesPoint is one bucket of a metric's history.
type SeriesPoint struct {
	Start               time.Time
	Series              uint64
	DataPointsPerMinute float64
}
