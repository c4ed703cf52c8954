package main

import (
	"strings"
	"testing"
)

// TestConsumersListAndForget: `consumers list` prints each origin with
// its counts; an origin whose path changed stays until `consumers
// forget` removes it, and only it; an origin the catalog does not keep
// is trouble (2), naming those it keeps.
func TestConsumersListAndForget(t *testing.T) {
	url := catalogWith(t, failedRequests()...)
	old, moved := t.TempDir(), t.TempDir()
	alertsFile(t, old, 3)
	alertsFile(t, moved, 3)
	for _, dir := range []string{old, moved} {
		if code, out, errs := runCLI("consumers", "sync", "--catalog", url, "--rules", dir); code != exitOK {
			t.Fatalf("sync %s: exit %d\n%s\nstderr %s", dir, code, out, errs)
		}
	}

	code, out, errs := runCLI("consumers", "list", "--catalog", url)
	if code != exitOK || !strings.Contains(out, "ORIGIN") || strings.Count(out, "\n") != 3 {
		t.Fatalf("list: exit %d\n%s\nstderr %s", code, out, errs)
	}
	for _, dir := range []string{old, moved} {
		if fields := lineOf(out, "files:"+dir); len(fields) != 6 || fields[1] != "3" || fields[3] != "3" || fields[2] != "0" {
			t.Errorf("list, %s: %q in\n%s", dir, fields, out)
		}
	}

	code, out, errs = runCLI("consumers", "forget", "--catalog", url, "--origin", "files:"+old)
	if code != exitOK || out != "files:"+old+": removed 3 consumers\n" {
		t.Errorf("forget: exit %d\n%s\nstderr %s", code, out, errs)
	}
	if list := storedConsumers(t, url); len(list) != 3 || fromSource(list, "files:"+moved, moved+"/rules.yml") != 3 {
		t.Errorf("stored after forgetting %s:\n%s", old, strings.Join(list, "\n"))
	}

	code, _, errs = runCLI("consumers", "forget", "--catalog", url, "--origin", "files:"+old)
	if code != exitTrouble || !strings.Contains(errs, "keeps no consumer of origin \"files:"+old+"\"") || !strings.Contains(errs, "files:"+moved) {
		t.Errorf("forget again: exit %d, stderr %s", code, errs)
	}
	if code, _, errs := runCLI("consumers", "forget", "--catalog", url); code != exitTrouble || !strings.Contains(errs, "give --origin") {
		t.Errorf("forget without --origin: exit %d, stderr %s", code, errs)
	}
	if list := storedConsumers(t, url); len(list) != 3 {
		t.Errorf("%d stored after refused forgets, want 3", len(list))
	}
}

// lineOf is the fields of the line of out that starts with prefix.
func lineOf(out, prefix string) []string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return strings.Fields(l)
		}
	}
	return nil
}
