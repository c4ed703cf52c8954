package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun regenerates the table into a temporary file and compares it with
// the committed one, as `make check-generated` does with git.
func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "builtin.json")
	if err := run("../../../third_party/semconv/v1.44.0/model", out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../semconv/builtin.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/semconv/builtin.json is stale: run `make semconv` and commit it")
	}
}

// TestRunBrokenModel checks that a model that does not resolve writes no
// table and says where the problem is.
func TestRunBrokenModel(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	if err := os.Mkdir(model, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(model, "m.yaml"), []byte("groups:\n  - id: g\n    type: attribute_group\n    brief: G.\n    extends: nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "builtin.json")
	err := run(model, out)
	if err == nil || !strings.Contains(err.Error(), "m.yaml:5") {
		t.Errorf("error %v, want one naming m.yaml:5", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a table was written: %v", err)
	}
}
