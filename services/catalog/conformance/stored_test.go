package conformance

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"reflect"
	"strconv"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// aJudging has what a stored judging must carry: findings with and
// without releases (two sharing one list), examples, sides, a zero first
// seen, levels, and keys' facts with each flag.
func aJudging() judging {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 123000, time.UTC)
	checkout := []catalog.ReleaseIdentity{{ServiceNamespace: "shop", ServiceName: "checkout", ServiceVersion: "1.4.2"}, {ServiceName: "checkout", ServiceVersion: "1.4.1"}}
	return judging{
		at:     t0.Add(time.Hour),
		config: "judged under these rules",
		total:  3,
		all: []Finding{
			{ID: "unit_mismatch", Level: tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION, Message: "unit is ms, the registry says s",
				SchemaID: "0123", SchemaKey: "http.server.request.duration", Expected: "s", Actual: "ms", Producers: checkout, FirstSeen: t0},
			{ID: "deprecated_attribute", Level: tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT, Message: "http.method is deprecated",
				SchemaID: "0123", SchemaKey: "http.server.request.duration", Attribute: "http.method", Replacement: "http.request.method",
				Producers: checkout, FirstSeen: t0.Add(-time.Minute)},
			{ID: "span_name_cardinality", Level: tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION, Message: "too many span names",
				SchemaID: "4567", SchemaKey: catalog.StoredKey(schemaid.Span, "io.example/jobs"), Examples: []string{"job 1", "job 2", ""}},
		},
		keys: map[string]keyFacts{
			"http.server.request.duration": {defined: true, schemas: 2, attributes: 5, definedAt: 4, dataPoints: 1 << 40},
			"tallycat.catalog.requests":    {self: true, schemas: 1, attributes: 1, dataPoints: 7},
		},
	}
}

// TestAStoredJudgingReadsBackAsItWas: what a replica serves from the
// store is what the leader judged, field for field, and findings that
// shared a release list share it again.
func TestAStoredJudgingReadsBackAsItWas(t *testing.T) {
	want := aJudging()
	data, err := encodeJudging(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeJudging(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	if &got.all[0].Producers[0] != &got.all[1].Producers[0] {
		t.Error("two findings of one release list read back with a list each")
	}
	empty, err := decodeJudging(must(encodeJudging(judging{at: want.at})))
	if err != nil || len(empty.all) != 0 || len(empty.keys) != 0 || !empty.at.Equal(want.at) {
		t.Errorf("an empty judging read back as %+v, %v", empty, err)
	}
}

// TestABrokenStoredJudgingIsAnError: data that is not a judging, one cut
// short anywhere, and a newer encoding are each errBadJudging, never a
// panic or a judging of something else.
func TestABrokenStoredJudgingIsAnError(t *testing.T) {
	data := must(encodeJudging(aJudging()))
	z, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	raw := must(io.ReadAll(z))
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	cases := map[string][]byte{
		"not gzip":            []byte("the findings"),
		"gzip cut short":      data[:len(data)/2],
		"a newer encoding":    gz(append([]byte{judgingEncoding + 1}, raw[1:]...)),
		"a byte too many":     gz(append(append([]byte{}, raw...), 0)),
		"counts past the end": gz([]byte{judgingEncoding, 0, 0, 0xff, 0xff, 0xff, 0x07, 0, 0, 0, 0}),
	}
	for n := 1; n < len(raw); n++ {
		cases["cut after byte "+strconv.Itoa(n)] = gz(raw[:n])
	}
	for name, b := range cases {
		if j, err := decodeJudging(b); !errors.Is(err, errBadJudging) {
			t.Errorf("%s: read as %d findings, error %v; want errBadJudging", name, len(j.all), err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
