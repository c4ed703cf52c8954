package semconv

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

const model = "../../third_party/semconv/v1.44.0/model"

// sameRegistry compares two registries in full, the unexported state that
// later layers resolve against included; only layer names may differ, since
// a table names every layer "builtin".
func sameRegistry(t *testing.T, got, want *Registry) {
	t.Helper()
	g, w := *got, *want
	g.sources, w.sources = nil, nil
	for _, s := range got.sources {
		g.sources = append(g.sources, Source{SchemaURL: s.SchemaURL})
	}
	for _, s := range want.sources {
		w.sources = append(w.sources, Source{SchemaURL: s.SchemaURL})
	}
	if reflect.DeepEqual(g, w) {
		return
	}
	for name, m := range want.metrics {
		if !reflect.DeepEqual(got.metrics[name], m) {
			t.Errorf("metric %s:\n got  %+v\n want %+v", name, got.metrics[name], m)
			return
		}
	}
	for key, a := range want.attrs {
		if !reflect.DeepEqual(got.attrs[key], a) {
			t.Errorf("attribute %s:\n got  %+v\n want %+v", key, got.attrs[key], a)
			return
		}
	}
	t.Errorf("registries differ (groups: %d and %d)", len(got.groups), len(want.groups))
}

// TestTableRoundTrip checks that the built-in table decodes to the very
// registry that loading the YAML gives.
func TestTableRoundTrip(t *testing.T) {
	loaded, err := Empty().Load(model)
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sameRegistry(t, builtin, loaded)
}

// TestTableFresh fails when the committed table is not what the model in
// third_party gives, so `go test` catches a stale table as
// `make check-generated` does.
func TestTableFresh(t *testing.T) {
	loaded, err := Empty().Load(model)
	if err != nil {
		t.Fatal(err)
	}
	data, err := loaded.EncodeTable()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, builtinTable) {
		t.Error("builtin.json is stale: run `make semconv` and commit it")
	}
	again, err := loaded.EncodeTable()
	if err != nil || !bytes.Equal(again, data) {
		t.Error("encoding the same registry twice gave different tables")
	}
}

// TestTableLayered round-trips a registry of two layers, one of which
// replaces the group of a metric of the layer below, so that the table has
// to write that metric's attributes itself.
func TestTableLayered(t *testing.T) {
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r, err := builtin.Load("testdata/team")
	if err != nil {
		t.Fatal(err)
	}
	r, err = r.LoadFiles("override", map[string][]byte{"g.yaml": []byte(`groups:
  - id: metric.http.server.request.duration
    type: attribute_group
    brief: A group that takes the id of a built-in metric's group.
    attributes:
      - ref: shop.cart.id
`)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := r.EncodeTable()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"name":"http.server.request.duration","group":"metric.http.server.request.duration","instrument":"histogram","unit":"s","stability":"stable","attributes":[`) {
		t.Error("the metric whose group was replaced does not carry its own attributes")
	}
	back, err := DecodeTable(data)
	if err != nil {
		t.Fatal(err)
	}
	sameRegistry(t, back, r)
	if m, _ := back.Metric("http.server.request.duration"); len(m.Attributes) != 10 {
		t.Errorf("http.server.request.duration has %d attributes after the round trip, want 10", len(m.Attributes))
	}
}

func TestTableRejects(t *testing.T) {
	for name, data := range map[string]string{
		"another format":     `{"format": 1}`,
		"not JSON":           `groups: []`,
		"an unknown type":    `{"format": 2, "attributes": [{"key": "a", "type": "uuid"}]}`,
		"an undefined key":   `{"format": 2, "groups": [{"id": "g", "type": "attribute_group", "attributes": ["a"]}]}`,
		"a metric's group":   `{"format": 2, "metrics": [{"name": "m", "group": "metric.m", "instrument": "gauge", "unit": "1"}]}`,
		"a malformed member": `{"format": 2, "attributes": [{"key": "a", "type": "enum[string]", "members": [["x"]]}]}`,
		"a span's group":     `{"format": 2, "spans": [{"id": "span.x", "kind": "server"}]}`,
		"a span's kind":      `{"format": 2, "groups": [{"id": "span.x", "type": "span"}], "spans": [{"id": "span.x", "kind": "sideways"}]}`,
		"an event's group":   `{"format": 2, "events": [{"name": "x", "group": "event.x"}]}`,
	} {
		if _, err := DecodeTable([]byte(data)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
