package schemaid

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
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

type vector struct {
	name  string
	shape Shape
	id    string
}

// vectors are the published v2 test vectors of docs/schema-id.md, in the
// order of its table (TestReferenceImplementation holds the two together).
// Changing any of these ids breaks every stored catalog: a test failure here
// is a product bug, never a reason to update the expected value.
var vectors = []vector{
	{
		name: "histogram with three attributes",
		shape: Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative,
			Attributes: []Attribute{{Key: "http.request.method", Type: str}, {Key: "http.response.status_code", Type: i64}, {Key: "url.scheme", Type: str}}},
		id: "769f2a022fdda32d1787008e0e95c5fe",
	},
	{
		name:  "monotonic cumulative sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "cpu.mode", Type: str}}},
		id:    "565476c4f6f4ea786eabc28ab632f000",
	},
	{
		name:  "non-monotonic delta sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: delta, Attributes: []Attribute{{Key: "cpu.mode", Type: str}}},
		id:    "15da9e6223512a2480d1d44636e80cf3",
	},
	{
		name:  "gauge without attributes",
		shape: Shape{Name: "queue.depth", Type: gauge, Unit: "{item}"},
		id:    "a4b1293cd97a149007b5ce3a1772fa36",
	},
	{
		name:  "exponential histogram with a bool and a double",
		shape: Shape{Name: "rpc.duration", Type: expHist, Unit: "ms", Temporality: delta, Attributes: []Attribute{{Key: "retry", Type: bol}, {Key: "weight", Type: dbl}}},
		id:    "dd2e3127411ad22e0cbe8ae8998982cb",
	},
	{
		name:  "summary with empty unit",
		shape: Shape{Name: "legacy.latency", Type: summary},
		id:    "101dc50db2685302aee440e79f9ac234",
	},
	{
		name: "histogram with one attribute",
		shape: Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative,
			Attributes: []Attribute{{Key: "http.request.method", Type: str}}},
		id: "475638086b255e8ca83611d6b8f67e7f",
	},
	{
		name: "type conflict: one key as int and as string",
		shape: Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative,
			Attributes: []Attribute{{Key: "http.request.method", Type: str}, {Key: "http.response.status_code", Type: i64}, {Key: "http.response.status_code", Type: str}}},
		id: "69de3b11e8bd15df854424b7c71e788e",
	},
}

// spanVectors and logVectors are the published span and log test vectors of
// docs/schema-id.md, in the order of its tables; like vectors, they are never
// to be updated to make a test pass.
var spanVectors = []vector{
	{
		name: "HTTP server span with an exception event",
		shape: Shape{Signal: Span, Name: "GET /users/{id}", SpanKind: SpanKindServer, Attributes: []Attribute{
			{Key: "http.request.method", Type: str}, {Key: "http.route", Type: str}, {Key: "url.scheme", Type: str}, {Key: "error.type", Type: str},
			{Source: Event, Event: MakeEventName("exception"), Type: tallycatv1.ValueType_VALUE_TYPE_EMPTY},
			{Source: Event, Event: MakeEventName("exception"), Key: "exception.type", Type: str}, {Source: Event, Event: MakeEventName("exception"), Key: "exception.message", Type: str}}},
		id: "89fbe6acff725ec80eb9de4fd9de2470",
	},
	{
		name: "HTTP client span with a link attribute",
		shape: Shape{Signal: Span, Name: "GET", SpanKind: SpanKindClient, Attributes: []Attribute{
			{Key: "http.request.method", Type: str}, {Key: "server.address", Type: str}, {Key: "server.port", Type: i64}, {Key: "url.full", Type: str},
			{Source: Link, Key: "opentracing.ref_type", Type: str}}},
		id: "6008a686204e6e1e899ab55685dd7afa",
	},
	{
		name: "span names past the limit, grouped by scope",
		shape: Shape{Signal: Span, Name: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", SpanKind: SpanKindServer, ByScope: true,
			Attributes: []Attribute{{Key: "http.request.method", Type: str}, {Key: "url.path", Type: str}, {Key: "url.scheme", Type: str}}},
		id: "9d9687df0ac07909376545e4f6086ae9",
	},
	{
		name:  "internal span without attributes",
		shape: Shape{Signal: Span, Name: "checkout.process", SpanKind: SpanKindInternal},
		id:    "63deb30206b6678c80175cf93818a877",
	},
}

