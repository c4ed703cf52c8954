package otlp_test

import (
	"context"
	"sync"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// sink is a Consumer test double: it infers what it is given, keeps the
// results, and answers with err when set.
type sink struct {
	mu       sync.Mutex
	inferrer *infer.Inferrer
	results  []ingest.Result
	signals  []schemaid.Signal // of every request consumed
	err      error
}

func newSink() *sink { return &sink{inferrer: infer.New()} }

func (s *sink) Consume(_ context.Context, req ingest.Request) (ingest.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return ingest.Result{}, s.err
	}
	s.signals = append(s.signals, req.Signal)
	res, err := s.inferrer.Request(req)
	if err != nil {
		return ingest.Result{}, err
	}
	s.results = append(s.results, res)
	return res, nil
}

// shapes returns variant id → data points over everything consumed.
func (s *sink) shapes() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]uint64{}
	for _, r := range s.results {
		for _, o := range r.Observations {
			out[o.VariantID] += o.DataPoints
		}
	}
	return out
}

// errorCount is the spans with status error over everything consumed.
func (s *sink) errorCount() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n uint64
	for _, r := range s.results {
		for _, o := range r.Observations {
			n += o.Errors
		}
	}
	return n
}
