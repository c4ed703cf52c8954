package forward

import (
	"context"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
)

// simulateMinute feeds a fixed set of 200 shapes at pointsPerSecond for one
// simulated minute, flushing every simulated second, and returns the calls
// and bytes sent to the catalog after the first flush (the steady state).
func simulateMinute(t testing.TB, pointsPerSecond int) (calls, bytes int) {
	f, cat, clk := newTest(t.(*testing.T), testConfig())
	shapes := make([]ingest.Observation, 200)
	for i := range shapes {
		shapes[i] = obs(fmt.Sprintf("metric.%d", i), "svc")
	}
	ctx := context.Background()
	perShape := uint64(max(pointsPerSecond/len(shapes), 1))
	for i := range shapes {
		shapes[i].DataPoints = perShape
	}
	f.Add(shapes, clk.now())
	f.flush(ctx, false)
	before := len(cat.calls)
	for sec := 0; sec < 60; sec++ {
		clk.t = clk.t.Add(time.Second)
		// pointsPerSecond arrive in requests of 1,000 points.
		for sent := 0; sent < pointsPerSecond; sent += 1000 {
			if _, err := f.Add(shapes, clk.now()); err != nil {
				t.Fatal(err)
			}
		}
		f.flush(ctx, false)
	}
	for _, c := range cat.calls[before:] {
		calls++
		bytes += proto.Size(c)
	}
	return calls, bytes
}

// TestWriteAmplificationDoesNotFollowRate: with a fixed set of shapes, what
// the catalog receives per minute is the same at 5,000 and at 500,000
// data points per second.
func TestWriteAmplificationDoesNotFollowRate(t *testing.T) {
	lowCalls, lowBytes := simulateMinute(t, 5_000)
	highCalls, highBytes := simulateMinute(t, 500_000)
	t.Logf("5k points/s: %d calls, %d bytes a minute; 500k points/s: %d calls, %d bytes a minute", lowCalls, lowBytes, highCalls, highBytes)
	if lowCalls != highCalls {
		t.Errorf("calls a minute: %d at 5k points/s, %d at 500k points/s; want equal", lowCalls, highCalls)
	}
	// Only the counts' varints may grow with the rate.
	if highBytes > lowBytes+lowBytes/10 {
		t.Errorf("bytes a minute: %d at 5k points/s, %d at 500k points/s; want about equal", lowBytes, highBytes)
	}
}
