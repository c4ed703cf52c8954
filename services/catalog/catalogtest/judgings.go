package catalogtest

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
)

// testStoredJudgings holds a store to what SaveJudging and LoadJudging
// promise: one judging is kept, the latest, byte for byte and to the
// microsecond, across a restart; a replica asking for one newer than its
// own gets ENOTFOUND until there is one; a judging without a time or data
// is refused.
func testStoredJudgings(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.Open(t)
	if _, err := s.LoadJudging(ctx, time.Time{}); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Fatalf("load from an empty catalog = %v, want not found", err)
	}
	for _, bad := range []catalog.StoredJudging{{Data: []byte("x")}, {At: T0}} {
		if err := s.SaveJudging(ctx, bad); catalog.ErrorCode(err) != catalog.EINVALID {
			t.Errorf("save %+v = %v, want invalid", bad, err)
		}
	}

	// A few megabytes of every byte value, as a compressed judging is,
	// judged at a time with nanoseconds in another location.
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	at := T0.Add(1234567 * time.Nanosecond).In(time.FixedZone("UTC+2", 2*3600))
	if err := s.SaveJudging(ctx, catalog.StoredJudging{At: at, Data: data}); err != nil {
		t.Fatal(err)
	}
	want := catalog.StoredJudging{At: T0.Add(1234 * time.Microsecond), Data: data}
	s = h.Reopen(t, s)
	loaded := func(after time.Time) catalog.StoredJudging {
		t.Helper()
		j, err := s.LoadJudging(ctx, after)
		if err != nil {
			t.Fatalf("load after %v: %v", after, err)
		}
		return j
	}
	same := func(what string, got, want catalog.StoredJudging) {
		t.Helper()
		if !got.At.Equal(want.At) || got.At.Location() != time.UTC || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: judged at %v (%d bytes), want %v (%d bytes) in UTC, byte for byte", what, got.At, len(got.Data), want.At, len(want.Data))
		}
	}
	same("after a restart", loaded(time.Time{}), want)
	same("asked for one newer than a microsecond before", loaded(want.At.Add(-time.Microsecond)), want)
	// What a replica serving it asks: nothing newer. Its own time may
	// carry nanoseconds the store dropped; the stored one is no newer.
	for _, after := range []time.Time{want.At, at, want.At.Add(time.Hour)} {
		if j, err := s.LoadJudging(ctx, after); catalog.ErrorCode(err) != catalog.ENOTFOUND {
			t.Errorf("load after %v = judged at %v, %v; want not found", after, j.At, err)
		}
	}

	// A newer judging replaces it; an older one, saved late by a replica
	// that lost the lead, does not.
	newer := catalog.StoredJudging{At: want.At.Add(time.Minute), Data: []byte("the next judging")}
	older := catalog.StoredJudging{At: want.At.Add(time.Second), Data: []byte("a judging saved late")}
	for _, j := range []catalog.StoredJudging{newer, older} {
		if err := s.SaveJudging(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	same("after a newer and a late older judging", loaded(time.Time{}), newer)
	same("asked for one newer than the first", loaded(want.At), newer)
}
