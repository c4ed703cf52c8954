// Package testvocab gives tests short names for the API's enums, so that a
// table of fields or shapes reads as a sentence and every test file uses
// the same names for the same values instead of declaring its own. Only
// tests import it.
package testvocab

import tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

// Where a field was found.
const (
	Resource  = tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE
	Scope     = tallycatv1.FieldSource_FIELD_SOURCE_SCOPE
	DataPoint = tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT
)

// The types of attribute values.
const (
	String = tallycatv1.ValueType_VALUE_TYPE_STRING
	Int    = tallycatv1.ValueType_VALUE_TYPE_INT
	Double = tallycatv1.ValueType_VALUE_TYPE_DOUBLE
	Bool   = tallycatv1.ValueType_VALUE_TYPE_BOOL
)

// How often a field is there.
const (
	PresenceUnknown = tallycatv1.FieldPresence_FIELD_PRESENCE_UNSPECIFIED
	Always          = tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS
	Sometimes       = tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES
)

// Metric types and temporalities. The summary type is SummaryMetric, as
// Summary would clash with the conformance package's type in its tests.
const (
	Sum           = tallycatv1.MetricType_METRIC_TYPE_SUM
	Gauge         = tallycatv1.MetricType_METRIC_TYPE_GAUGE
	Histogram     = tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM
	ExpHistogram  = tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM
	SummaryMetric = tallycatv1.MetricType_METRIC_TYPE_SUMMARY
	Cumulative    = tallycatv1.Temporality_TEMPORALITY_CUMULATIVE
	Delta         = tallycatv1.Temporality_TEMPORALITY_DELTA
)

// Version statuses.
const (
	Active     = tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE
	Deprecated = tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED
)

// Cost windows.
const (
	LastHour = tallycatv1.Window_WINDOW_LAST_HOUR
	LastDay  = tallycatv1.Window_WINDOW_LAST_DAY
)

// Why a field has example values, or has none.
const (
	Kept         = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT
	TooMany      = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY
	Withheld     = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD
	NotDataPoint = tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_DATA_POINT
)
