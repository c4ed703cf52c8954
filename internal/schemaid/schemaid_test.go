package schemaid

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

const (
	gauge     = tallycatv1.MetricType_METRIC_TYPE_GAUGE
	sum       = tallycatv1.MetricType_METRIC_TYPE_SUM
	histogram = tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM
	expHist   = tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM
	summary   = tallycatv1.MetricType_METRIC_TYPE_SUMMARY

	delta      = tallycatv1.Temporality_TEMPORALITY_DELTA
	cumulative = tallycatv1.Temporality_TEMPORALITY_CUMULATIVE

	str = tallycatv1.ValueType_VALUE_TYPE_STRING
	i64 = tallycatv1.ValueType_VALUE_TYPE_INT
	dbl = tallycatv1.ValueType_VALUE_TYPE_DOUBLE
	bol = tallycatv1.ValueType_VALUE_TYPE_BOOL
)

// vectors are the published test vectors of docs/schema-id.md. Changing any of
// these ids breaks every stored catalog: a test failure here is a product bug,
// never a reason to update the expected value.
var vectors = []struct {
	name  string
	shape Shape
	id    string
}{
	{
		name: "histogram with three attributes",
		shape: Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative,
			Attributes: []Attribute{{"http.request.method", str}, {"http.response.status_code", i64}, {"url.scheme", str}}},
		id: "b76b19119bbede46f69594a99f8d26c2",
	},
	{
		name:  "monotonic cumulative sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"cpu.mode", str}}},
		id:    "ec02696b7cbc3dc40992af556218372d",
	},
	{
		name:  "non-monotonic delta sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: delta, Attributes: []Attribute{{"cpu.mode", str}}},
		id:    "2b9f2db99f04c9742f32ff147572f5dd",
	},
	{
		name:  "gauge without attributes",
		shape: Shape{Name: "queue.depth", Type: gauge, Unit: "{item}"},
		id:    "75d3a9ec217129a7c17ff5f24944f04b",
	},
	{
		name:  "exponential histogram with a bool and a double",
		shape: Shape{Name: "rpc.duration", Type: expHist, Unit: "ms", Temporality: delta, Attributes: []Attribute{{"retry", bol}, {"weight", dbl}}},
		id:    "4d7c6a2f550dd9d34a45a100eb01f2ae",
	},
	{
		name:  "summary with empty unit",
		shape: Shape{Name: "legacy.latency", Type: summary},
		id:    "919ffc251df240f7e1cb382c2d8974ca",
	},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if got := ID(v.shape); got != v.id {
				t.Errorf("ID = %s, want %s\ncanonical: %s", got, v.id, hex.EncodeToString(AppendCanonical(nil, &v.shape)))
			}
		})
	}
}

func TestIDIgnoresAttributeOrderAndDuplicates(t *testing.T) {
	a := Shape{Name: "m", Type: gauge, Attributes: []Attribute{{"b", str}, {"a", i64}}}
	b := Shape{Name: "m", Type: gauge, Attributes: []Attribute{{"a", i64}, {"b", str}, {"a", i64}}}
	if ID(a) != ID(b) {
		t.Fatalf("order or duplicates changed the id: %s != %s", ID(a), ID(b))
	}
	if a.Attributes[0].Key != "b" {
		t.Fatal("ID changed the caller's attributes")
	}
}

func TestIDIgnoresWhatTheTypeDoesNotCarry(t *testing.T) {
	plain := Shape{Name: "m", Type: gauge}
	withExtras := Shape{Name: "m", Type: gauge, Temporality: delta, Monotonic: true}
	if ID(plain) != ID(withExtras) {
		t.Fatal("a gauge's id depends on temporality or monotonic, which gauges do not have")
	}
	h1 := Shape{Name: "m", Type: histogram, Temporality: delta}
	h2 := Shape{Name: "m", Type: histogram, Temporality: delta, Monotonic: true}
	if ID(h1) != ID(h2) {
		t.Fatal("a histogram's id depends on monotonic, which only sums have")
	}
}

func TestIDDistinguishes(t *testing.T) {
	base := Shape{Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"k", str}}}
	variants := map[string]Shape{
		"name":          {Name: "n", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"k", str}}},
		"type":          {Name: "m", Type: gauge, Unit: "s", Attributes: []Attribute{{"k", str}}},
		"unit":          {Name: "m", Type: sum, Unit: "ms", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"k", str}}},
		"temporality":   {Name: "m", Type: sum, Unit: "s", Temporality: delta, Monotonic: true, Attributes: []Attribute{{"k", str}}},
		"monotonic":     {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Attributes: []Attribute{{"k", str}}},
		"value type":    {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"k", i64}}},
		"key":           {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"j", str}}},
		"extra key":     {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{"k", str}, {"l", str}}},
		"no attributes": {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true},
	}
	for what, v := range variants {
		if ID(v) == ID(base) {
			t.Errorf("shapes that differ in %s share an id", what)
		}
	}
}

func TestEncodingHasNoConcatenationCollisions(t *testing.T) {
	pairs := [][2]Shape{
		{{Name: "ab", Type: gauge, Unit: "c"}, {Name: "a", Type: gauge, Unit: "bc"}},
		{{Name: "m", Type: gauge, Attributes: []Attribute{{"ab", str}}}, {Name: "m", Type: gauge, Attributes: []Attribute{{"a", str}, {"b", str}}}},
		{{Name: "m", Type: gauge, Unit: "\x00\x00\x00\x00"}, {Name: "m\x00\x00\x00\x00", Type: gauge}},
	}
	for _, p := range pairs {
		if ID(p[0]) == ID(p[1]) {
			t.Errorf("%+v and %+v collide", p[0], p[1])
		}
	}
}

// TestParseCanonicalRoundTrips holds ParseCanonical to AppendCanonical for
// every metric type, temporality and value type, and refuses damaged input.
func TestParseCanonicalRoundTrips(t *testing.T) {
	var shapes []Shape
	for typ := range tallycatv1.MetricType_name {
		for temp := range tallycatv1.Temporality_name {
			sh := Shape{Name: "http.server.request.duration", Type: tallycatv1.MetricType(typ), Unit: "s"}
			if HasTemporality(sh.Type) {
				sh.Temporality = tallycatv1.Temporality(temp)
			}
			sh.Monotonic = HasMonotonic(sh.Type) && temp%2 == 0
			for vt := range tallycatv1.ValueType_name {
				sh.Attributes = append(sh.Attributes, Attribute{Key: fmt.Sprintf("k%d", vt), Type: tallycatv1.ValueType(vt)})
			}
			sh.Normalize()
			shapes = append(shapes, sh)
		}
	}
	shapes = append(shapes, Shape{Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE})
	for _, sh := range shapes {
		enc := string(AppendCanonical(nil, &sh))
		got, err := ParseCanonical(enc)
		if err != nil {
			t.Fatalf("%+v: %v", sh, err)
		}
		if !reflect.DeepEqual(got, sh) && !(len(got.Attributes) == 0 && len(sh.Attributes) == 0) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, sh)
		}
		for cut := 0; cut < len(enc); cut += 7 {
			if _, err := ParseCanonical(enc[:cut]); err == nil {
				t.Fatalf("a canonical encoding cut at %d of %d bytes was accepted", cut, len(enc))
			}
		}
		if _, err := ParseCanonical(enc + "x"); err == nil {
			t.Fatal("trailing bytes were accepted")
		}
	}
}
