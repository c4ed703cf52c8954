// Command semconvgen compiles a semantic conventions model directory (the
// `model/` folder of open-telemetry/semantic-conventions, or any registry in
// the same format) into the table of facts that internal/semconv embeds as
// its built-in registry: attributes, metrics, span definitions and events. `make semconv` runs it; the table is committed, so
// that the binary and the tests never need the YAML, and
// `make check-generated` runs it again to prove the table is fresh.
//
// The default model is the copy of v1.44.0 in third_party/semconv, so that
// a clean clone regenerates the same bytes without anything outside the
// repository. If internal/semconv/builtin.json is ever deleted, the package
// that this command imports no longer compiles: restore it from git first.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tallycat/tallycat/internal/semconv"
)

func main() {
	model := flag.String("model", "third_party/semconv/v1.44.0/model", "the model directory (or .zip, .tar.gz) to compile")
	out := flag.String("out", "internal/semconv/builtin.json", "the table to write")
	flag.Parse()
	if err := run(*model, *out); err != nil {
		fmt.Fprintln(os.Stderr, "semconvgen:", err)
		os.Exit(1)
	}
}

func run(model, out string) error {
	reg, err := semconv.Empty().Load(model)
	if err != nil {
		return err
	}
	data, err := reg.EncodeTable()
	if err != nil {
		return err
	}
	// Write beside the target and rename, so an interrupted run never
	// leaves a half table that no longer compiles into a registry.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".semconvgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Printf("semconvgen: %s: %d metrics, %d span definitions, %d events, %d attributes, %d bytes\n",
		out, len(reg.Metrics()), len(reg.Spans()), len(reg.Events()), len(reg.Attributes()), len(data))
	return nil
}
