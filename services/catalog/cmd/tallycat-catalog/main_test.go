package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// repoRoot is where the README and web/node_modules are.
const repoRoot = "../../../.."

// startMain runs the catalog in-process on a free port with the database at
// db, and returns its base URL and a function that stops it as SIGTERM would.
func startMain(t *testing.T, db string) (string, func()) {
	t.Helper()
	_, url, stop := startMainWith(t, "--db", db)
	return url, stop
}

// startMainWith is startMain with more flags, and returns the running Main
// too.
func startMainWith(t *testing.T, args ...string) (*Main, string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags(append([]string{"--listen", addr, "--ui-dir", t.TempDir()}, args...)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	url := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("catalog did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(stop)
	return m, url, stop
}

// TestREADMEExamples runs the README's buf curl examples, as written but for
// the address, against a real catalog, then restarts it on the same file and
// checks that everything they wrote is still there.
func TestREADMEExamples(t *testing.T) {
	buf, err := filepath.Abs(filepath.Join(repoRoot, "web/node_modules/.bin/buf"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(buf); err != nil {
		t.Fatalf("buf is not installed (%v): run `make tools` first", err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var script string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		if strings.Contains(m[1], "buf curl") {
			script = m[1]
			break
		}
	}
	if script == "" {
		t.Fatal("README has no sh block with buf curl examples")
	}

	db := filepath.Join(t.TempDir(), "catalog.duckdb")
	url, stop := startMain(t, db)
	run := func(script string) string {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", strings.ReplaceAll(script, "http://localhost:8080", url))
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(buf)+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README examples failed: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run(script)
	for _, want := range []string{`"newSchemas": 1`, `"schemaCount": 1`, `"version": "1.0.0"`, `"actor": "alice@example.com"`,
		`"status": "VERSION_STATUS_DEPRECATED"`, `"identical": true`, `"status": "SERVING"`, `"serviceName": "checkout"`} {
		if !strings.Contains(out, want) {
			t.Errorf("README examples' output lacks %s:\n%s", want, out)
		}
	}

	stop()
	url, _ = startMain(t, db)
	out = run(`buf curl --data '{"schema_id": "475638086b255e8ca83611d6b8f67e7f"}' http://localhost:8080/tallycat.v1.CatalogService/GetSchema`)
	for _, want := range []string{`"status": "VERSION_STATUS_DEPRECATED"`, `"serviceName": "checkout"`, `"dataPointCount": "5"`} {
		if !strings.Contains(out, want) {
			t.Errorf("after a restart GetSchema lacks %s:\n%s", want, out)
		}
	}
}

func TestEnvTwinsAndFlags(t *testing.T) {
	t.Setenv("TALLYCAT_DB", "/tmp/from-env.duckdb")
	t.Setenv("TALLYCAT_LISTEN", ":9999")
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags([]string{"--listen", ":7777"}); err != nil {
		t.Fatal(err)
	}
	if m.Config.DB != "/tmp/from-env.duckdb" || m.Config.Listen != ":7777" {
		t.Errorf("config = %+v: want the env for --db and the flag over the env for --listen", m.Config)
	}
	t.Setenv("TALLYCAT_SHUTDOWN_GRACE", "soon")
	if err := (&Main{Config: DefaultConfig()}).ParseFlags(nil); err == nil || !strings.Contains(err.Error(), "TALLYCAT_SHUTDOWN_GRACE") {
		t.Errorf("a bad env value = %v, want an error naming it", err)
	}
}

func TestCostFlags(t *testing.T) {
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags(nil); err != nil || m.Config.HighCardinalityThreshold != 1000 || m.Config.MaxValues != 100 {
		t.Errorf("defaults = %d, %d (%v); want a threshold of 1,000 and 100 values", m.Config.HighCardinalityThreshold, m.Config.MaxValues, err)
	}
	t.Setenv("TALLYCAT_MAX_VALUES", "20")
	if err := m.ParseFlags([]string{"--high-cardinality-threshold", "50"}); err != nil || m.Config.HighCardinalityThreshold != 50 || m.Config.MaxValues != 20 {
		t.Errorf("flag and env = %d, %d (%v); want 50 and 20", m.Config.HighCardinalityThreshold, m.Config.MaxValues, err)
	}
	for _, bad := range []string{"0", "1001"} {
		if err := (&Main{Config: DefaultConfig()}).ParseFlags([]string{"--max-values", bad}); err == nil || !strings.Contains(err.Error(), "--max-values") {
			t.Errorf("--max-values %s = %v, want an error naming the flag", bad, err)
		}
	}
}