var logVectors = []vector{
	{
		name: "event with map body keys",
		shape: Shape{Signal: Log, Name: "browser.page_view", Attributes: []Attribute{
			{Key: "session.id", Type: str}, {Source: Body, Key: "body", Type: tallycatv1.ValueType_VALUE_TYPE_MAP},
			{Source: Body, Key: "body.page.url", Type: str}, {Source: Body, Key: "body.page.title", Type: str}}},
		id: "28691270dfe87788ada571f9ec0c6f74",
	},
	{
		name: "records without an event name, grouped by scope, with severity",
		shape: Shape{Signal: Log, Name: "com.example.checkout", ByScope: true, Attributes: []Attribute{
			{Key: "code.function.name", Type: str}, {Source: Body, Key: "body", Type: str},
			{Source: Severity, Key: "severity_number", Type: i64}, {Source: Severity, Key: "severity_text", Type: str}}},
		id: "dbda6bae7fcad48602a6be693186bec3",
	},
}

// vectorsV1 are the test vectors the releases before v2 published, one
// schema per data point attribute set. IDv1 must keep computing them: the
// catalog's migration recognises the ids of an old database with it.
var vectorsV1 = []vector{
	{
		name: "histogram with three attributes",
		shape: Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative,
			Attributes: []Attribute{{Key: "http.request.method", Type: str}, {Key: "http.response.status_code", Type: i64}, {Key: "url.scheme", Type: str}}},
		id: "b76b19119bbede46f69594a99f8d26c2",
	},
	{
		name:  "monotonic cumulative sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "cpu.mode", Type: str}}},
		id:    "ec02696b7cbc3dc40992af556218372d",
	},
	{
		name:  "non-monotonic delta sum",
		shape: Shape{Name: "system.cpu.time", Type: sum, Unit: "s", Temporality: delta, Attributes: []Attribute{{Key: "cpu.mode", Type: str}}},
		id:    "2b9f2db99f04c9742f32ff147572f5dd",
	},
	{
		name:  "gauge without attributes",
		shape: Shape{Name: "queue.depth", Type: gauge, Unit: "{item}"},
		id:    "75d3a9ec217129a7c17ff5f24944f04b",
	},
	{
		name:  "exponential histogram with a bool and a double",
		shape: Shape{Name: "rpc.duration", Type: expHist, Unit: "ms", Temporality: delta, Attributes: []Attribute{{Key: "retry", Type: bol}, {Key: "weight", Type: dbl}}},
		id:    "4d7c6a2f550dd9d34a45a100eb01f2ae",
	},
	{
		name:  "summary with empty unit",
		shape: Shape{Name: "legacy.latency", Type: summary},
		id:    "919ffc251df240f7e1cb382c2d8974ca",
	},
}

func TestVectors(t *testing.T) {
	for _, v := range slices.Concat(vectors, spanVectors, logVectors) {
		t.Run(v.name, func(t *testing.T) {
			if got := ID(v.shape); got != v.id {
				t.Errorf("ID = %s, want %s\ncanonical: %s", got, v.id, hex.EncodeToString(AppendCanonical(nil, &v.shape)))
			}
		})
	}
}

func TestVectorsV1(t *testing.T) {
	for _, v := range vectorsV1 {
		t.Run(v.name, func(t *testing.T) {
			if got := IDv1(v.shape); got != v.id {
				t.Errorf("IDv1 = %s, want %s", got, v.id)
			}
			if ID(v.shape) == v.id {
				t.Error("ID returns the v1 id: the domain tag did not change")
			}
		})
	}
}

// TestIDv1IsTheSameEncodingUnderTheOldTag holds IDv1 to the v2 encoding with
// only the tag replaced, and to ID's handling of the caller's attributes.
func TestIDv1IsTheSameEncodingUnderTheOldTag(t *testing.T) {
	sh := Shape{Name: "m", Type: sum, Unit: "s", Temporality: delta, Monotonic: true, Attributes: []Attribute{{Key: "b", Type: str}, {Key: "a", Type: i64}, {Key: "b", Type: str}}}
	enc := AppendCanonical(nil, &Shape{Name: sh.Name, Type: sh.Type, Unit: sh.Unit, Temporality: sh.Temporality, Monotonic: sh.Monotonic,
		Attributes: NormalizeAttributes(slices.Clone(sh.Attributes))})
	v2 := appendString(nil, domainTag)
	if !bytes.HasPrefix(enc, v2) {
		t.Fatalf("the encoding does not start with the %s tag", domainTag)
	}
	v1 := append(appendString(nil, "tallycat.schema.v1"), enc[len(v2):]...)
	if got, want := IDv1(sh), String(Sum(v1)); got != want {
		t.Fatalf("IDv1 = %s, want %s, the id of the v2 encoding under the v1 tag", got, want)
	}
	if sh.Attributes[0].Key != "b" || len(sh.Attributes) != 3 {
		t.Fatal("IDv1 changed the caller's attributes")
	}
}

