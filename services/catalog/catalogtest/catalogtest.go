// Package catalogtest is the test suite every catalog.Store must pass: the
// catalog's behaviour as its users see it through a store, whatever the
// database. A store's own tests call Run with a Harness that opens it.
package catalogtest

import (
	"context"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// Harness opens the store under test.
type Harness struct {
	// Open returns a new, empty store, closed when the test ends.
	Open func(t *testing.T) catalog.Store
	// Reopen closes s and opens the same catalog again, as a restart does.
	Reopen func(t *testing.T, s catalog.Store) catalog.Store
}

// Run runs the suite against the harness's store.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"RecordAndRead", testRecordAndRead},
		{"RetriedBatchIsAppliedOnce", testRetriedBatch},
		{"Versions", testVersions},
		{"EventsForNewReleasesAndDescriptions", testEvents},
		{"ReopenKeepsEverything", testReopen},
		{"OptionalAttributesArePresence", testPresence},
		{"UnionGrowsAndTheReleaseMoves", testMove},
		{"FewerAttributesLaterChangeNothing", testFewerLater},
		{"NewReleaseStartsItsOwnUnion", testNewRelease},
		{"TypeConflict", testTypeConflict},
		{"ManyInstancesAreCounted", testManyInstances},
		{"BatchSplitDoesNotChangeCurrentSchemas", testBatchSplit},
		{"AMoveLeavesASharedSchemaToItsOtherReleases", testSharedSchema},
		{"TwoScopesOfAReleaseMoveApart", testTwoScopesMoveApart},
		{"AReleaseComingBackToASupersededSchema", testComeBack},
		{"NotFound", testNotFound},
		{"CostOfASchemaFromTwoReplicas", testCostOfASchema},
		{"WithheldValuesAreNeverKept", testWithheldKeepsNoValues},
		{"CostMovesWithItsStream", testCostMovesWithItsStream},
		{"CostWindowsSortsTopAndHistory", testWindows},
		{"RetriedBatchCountsCostOnce", testRetriedBatchCountsOnce},
		{"RateOfAProducerStartedMidBucket", testRateOfAProducerStartedMidBucket},
		{"SpansAndLogsHaveARateButNoSeries", testSpanAndLogRates},
		{"SpanAndLogFieldFiguresAndLogBytes", testSpanAndLogFieldFigures},
		{"JudgingReadsWhatListSchemasAndGetSchemaRead", testJudging},
		{"DismissalsAreKept", testDismissals},
		{"ASpanAndAMetricOfOneNameAreTwoKeys", testSpanAndMetricAreTwoKeys},
		{"SpanSchemasWithEventsLinksAndErrors", testSpanSchemas},
		{"LogSchemasByEventAndByScope", testLogSchemas},
		{"ANewEventAttributeMovesTheSpan", testSpanMoves},
		{"KeysCountSpansErrorsAndScopes", testKeyFigures},
		{"ReleasesCountTheKeysTheySend", testServiceReleases},
		{"TallyCatsOwnTelemetryLeftOut", testSelfTelemetry},
		{"DivergingKeysAndTheirVersions", testDivergingAndVersions},
		{"ListedSchemasCarryTheirReleases", testListedReleases},
		{"Consumers", testConsumers},
		{"StoredJudgings", testStoredJudgings},
		{"FoldedHoursReadAsTenMinuteRows", testFoldedHoursReadAsTenMinuteRows},
		{"CostSnapshotsAnswerAsEveryRead", testCostSnapshotsAnswerAsEveryRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// T0 is the time the suite's observations start at.
var T0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// Observation builds an observation of a monotonic cumulative sum in
// seconds from instance service-1 of service at version 1.0.0.
func Observation(name, service string, at time.Time, attrs ...schemaid.Attribute) catalog.Observation {
	sh := schemaid.Shape{Name: name, Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "s",
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Monotonic: true, Attributes: attrs}
	o := catalog.Observation{
		Shape: sh, Description: "Time spent.",
		Producer:  catalog.ProducerIdentity{ServiceName: service, ServiceVersion: "1.0.0", ServiceInstanceID: service + "-1"},
		ScopeName: "io.example/" + service, ScopeVersion: "0.1.0",
		ResourceAttributes: []schemaid.Attribute{{Key: "host.name", Type: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		DataPoints:         10, FirstObserved: at, LastObserved: at.Add(time.Second),
	}
	o.Normalize()
	return o
}

// Str and Int are attribute keys of string and int values.
func Str(k string) schemaid.Attribute {
	return schemaid.Attribute{Key: k, Type: tallycatv1.ValueType_VALUE_TYPE_STRING}
}

// Int is an attribute key of int values.
func Int(k string) schemaid.Attribute {
	return schemaid.Attribute{Key: k, Type: tallycatv1.ValueType_VALUE_TYPE_INT}
}

// SchemaID is the id of the schema whose union is attrs, for observations
// built by Observation.
func SchemaID(name string, attrs ...schemaid.Attribute) string {
	return Observation(name, "x", T0, attrs...).VariantID
}

func record(t *testing.T, s catalog.Store, batch string, obs ...catalog.Observation) catalog.RecordResult {
	t.Helper()
	res, err := s.RecordObservations(context.Background(), batch, obs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// field finds a field of a schema by source and name.
func field(sc catalog.Schema, src tallycatv1.FieldSource, name string) *catalog.Field {
	for i := range sc.Fields {
		if sc.Fields[i].Source == src && sc.Fields[i].Name == name {
			return &sc.Fields[i]
		}
	}
	return nil
}

const (
	lastHour  = tallycatv1.Window_WINDOW_LAST_HOUR
	lastDay   = tallycatv1.Window_WINDOW_LAST_DAY
	dataPoint = tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT
	resource  = tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE
	always    = tallycatv1.FieldPresence_FIELD_PRESENCE_ALWAYS
	sometimes = tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES
	str       = tallycatv1.ValueType_VALUE_TYPE_STRING
)

func kinds(events []catalog.Event) map[tallycatv1.SchemaEventKind]int {
	out := map[tallycatv1.SchemaEventKind]int{}
	for _, e := range events {
		out[e.Kind]++
	}
	return out
}

func ids(schemas []catalog.Schema) []string {
	out := make([]string, len(schemas))
	for i, s := range schemas {
		out[i] = s.ID
	}
	return out
}
