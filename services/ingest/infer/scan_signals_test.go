package infer_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// signalScan is one signal's pair of ways in: the scanner under test and
// its reference, inference on what proto.Unmarshal decodes.
type signalScan struct {
	scan      func(*infer.Inferrer, []byte) (ingest.Result, error)
	reference func([]byte) (ingest.Result, error)
	seeds     func(testing.TB) [][]byte
	message   func() proto.Message
}

var (
	tracesScan = signalScan{
		scan: (*infer.Inferrer).ScanTraces,
		reference: func(b []byte) (ingest.Result, error) {
			req := &coltracepb.ExportTraceServiceRequest{}
			if err := proto.Unmarshal(b, req); err != nil {
				return ingest.Result{}, err
			}
			return slowPath().InferTraces(req), nil
		},
		seeds:   traceSeeds,
		message: func() proto.Message { return &coltracepb.ExportTraceServiceRequest{} },
	}
	logsScan = signalScan{
		scan: (*infer.Inferrer).ScanLogs,
		reference: func(b []byte) (ingest.Result, error) {
			req := &collogspb.ExportLogsServiceRequest{}
			if err := proto.Unmarshal(b, req); err != nil {
				return ingest.Result{}, err
			}
			return slowPath().InferLogs(req), nil
		},
		seeds:   logSeeds,
		message: func() proto.Message { return &collogspb.ExportLogsServiceRequest{} },
	}
)

// slowPath is an Inferrer without the repeat-item fast path (see
// repeat.go): the reference resolves every span's and log record's shape
// from its attributes, so that the scanner's fast path is held to what the
// slow path gives, not to itself.
func slowPath() *infer.Inferrer {
	in := infer.New()
	in.SetItemRepeats(false)
	return in
}

// agree holds the scanner to its reference on b: the same refusal, or the
// same observations, on cold caches and on warm ones.
//
// A log observation's RecordBytes are its records' sizes as received for
// the scanner and proto.Size of the decoded records for the reference:
// they must be equal when b is encoded as proto.Marshal encodes what it
// decodes to, as every seed is, and may differ when it is not (a field
// repeated, a varint padded), which mutations make; all the rest must be
// equal either way.
func (sc signalScan) agree(t *testing.T, b []byte) {
	t.Helper()
	want, werr := sc.reference(b)
	scanner := infer.New()
	canonical := werr == nil && sc.canonical(b)
	for round := 0; round < 2; round++ {
		got, gerr := sc.scan(scanner, b)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("proto.Unmarshal error %v, scan error %v", werr, gerr)
		}
		if werr != nil {
			return
		}
		if !canonical {
			want, got = withoutRecordBytes(want), withoutRecordBytes(got)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("the scan disagrees with the decoded reference:\n got %s\nwant %s", describe(got), describe(want))
		}
	}
}

// canonical reports whether b is what proto.Marshal makes of what
// proto.Unmarshal makes of it.
func (sc signalScan) canonical(b []byte) bool {
	m := sc.message()
	if proto.Unmarshal(b, m) != nil {
		return false
	}
	again, err := proto.Marshal(m)
	return err == nil && bytes.Equal(again, b)
}

// withoutRecordBytes is res with its observations' RecordBytes zeroed, in
// a copy of its observations.
func withoutRecordBytes(res ingest.Result) ingest.Result {
	res.Observations = slices.Clone(res.Observations)
	for i := range res.Observations {
		res.Observations[i].RecordBytes = 0
	}
	return res
}

// mutations runs agree on n seeded random byte edits of the seeds.
func (sc signalScan) mutations(t *testing.T, n int) {
	r := rand.New(rand.NewPCG(3, 4))
	var small [][]byte
	for _, b := range sc.seeds(t) {
		if len(b) > 0 && len(b) < 16<<10 {
			small = append(small, b)
		}
	}
	for range n {
		b := append([]byte(nil), small[r.IntN(len(small))]...)
		for range 1 + r.IntN(4) {
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
		sc.agree(t, b)
	}
}

func TestScanTracesAgreesWithUnmarshal(t *testing.T) {
	for _, b := range traceSeeds(t) {
		tracesScan.agree(t, b)
	}
}

func TestScanLogsAgreesWithUnmarshal(t *testing.T) {
	for _, b := range logSeeds(t) {
		logsScan.agree(t, b)
	}
}

// TestScanSignalsAgreeOnMutations is the quick, deterministic cousin of
// the fuzz tests, for every test run.
func TestScanSignalsAgreeOnMutations(t *testing.T) {
	tracesScan.mutations(t, 3000)
	logsScan.mutations(t, 3000)
}

// FuzzScanTracesAgreesWithUnmarshal: on every input the span scanner
// accepts or refuses what proto.Unmarshal does, and infers the same
// observations as inference on the decoded request.
func FuzzScanTracesAgreesWithUnmarshal(f *testing.F) {
	for _, b := range traceSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { tracesScan.agree(t, b) })
}

// FuzzScanLogsAgreesWithUnmarshal is FuzzScanTracesAgreesWithUnmarshal for
// the log scanner.
func FuzzScanLogsAgreesWithUnmarshal(f *testing.F) {
	for _, b := range logSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { logsScan.agree(t, b) })
}
