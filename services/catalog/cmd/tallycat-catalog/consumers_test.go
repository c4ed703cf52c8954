package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers/consumerstest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// TestConsumersPullRefusesToEmptyAnOrigin: a pulled folder emptied, or a
// Prometheus answering with no rule, is not synced: each stored consumer
// stays, and the log names the origin and --consumers-prune; with
// --consumers-prune both are synced empty.
func TestConsumersPullRefusesToEmptyAnOrigin(t *testing.T) {
	ctx := context.Background()
	store, err := openStore(ctx, ":memory:", catalog.CostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))

	promURL, empty := consumerstest.Prometheus(t)
	dir := t.TempDir()
	file, err := os.ReadFile(filepath.Join(repoRoot, "internal/consumers/testdata/prometheus/opentelemetry-collector.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), file, 0o644); err != nil {
		t.Fatal(err)
	}

	uses := consumers.New(store, consumers.Options{})
	c := DefaultConfig()
	c.ConsumersRules, c.ConsumersPrometheusURL = []string{dir}, promURL
	byOrigin := func() map[string]int {
		all, err := store.ListConsumers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, c := range all {
			n[c.Origin]++
		}
		return n
	}
	newConsumerPull(c, store, uses).pull(ctx)
	before := byOrigin()
	if before["files:"+dir] == 0 || before["prometheus:"+promURL] == 0 {
		t.Fatalf("pulled %v", before)
	}

	if err := os.Remove(filepath.Join(dir, "rules.yml")); err != nil {
		t.Fatal(err)
	}
	empty.Store(true)
	newConsumerPull(c, store, uses).pull(ctx)
	if after := byOrigin(); len(after) != 2 || after["files:"+dir] != before["files:"+dir] || after["prometheus:"+promURL] != before["prometheus:"+promURL] {
		t.Errorf("stored after an emptied folder and an empty answer: %v, want %v", after, before)
	}
	for _, want := range []string{"it would remove all", "files:" + dir, "the origin answered with none", "prometheus:" + promURL} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in the log:\n%s", want, logs.String())
		}
	}
	if n := strings.Count(logs.String(), "--consumers-prune"); n < 2 {
		t.Errorf("the log names --consumers-prune %d times, want once per origin refused:\n%s", n, logs.String())
	}

	c.ConsumersPrune = true
	newConsumerPull(c, store, uses).pull(ctx)
	if after := byOrigin(); len(after) != 0 {
		t.Errorf("stored after a pull with --consumers-prune: %v, want nothing", after)
	}
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags([]string{"--consumers-prune"}); err != nil || !m.Config.ConsumersPrune || DefaultConfig().ConsumersPrune {
		t.Errorf("--consumers-prune: %v, %v; off by default", m.Config.ConsumersPrune, err)
	}
}
