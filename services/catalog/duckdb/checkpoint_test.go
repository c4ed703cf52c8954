package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
)

// TestCheckpointsOffTheWritePath: a commit never checkpoints the log
// below mustCheckpointAt; once the writer is idle the checkpointer
// empties the log, and what was written reads back after a reopen; past
// mustCheckpointAt the writer checkpoints before its write returns.
func TestCheckpointsOffTheWritePath(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.duckdb")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	walSize := func() int64 {
		fi, err := os.Stat(path + ".wal")
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	s.ckpt.mu.Lock()
	s.ckpt.at, s.ckpt.idle = 1, 300*time.Millisecond
	s.ckpt.mu.Unlock()
	record := func(i int) {
		t.Helper()
		o := catalogtest.UserObservation(time.Now())
		o.Shape.Name = fmt.Sprintf("checkpoint.metric_%d", i)
		if _, err := s.RecordObservations(ctx, "", []catalog.Observation{o}); err != nil {
			t.Fatal(err)
		}
	}

	record(0)
	if walSize() == 0 {
		t.Fatal("the write left no log: it was checkpointed on the write path")
	}
	deadline := time.Now().Add(10 * time.Second)
	for walSize() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := walSize(); n > 0 {
		t.Fatalf("the log holds %d bytes 10 s after the last write: the idle writer's log was not checkpointed", n)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after a checkpoint: %v", err)
	}

	// Past must, the write that passed it checkpoints.
	s.ckpt.mu.Lock()
	s.ckpt.at, s.ckpt.must, s.ckpt.idle = 1, 1, time.Hour
	s.ckpt.mu.Unlock()
	record(1)
	if n := walSize(); n > 0 {
		t.Fatalf("the log holds %d bytes after a write past the forced size", n)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	if schemas, err := s.ListSchemas(ctx, "checkpoint.metric_1", false); err != nil || len(schemas) != 1 {
		t.Fatalf("after reopening, ListSchemas(checkpoint.metric_1) = %d schemas, %v; want 1", len(schemas), err)
	}
}