// TestTypeConflictKeepsBothPairs: one key sent with two value types within a
// release keeps both (key, type) pairs, in value type token order whatever
// the order they arrived in, and the id differs from either type alone.
func TestTypeConflictKeepsBothPairs(t *testing.T) {
	got := NormalizeAttributes([]Attribute{{Key: "code", Type: str}, {Key: "a", Type: str}, {Key: "code", Type: i64}, {Key: "code", Type: str}})
	want := []Attribute{{Key: "a", Type: str}, {Key: "code", Type: i64}, {Key: "code", Type: str}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("NormalizeAttributes = %v, want %v", got, want)
	}
	both := Shape{Name: "m", Type: gauge, Attributes: []Attribute{{Key: "code", Type: str}, {Key: "code", Type: i64}}}
	for _, one := range []tallycatv1.ValueType{i64, str} {
		if ID(both) == ID(Shape{Name: "m", Type: gauge, Attributes: []Attribute{{Key: "code", Type: one}}}) {
			t.Errorf("a conflict of int and string shares its id with %s alone", ValueTypeToken(one))
		}
	}
	sh, err := ParseCanonical(string(AppendCanonical(nil, &Shape{Name: "m", Type: gauge, Attributes: want})))
	if err != nil || !reflect.DeepEqual(sh.Attributes, want) {
		t.Fatalf("ParseCanonical of a type conflict = %v, %v", sh.Attributes, err)
	}
}

// TestSchemaWithOneVariantHasItsID: a variant's id is the id its attribute
// set would have as a schema, so a schema whose union equals one of its
// variants has that variant's id.
func TestSchemaWithOneVariantHasItsID(t *testing.T) {
	header := Shape{Name: "http.server.request.duration", Type: histogram, Unit: "s", Temporality: cumulative}
	small := []Attribute{{Key: "http.request.method", Type: str}}
	large := []Attribute{{Key: "http.response.status_code", Type: i64}, {Key: "http.request.method", Type: str}}
	union := NormalizeAttributes(slices.Concat(small, large))
	schema, variant := header, header
	schema.Attributes, variant.Attributes = union, large
	if ID(schema) != ID(variant) {
		t.Fatalf("schema %s and its variant with the same attribute set %s differ", ID(schema), ID(variant))
	}
	variant.Attributes = small
	if ID(schema) == ID(variant) {
		t.Fatal("a variant with fewer attributes than the union has the schema's id")
	}
}

func TestIDIgnoresAttributeOrderAndDuplicates(t *testing.T) {
	a := Shape{Name: "m", Type: gauge, Attributes: []Attribute{{Key: "b", Type: str}, {Key: "a", Type: i64}}}
	b := Shape{Name: "m", Type: gauge, Attributes: []Attribute{{Key: "a", Type: i64}, {Key: "b", Type: str}, {Key: "a", Type: i64}}}
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
	base := Shape{Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: str}}}
	variants := map[string]Shape{
		"name":          {Name: "n", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: str}}},
		"type":          {Name: "m", Type: gauge, Unit: "s", Attributes: []Attribute{{Key: "k", Type: str}}},
		"unit":          {Name: "m", Type: sum, Unit: "ms", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: str}}},
		"temporality":   {Name: "m", Type: sum, Unit: "s", Temporality: delta, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: str}}},
		"monotonic":     {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Attributes: []Attribute{{Key: "k", Type: str}}},
		"value type":    {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: i64}}},
		"key":           {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "j", Type: str}}},
		"extra key":     {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true, Attributes: []Attribute{{Key: "k", Type: str}, {Key: "l", Type: str}}},
		"no attributes": {Name: "m", Type: sum, Unit: "s", Temporality: cumulative, Monotonic: true},
		"signal (span)": {Signal: Span, Name: "m", Attributes: []Attribute{{Key: "k", Type: str}}},
		"signal (log)":  {Signal: Log, Name: "m", Attributes: []Attribute{{Key: "k", Type: str}}},
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
		{{Name: "m", Type: gauge, Attributes: []Attribute{{Key: "ab", Type: str}}}, {Name: "m", Type: gauge, Attributes: []Attribute{{Key: "a", Type: str}, {Key: "b", Type: str}}}},
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
		v1 := string(appendString(nil, "tallycat.schema.v1")) + enc[len(appendString(nil, domainTag)):]
		if _, err := ParseCanonical(v1); err == nil {
			t.Fatal("a v1 encoding was accepted")
		}
	}
}
