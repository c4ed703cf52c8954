package cardinality

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/axiomhq/hyperloglog"
)

// hashOf is a well-mixed 64-bit hash of i (SplitMix64's finalizer), the
// same in every run: with a random seed, an estimate's error is drawn
// afresh each run, and one run in a hundred or so lands past a bound the
// sketch meets on the whole, failing at random. Fixed data make the
// figures reproducible.
func hashOf(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// TestEstimatesAreWithinTwoPercent counts 100, 10,000 and 1,000,000
// distinct series, each added three times (a series repeats every export),
// and compares the estimates with the exact counts; then the same data
// split between two sketches, as two ingest replicas behind a random load
// balancer would see it, merged, which must estimate exactly as the one
// sketch does. A HyperLogLog++ sketch of precision 14 has a standard
// error near 0.8 %, so a single estimate of a million lands past 2 % in a
// few runs of a hundred: the bound holds the mean error over five
// independent sets of series, which is what a user reading many estimates
// sees, and the sets are fixed so that every run checks the same figures.
func TestEstimatesAreWithinTwoPercent(t *testing.T) {
	const sets = 5
	for _, n := range []uint64{100, 10_000, 1_000_000} {
		var sum float64
		for set := uint64(0); set < sets; set++ {
			whole, a, b := NewSketch(), NewSketch(), NewSketch()
			for rep := 0; rep < 3; rep++ {
				for i := uint64(0); i < n; i++ {
					h := hashOf(i + set<<40)
					whole.AddHash(h)
					if (i+uint64(rep))%2 == 0 {
						a.AddHash(h)
					} else {
						b.AddHash(h)
					}
				}
			}
			if err := a.Merge(b); err != nil {
				t.Fatal(err)
			}
			got := whole.Estimate()
			if merged := a.Estimate(); merged != got {
				t.Errorf("%d distinct, set %d: two merged sketches estimate %d, one sketch %d", n, set, merged, got)
			}
			sum += math.Abs(float64(got)-float64(n)) / float64(n)
		}
		if e := sum / sets; e > 0.02 {
			t.Errorf("%d distinct: estimates %.2f %% off on average over %d sets", n, 100*e, sets)
		}
	}
}

func TestSketchesTravel(t *testing.T) {
	sk := NewSketch()
	for i := uint64(0); i < 5000; i++ {
		sk.AddHash(hashOf(i))
	}
	b, err := sk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSketch(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Estimate() != sk.Estimate() {
		t.Errorf("estimate after a round trip %d, before %d", back.Estimate(), sk.Estimate())
	}
	small, _ := NewSketch().MarshalBinary()
	if len(small) > 64 {
		t.Errorf("an empty sketch encodes in %d bytes, want it sparse and small", len(small))
	}
	other, _ := hyperloglog.New16().MarshalBinary()
	for name, bad := range map[string][]byte{
		"garbage":         []byte("not a sketch"),
		"empty":           nil,
		"too large":       make([]byte, MaxEncoded+1),
		"other precision": other,
	} {
		if _, err := ParseSketch(bad); err == nil {
			t.Errorf("%s: parsed, want an error", name)
		}
	}
}

func TestValuesStayFewOrNone(t *testing.T) {
	v := NewValues(3)
	for _, region := range []string{"eu", "us", "eu", "ap", "eu"} {
		v.Add(region, 1)
	}
	got := v.Shares()
	if len(got) != 3 || got[0].Value != "eu" || got[0].DataPoints != 3 || math.Abs(got[0].Share-0.6) > 1e-9 || got[1].Value != "ap" {
		t.Errorf("shares = %+v, want eu 60 %%, then ap and us", got)
	}
	other := NewValues(3)
	other.Add("sa", 1)
	v.Merge(other)
	if !v.Overflowed() || len(v.Shares()) != 0 {
		t.Errorf("a fourth value merged in: overflowed %v, shares %v; want no values kept", v.Overflowed(), v.Shares())
	}
	v.Add("eu", 1)
	if len(v.Shares()) != 0 {
		t.Error("a field that overflowed keeps values again")
	}
	long := strings.Repeat("é", 200) // 400 bytes
	if c := Cut(long); len(c) > MaxValueBytes || !strings.HasPrefix(long, c) || len(c) != 256 {
		t.Errorf("cut to %d bytes, want at most %d on a character boundary", len(c), MaxValueBytes)
	}
}

func TestDefaultDenyList(t *testing.T) {
	d, err := NewDenyList(DefaultDeny)
	if err != nil {
		t.Fatal(err)
	}
	for key, denied := range map[string]bool{
		"enduser.id": true, "user.id": true, "user.email": true, "customer.email": true, "db.password": true,
		"auth.token.kind": true, "client_secret": true, "net.peer.ip": true, "client.address": true,
		"http.request.method": false, "region": false, "server.address": false, "user_agent.original": false,
	} {
		if d.Denies(key) != denied {
			t.Errorf("Denies(%q) = %v, want %v", key, !denied, denied)
		}
	}
	if _, err := NewDenyList([]string{"user.["}); err == nil || !strings.Contains(err.Error(), "user.[") {
		t.Errorf("a malformed pattern = %v, want an error naming it", err)
	}
}

// BenchmarkAddHash is the per value cost the ingest pays on its hot path.
func BenchmarkAddHash(b *testing.B) {
	for _, distinct := range []uint64{100, 1_000_000} {
		b.Run(map[uint64]string{100: "few-values", 1_000_000: "many-values"}[distinct], func(b *testing.B) {
			sk := NewSketch()
			var i uint64
			for b.Loop() {
				sk.AddHash(hashOf(i % distinct))
				i++
			}
		})
	}
}

func TestWindows(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	sketchOf := func(from, to uint64) *Sketch {
		sk := NewSketch()
		for i := from; i < to; i++ {
			sk.AddHash(hashOf(i))
		}
		return sk
	}
	buckets := []Bucket{
		{Start: BucketOf(now.Add(-30 * time.Hour)), Sketch: sketchOf(0, 5000), DataPoints: 999}, // past 24 hours
		{Start: BucketOf(now.Add(-5 * time.Hour)), Sketch: sketchOf(0, 1000), DataPoints: 600},
		{Start: BucketOf(now.Add(-20 * time.Minute)), Sketch: sketchOf(500, 1500), DataPoints: 300},
		{Start: BucketOf(now), Sketch: sketchOf(1000, 2000), DataPoints: 300},
	}
	hour, err := Window(buckets, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The last hour: two buckets, 1,500 distinct values, 600 points over
	// the 25 minutes since the first of them started, as the buckets do
	// not say when they saw data.
	if e := math.Abs(float64(hour.Distinct)-1500) / 1500; e > 0.02 || hour.DataPoints != 600 || math.Abs(hour.PerMinute-24) > 1e-9 {
		t.Errorf("last hour = %+v, want about 1,500 distinct and 600 points at 24 a minute", hour)
	}
	day, _ := Window(buckets, now, 24*time.Hour)
	if e := math.Abs(float64(day.Distinct)-2000) / 2000; e > 0.02 || day.DataPoints != 1200 {
		t.Errorf("last day = %+v, want about 2,000 distinct and 1,200 points", day)
	}
	if none, _ := Window(nil, now, time.Hour); none != (Figures{}) {
		t.Errorf("no buckets = %+v, want nothing", none)
	}
}
