package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers/consumerstest"
)

// alertsFile writes a Prometheus rule file of n alerts into dir.
func alertsFile(t *testing.T, dir string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("groups:\n  - name: checkout\n    rules:\n")
	for i := range n {
		b.WriteString(alert(fmt.Sprintf("Slow%d", i), fmt.Sprintf("histogram_quantile(0.9, rate(http_server_request_duration_seconds_bucket[5m])) > %d", i)))
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConsumersSyncRefusesToEmptyAnOrigin: a folder emptied, or one that
// would lose more than half of twelve rules at once, is not synced (exit
// 2, its stored consumers kept, stderr says what and that --prune
// allows it); losing half is synced; with --prune the emptying is.
func TestConsumersSyncRefusesToEmptyAnOrigin(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	dir := t.TempDir()
	origin := "files:" + dir
	sync := func(wantCode int, wantOut, wantErr string, extra ...string) {
		t.Helper()
		code, out, errs := runCLI(append([]string{"consumers", "sync", "--catalog", url, "--rules", dir}, extra...)...)
		if code != wantCode || !strings.Contains(out, wantOut) || !strings.Contains(errs, wantErr) {
			t.Errorf("exit %d, want %d with %q and stderr %q:\n%s\nstderr %s", code, wantCode, wantOut, wantErr, out, errs)
		}
	}
	stored := func(want int) {
		t.Helper()
		if got := len(storedConsumers(t, url)); got != want {
			t.Errorf("%d consumers stored, want %d", got, want)
		}
	}

	alertsFile(t, dir, 12)
	sync(exitOK, origin+": 12 consumers: added 12", "")
	alertsFile(t, dir, 5)
	sync(exitTrouble, origin+": not synced, its stored consumers are kept as they were",
		"it would remove 7 of the 12 consumers the catalog keeps of it (5 read now), more than half; if that is meant, give --prune")
	stored(12)
	alertsFile(t, dir, 6)
	sync(exitOK, "removed 6", "")
	stored(6)

	if err := os.Remove(filepath.Join(dir, "rules.yml")); err != nil {
		t.Fatal(err)
	}
	sync(exitTrouble, origin+": not synced", "it would remove all 6 consumers the catalog keeps of it (0 read now)")
	sync(exitTrouble, "", "tallycat consumers forget --origin "+origin)
	stored(6)
	sync(exitOK, origin+": 0 consumers: added 0, updated 0, removed 6", "", "--prune")
	stored(0)
}

// TestConsumersSyncRefusesAnEmptyAnswer: a Prometheus that was synced and
// then answers with no rule (as one answers a token that may see none)
// is not synced unless --prune says the answer is meant.
func TestConsumersSyncRefusesAnEmptyAnswer(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	promURL, empty := consumerstest.Prometheus(t)
	origin := "prometheus:" + promURL
	sync := func(extra ...string) (int, string, string) {
		return runCLI(append([]string{"consumers", "sync", "--catalog", url, "--prometheus-url", promURL}, extra...)...)
	}
	if code, out, errs := sync(); code != exitOK {
		t.Fatalf("exit %d\n%s\nstderr %s", code, out, errs)
	}
	before := len(storedConsumers(t, url))
	empty.Store(true)
	code, out, errs := sync()
	if code != exitTrouble || !strings.Contains(out, origin+": not synced") || !strings.Contains(errs, "answered with no dashboard and no rule") ||
		!strings.Contains(errs, "give --prune") || len(storedConsumers(t, url)) != before {
		t.Errorf("an empty answer: exit %d, %d stored of %d\n%s\nstderr %s", code, len(storedConsumers(t, url)), before, out, errs)
	}
	if code, out, errs := sync("--prune"); code != exitOK || !strings.Contains(out, fmt.Sprintf("removed %d", before)) || len(storedConsumers(t, url)) != 0 {
		t.Errorf("an empty answer with --prune: exit %d\n%s\nstderr %s", code, out, errs)
	}
}
