package catalogtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// A catalog as the releases before spans and logs left it, for each store's
// test of the migration that brings them: one metric schema with its
// stream, variant, instance and key summary, written as those releases
// wrote them. After the upgrade it must read as a metric's, and writing the
// same shape again must find the same schema id, stream id and stored
// attribute set, byte for byte.

// The ids those releases computed for the catalog below, pinned: a
// schema's from schemaid's metric encoding, a stream's from its release,
// scope and header encoding (catalog.Stream.ID), an instance's from its
// identity.
const (
	PreSignalsSchemaID   = "8080e7c6ea82d16ce44b118bb1c22444"
	PreSignalsStreamID   = "a46f69a75b9da4c2d6abd93e3ef25a46"
	PreSignalsProducerID = "e4032703b57f0cab3a566e074a26833e"
	// PreSignalsAttributes is the stored attribute set of its stream's
	// union and its variant.
	PreSignalsAttributes = `[["http.route","string"]]`
	preSignalsKey        = "http.server.request.duration"
)

// PreSignalsObservation is the observation the catalog holds, seen again at
// at.
func PreSignalsObservation(at time.Time) catalog.Observation {
	o := catalog.Observation{
		Shape: schemaid.Shape{Name: preSignalsKey, Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "s",
			Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Attributes: []schemaid.Attribute{Str("http.route")}},
		Description: "Duration.",
		Producer:    catalog.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.0.0", ServiceInstanceID: "checkout-1"},
		ScopeName:   "otelhttp", ScopeVersion: "0.60.0", DataPoints: 10, FirstObserved: at, LastObserved: at,
	}
	o.Normalize()
	return o
}

// PreSignalsRows are the statements that write the catalog into a
// database at the migration before spans and logs, in SQL both engines
// read, naming their columns.
func PreSignalsRows() []string {
	ts := "TIMESTAMP '" + T0.Format("2006-01-02 15:04:05") + "'"
	id, stream, pid, key := PreSignalsSchemaID, PreSignalsStreamID, PreSignalsProducerID, preSignalsKey
	return []string{
		fmt.Sprintf(`INSERT INTO schemas (schema_id, schema_key, metric_type, unit, temporality, monotonic, description, description_at,
			first_seen, last_seen, data_point_count, current_streams) VALUES ('%s', '%s', 3, 's', 2, false, 'Duration.', %s, %s, %s, 10, 1)`,
			id, key, ts, ts, ts),
		fmt.Sprintf(`INSERT INTO schema_fields (schema_id, name, value_type) VALUES ('%s', 'http.route', 1)`, id),
		fmt.Sprintf(`INSERT INTO schema_streams (schema_id, stream_id, schema_key, service_namespace, service_name, service_version,
			scope_name, scope_version, union_attributes, description, description_at, first_seen, last_seen, data_point_count, superseded_by)
			VALUES ('%s', '%s', '%s', '', 'checkout', '1.0.0', 'otelhttp', '0.60.0', '%s', 'Duration.', %s, %s, %s, 10, '')`,
			id, stream, key, PreSignalsAttributes, ts, ts, ts),
		fmt.Sprintf(`INSERT INTO variants (schema_id, stream_id, variant_id, attributes, first_seen, last_seen, data_point_count)
			VALUES ('%s', '%s', '%s', '%s', %s, %s, 10)`, id, stream, id, PreSignalsAttributes, ts, ts),
		fmt.Sprintf(`INSERT INTO producers (producer_id, service_name, service_namespace, service_version, service_instance_id,
			first_seen, last_seen) VALUES ('%s', 'checkout', '', '1.0.0', 'checkout-1', %s, %s)`, pid, ts, ts),
		fmt.Sprintf(`INSERT INTO schema_producers (schema_id, producer_id, schema_key, description, description_at, first_seen, last_seen,
			data_point_count, fields_hash, service_namespace, service_name, service_version)
			VALUES ('%s', '%s', '%s', '', %s, %s, %s, 10, 0, '', 'checkout', '1.0.0')`, id, pid, key, ts, ts, ts),
		fmt.Sprintf(`INSERT INTO schema_keys (schema_key, metric_type, unit, metric_types, units, schema_count, producer_count,
			first_seen, last_seen, description, description_at, superseded_count)
			VALUES ('%s', 3, 's', ARRAY[3], ARRAY['s'], 1, 1, %s, %s, 'Duration.', %s, 0)`, key, ts, ts, ts),
	}
}

// CheckPreSignals checks the upgraded catalog: its key, schema and fields
// read as a metric's, and the observation seen again lands on the same
// schema without a new one.
func CheckPreSignals(t *testing.T, s catalog.Store) {
	t.Helper()
	ctx := context.Background()
	for _, f := range []catalog.KeyFilter{{}, {Signals: catalog.AllSignals}} {
		keys, total := must2(t)(s.ListSchemaKeys(ctx, f))
		if total != 1 || keys[0].Key != preSignalsKey || keys[0].Name != preSignalsKey || keys[0].Signal != schemaid.Metric ||
			len(keys[0].SpanKinds) != 0 || keys[0].Schemas != 1 || keys[0].Type != tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM {
			t.Errorf("keys (signals %v) after the upgrade = %+v (%d), want the metric's", f.Signals, keys, total)
		}
	}
	d := must[*catalog.SchemaDetail](t)(s.GetSchema(ctx, PreSignalsSchemaID, lastHour))
	sc := d.Schema
	if sc.Signal != schemaid.Metric || sc.Name != preSignalsKey || sc.ByScope || sc.SpanKind != 0 || sc.Errors != 0 ||
		len(sc.NameExamples) != 0 || sc.DataPoints != 10 || sc.Unit != "s" {
		t.Errorf("schema after the upgrade = %+v", sc)
	}
	if f := field(sc, dataPoint, "http.route"); f == nil || f.Event != "" || f.Presence != always {
		t.Errorf("http.route after the upgrade = %+v, want a data point field, always", f)
	}
	if len(d.Variants) != 1 || len(d.Variants[0].Attributes) != 1 || d.Variants[0].Attributes[0] != Str("http.route") {
		t.Errorf("variants after the upgrade = %+v", d.Variants)
	}
	o := PreSignalsObservation(T0.Add(time.Hour))
	if o.VariantID != PreSignalsSchemaID || catalog.StreamOf(&o).ID() != PreSignalsStreamID || o.Producer.ID() != PreSignalsProducerID {
		t.Fatalf("ids of the same shape now: schema %s, stream %s, producer %s", o.VariantID, catalog.StreamOf(&o).ID(), o.Producer.ID())
	}
	res := record(t, s, "", o)
	if res.NewSchemas != 0 || res.SchemaIDs[0] != PreSignalsSchemaID || len(res.Events) != 0 {
		t.Errorf("the same shape again = %+v, want its schema, nothing new", res)
	}
	if sc := must[[]catalog.Schema](t)(s.GetSchemas(ctx, PreSignalsSchemaID))[0]; sc.DataPoints != 20 || sc.ProducerCount != 1 {
		t.Errorf("schema after writing again = %+v, want 20 points from its one instance", sc)
	}
}
