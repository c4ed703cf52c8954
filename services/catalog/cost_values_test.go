package catalog

import (
	"reflect"
	"testing"
)

// FuzzPlainValuesAgreeWithJSON holds the fast path of DecodeValues to
// encoding/json: whatever it accepts, encoding/json reads the same.
func FuzzPlainValuesAgreeWithJSON(f *testing.F) {
	for _, s := range []string{
		EncodeValues([]ValueCount{{"GET", 8}, {"POST", 2}}),
		EncodeValues([]ValueCount{{"", 0}, {"a\"b", 1}, {"<tag>&", 2}, {"\u2028", 3}, {"é", 18446744073709551615}}),
		EncodeValues([]ValueCount{{"\xff", 1}, {"tab\there", 2}}),
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
	for _, in := range [][]ValueCount{
		{{"GET", 8}, {"POST", 2}},
		{{"a\"b\\c", 1}, {"<&>", 2}, {"\u2028", 3}, {"é", 1 << 63}},
	} {
		got, err := DecodeValues(EncodeValues(in))
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Errorf("round trip of %v: %v, %v", in, got, err)
		}
	}
	if _, ok := decodePlainValues(EncodeValues([]ValueCount{{"GET", 8}, {"POST", 2}})); !ok {
		t.Error("plain values did not take the fast path")
	}
}
