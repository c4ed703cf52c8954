package cardinality

import (
	"math"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestDistinctIsExactWhileSmall: a set of a few values counts them exactly,
// turns into a sketch past MaxExact, and survives both encodings.
func TestDistinctIsExactWhileSmall(t *testing.T) {
	var d Distinct
	for i := uint64(0); i < 3; i++ {
		d.Add(hashOf(i))
		d.Add(hashOf(i))
	}
	if d.Estimate() != 3 {
		t.Errorf("3 values: estimate %d", d.Estimate())
	}
	for i := uint64(3); i < 5000; i++ {
		d.Add(hashOf(i))
	}
	if e := math.Abs(float64(d.Estimate())-5000) / 5000; e > 0.02 {
		t.Errorf("5,000 values: estimate %d", d.Estimate())
	}
	for _, n := range []uint64{3, 5000} {
		var src Distinct
		for i := uint64(0); i < n; i++ {
			src.Add(hashOf(i))
		}
		b, err := src.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Distinct
		if err := back.UnmarshalBinary(b); err != nil || back.Estimate() != src.Estimate() {
			t.Errorf("%d values: stored and read back %d (%v), want %d", n, back.Estimate(), err, src.Estimate())
		}
		hashes, sketch, err := src.Wire()
		if err != nil {
			t.Fatal(err)
		}
		wire, err := DistinctFromWire(hashes, sketch)
		if err != nil || wire.Estimate() != src.Estimate() {
			t.Errorf("%d values: over the wire %d (%v), want %d", n, wire.Estimate(), err, src.Estimate())
		}
	}
	if _, err := DistinctFromWire([]uint64{1}, []byte{1, 2}); err == nil {
		t.Error("hashes and a sketch both: accepted, want an error")
	}
	// Merging an exact set into a sketch and the other way give the union.
	var a, b Distinct
	for i := uint64(0); i < 1000; i++ {
		a.Add(hashOf(i))
	}
	for i := uint64(990); i < 1010; i++ {
		b.Add(hashOf(i))
	}
	if err := b.Merge(&a); err != nil {
		t.Fatal(err)
	}
	if e := math.Abs(float64(b.Estimate())-1010) / 1010; e > 0.02 {
		t.Errorf("merged: %d, want about 1,010", b.Estimate())
	}
}

// TestHashesAreStable pins the hash of a few values: replicas of different
// builds merge their sets, so a change here must be deliberate.
func TestHashesAreStable(t *testing.T) {
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	if HashString(str, "GET") != HashBytes(str, []byte("GET")) {
		t.Error("a string hashes differently as bytes")
	}
	if HashString(str, "1") == HashNumber(tallycatv1.ValueType_VALUE_TYPE_INT, 1) {
		t.Error(`the string "1" and the int 1 hash alike`)
	}
	a, b := Attribute(HashKey("region"), HashString(str, "eu")), Attribute(HashKey("code"), HashNumber(tallycatv1.ValueType_VALUE_TYPE_INT, 200))
	if Series(1, 2, a^b) != Series(1, 2, b^a) || Series(1, 2, a) == Series(2, 1, a) {
		t.Error("a series hash depends on attribute order, or not on which is resource and which scope")
	}
	if got, want := HashString(str, "GET"), uint64(0xe93a4320d6e1c708); got != want {
		t.Errorf("HashString(GET) = %#x, want %#x", got, want)
	}
}

func TestTallyKeepsFewValues(t *testing.T) {
	str := tallycatv1.ValueType_VALUE_TYPE_STRING
	v := func(s string) *Value { return &Value{Hash: HashString(str, s), Str: s, Type: str} }
	tl := NewTally(str, true, 3)
	for _, r := range []string{"eu", "us", "eu", "ap"} {
		tl.Add(v(r), nil)
	}
	got := map[string]uint64{}
	tl.Values(func(s string, n uint64) { got[s] = n })
	if tl.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT || len(got) != 3 || got["eu"] != 2 {
		t.Errorf("values = %v (%v), want eu 2, us 1, ap 1", got, tl.State)
	}
	if d := tl.Distinct(); d.Estimate() != 3 {
		t.Errorf("distinct = %d", d.Estimate())
	}
	tl.Add(v("sa"), &Texts{})
	n := 0
	tl.Values(func(string, uint64) { n++ })
	if tl.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_TOO_MANY || n != 0 {
		t.Errorf("a fourth value: state %v, %d values kept; want none", tl.State, n)
	}
	if d := tl.Distinct(); d.Estimate() != 4 {
		t.Errorf("distinct after overflow = %d, want 4", d.Estimate())
	}
	denied := NewTally(str, false, 3)
	denied.Add(v("alice@example.com"), nil)
	denied.Values(func(s string, _ uint64) { t.Errorf("a withheld field kept %q", s) })
	if d := denied.Distinct(); d.Estimate() != 1 || denied.State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD {
		t.Errorf("withheld: %d distinct, state %v", d.Estimate(), denied.State)
	}
	if NewTally(tallycatv1.ValueType_VALUE_TYPE_ARRAY, true, 3).State != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_NOT_SCALAR {
		t.Error("an array field would keep values")
	}
}
