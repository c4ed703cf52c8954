package infer_test

import (
	"math/rand/v2"
	"testing"
)

// TestScanAgreesOnMutations is a quick, deterministic cousin of the fuzz
// test for every `make test`: seeded random byte edits of the seeds, most of
// them malformed in some way, must get the same answer from both paths.
func TestScanAgreesOnMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var small [][]byte
	for _, b := range seeds(t) {
		if len(b) < 16<<10 && len(b) > 0 {
			small = append(small, b)
		}
	}
	for i := 0; i < 5000; i++ {
		b := append([]byte(nil), small[r.IntN(len(small))]...)
		for j := 0; j < 1+r.IntN(4); j++ {
			switch r.IntN(3) {
			case 0:
				b[r.IntN(len(b))] = byte(r.Uint32())
			case 1:
				if k := r.IntN(len(b)); k > 0 {
					b = b[:k]
				}
			case 2:
				k := r.IntN(len(b))
				b = append(b[:k], append([]byte{byte(r.Uint32())}, b[k:]...)...)
			}
		}
		agree(t, b)
	}
}
