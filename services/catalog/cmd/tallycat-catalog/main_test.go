package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/consumers"
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

// TestConsumersPull: a catalog given a folder of dashboards reads it at
// start and keeps its dashboards, as a sync would (ListConsumers lists
// them under the folder's origin); a file added to it is read at the next
// pull.
func TestConsumersPull(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"linux-dashboard.json", "opentelemetry-collector.json"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "internal/consumers/testdata/grafana/provisioning/dashboards/demo", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, url, _ := startMainWith(t, "--db", ":memory:", "--consumers-dashboards", dir, "--consumers-interval", "200ms")
	client := tallycatv1connect.NewConsumerServiceClient(http.DefaultClient, url)
	list := func() ([]*tallycatv1.Consumer, error) {
		res, err := client.ListConsumers(context.Background(), &tallycatv1.ListConsumersRequest{})
		if err != nil {
			return nil, err
		}
		return res.Consumers, nil
	}
	testenv.Eventually(t, 10*time.Second, "the folder's dashboards are listed", func() error {
		cs, err := list()
		if err != nil {
			return err
		}
		var titles []string
		for _, c := range cs {
			if c.Origin != "files:"+dir || c.Kind != tallycatv1.ConsumerKind_CONSUMER_KIND_DASHBOARD || c.QueryCount == 0 {
				return fmt.Errorf("%s %q: origin %q, kind %s, %d queries", c.Source, c.Title, c.Origin, c.Kind, c.QueryCount)
			}
			titles = append(titles, c.Title)
		}
		if len(cs) != 2 {
			return fmt.Errorf("%d consumers: %v", len(cs), titles)
		}
		return nil
	})

	rules, err := os.ReadFile(filepath.Join(repoRoot, "internal/consumers/testdata/prometheus/opentelemetry-collector.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "a rule file added is pulled", func() error {
		cs, err := list()
		if err != nil {
			return err
		}
		alerts := 0
		for _, c := range cs {
			if c.Kind == tallycatv1.ConsumerKind_CONSUMER_KIND_ALERT_RULE && c.Source == filepath.Join(dir, "rules.yml") {
				alerts++
			}
		}
		if alerts == 0 || len(cs) != 2+alerts {
			return fmt.Errorf("%d consumers, %d alert rules of rules.yml", len(cs), alerts)
		}
		return nil
	})
}

// TestConsumersFlags: list flags repeat or take commas, from the
// environment too; a value that cannot work stops the start, naming its
// flag.
func TestConsumersFlags(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	t.Setenv("TALLYCAT_CONSUMERS_NAMESPACE", "shop,ops")
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags([]string{"--consumers-dashboards", a + "," + b, "--consumers-rules", a, "--consumers-rules", b}); err != nil {
		t.Fatal(err)
	}
	c := m.Config
	if len(c.ConsumersDashboards) != 2 || len(c.ConsumersRules) != 2 || strings.Join(c.ConsumersNamespaces, " ") != "shop ops" || c.ConsumersInterval != 5*time.Minute {
		t.Errorf("config: dashboards %v, rules %v, namespaces %v, interval %s", c.ConsumersDashboards, c.ConsumersRules, c.ConsumersNamespaces, c.ConsumersInterval)
	}
	for _, args := range [][]string{
		{"--consumers-interval", "0s"},
		{"--cost-figure-age", "-1s"},
		{"--consumers-dashboards", filepath.Join(a, "nope")},
		{"--consumers-rules", filepath.Join(a, "nope")},
		{"--consumers-grafana-url", "grafana:3000"},
		{"--consumers-prometheus-url", "/prometheus"},
	} {
		err := (&Main{Config: DefaultConfig()}).ParseFlags(args)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v = %v, want an error naming %s", args, err, args[0])
		}
	}
}

// leading is a shared store's lead, as a test sets it.
type leading bool

func (l *leading) Leading(context.Context) bool { return bool(*l) }

// TestConsumersPullLeaderOnly: on a store replicas share, a replica that
// does not lead does not pull (each Grafana is read once an interval, not
// once per replica); the leader does.
func TestConsumersPullLeaderOnly(t *testing.T) {
	ctx := context.Background()
	store, err := openStore(ctx, ":memory:", catalog.CostConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	uses := consumers.New(store, consumers.Options{})
	c := DefaultConfig()
	c.ConsumersRules = []string{filepath.Join(repoRoot, "internal/consumers/testdata/prometheus/opentelemetry-collector.yml")}
	pull := newConsumerPull(c, store, uses)
	lead := leading(false)
	pull.leader = &lead
	stored := func() int {
		_, n, _, err := uses.ListConsumers(ctx, consumers.ConsumerFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	pull.pull(ctx)
	if n := stored(); n != 0 {
		t.Errorf("a replica that does not lead pulled %d consumers", n)
	}
	lead = true
	pull.pull(ctx)
	if n := stored(); n == 0 {
		t.Error("the leader pulled nothing")
	}
}
