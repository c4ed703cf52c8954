package sqlstore

import (
	"reflect"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
)

// FuzzPlainValuesAgreeWithJSON holds the fast path of DecodeValues to
// encoding/json: whatever it accepts, encoding/json reads the same.
func FuzzPlainValuesAgreeWithJSON(f *testing.F) {
	for _, s := range []string{
		EncodeValues([]catalog.ValueCount{{Value: "GET", DataPoints: 8}, {Value: "POST", DataPoints: 2}}),
		EncodeValues([]catalog.ValueCount{{Value: "", DataPoints: 0}, {Value: "a\"b", DataPoints: 1}, {Value: "<tag>&", DataPoints: 2}, {Value: "\u2028", DataPoints: 3}, {Value: "é", DataPoints: 18446744073709551615}}),
		EncodeValues([]catalog.ValueCount{{Value: "\xff", DataPoints: 1}, {Value: "tab\there", DataPoints: 2}}),
		`[["a",1]]`, `[["a",01]]`, `[["a",1e3]]`, `[["a",-1]]`, `[["a",18446744073709551616]]`, `[["a"]]`, `[["a",1,2]]`,
		`[["a",1],]`, `[["a",1]] `, `[ ["a",1]]`, `[["a", 1]]`, `[["a\/",1]]`, `[["a",1.0]]`, `[`, `[[`, `x`, `[]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := decodePlainValues(s)
		if !ok {
			return
		}
		slow, err := decodeJSONValues(s)
		if err != nil {
			t.Fatalf("fast path read %q as %v; encoding/json: %v", s, fast, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast path %v, encoding/json %v", s, fast, slow)
		}
	})
}

func TestDecodeValuesRoundTrip(t *testing.T) {
	for _, in := range [][]catalog.ValueCount{
		{{Value: "GET", DataPoints: 8}, {Value: "POST", DataPoints: 2}},
		{{Value: "a\"b\\c", DataPoints: 1}, {Value: "<&>", DataPoints: 2}, {Value: "\u2028", DataPoints: 3}, {Value: "é", DataPoints: 1 << 63}},
	} {
		got, err := DecodeValues(EncodeValues(in))
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Errorf("round trip of %v: %v, %v", in, got, err)
		}
	}
	if _, ok := decodePlainValues(EncodeValues([]catalog.ValueCount{{Value: "GET", DataPoints: 8}, {Value: "POST", DataPoints: 2}})); !ok {
		t.Error("plain values did not take the fast path")
	}
}
