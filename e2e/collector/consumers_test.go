//go:build collector

package collector

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/testenv"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

// consumersTestdata holds dashboards and rules other projects wrote for
// the Prometheus names of OpenTelemetry metrics, and a request a real
// Collector's hostmetrics receiver sent.
const consumersTestdata = "../../internal/consumers/testdata"

// TestCollectorDropsWhatNobodyReads is the end-to-end case of
// docs/CONSUMERS.md's "Dropping what nobody reads": a real Collector
// receives a captured hostmetrics request and its own telemetry (exported
// through its own OTLP receiver) and passes them to the ingest; the
// OpenTelemetry demo's dashboards and alert rules, Perses' community
// dashboards and a Prometheus rule file for the Collector, synced with
// `tallycat consumers sync`, are read against what it sent; then
// `tallycat collector-config --drop-unused` is run in a second Collector
// in front of the ingest, and what leaves it (its debug exporter's output)
// and what reaches the catalog lack the unused metrics and attributes and
// keep every metric and attribute a query reads. A counter of its own,
// read by route only, has its pod folded away: the points of one route
// leave added up, one per route.
func TestCollectorDropsWhatNobodyReads(t *testing.T) {
	otelcol := os.Getenv("TALLYCAT_OTELCOL")
	if otelcol == "" {
		t.Fatal("$TALLYCAT_OTELCOL names no Collector: run `make test-collector`")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", bin+"/", "./services/catalog/cmd/tallycat-catalog", "./services/ingest/cmd/tallycat-ingest", "./cmd/tallycat")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the binaries: %v\n%s", err, out)
	}
	catalogAddr, ingestGRPC, ingestHTTP := testenv.FreeAddr(t), testenv.FreeAddr(t), testenv.FreeAddr(t)
	catalogURL := "http://" + catalogAddr
	start(t, filepath.Join(bin, "tallycat-catalog"), catalogAddr, "--listen", catalogAddr, "--db", ":memory:",
		"--price-per-1k-series-month", "3", "--price-per-million-points", "0.5")
	start(t, filepath.Join(bin, "tallycat-ingest"), ingestGRPC, "--catalog-url", catalogURL,
		"--otlp-grpc-listen", ingestGRPC, "--otlp-http-listen", ingestHTTP, "--flush-interval", "200ms")
	schemas := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, catalogURL)
	uses := tallycatv1connect.NewConsumerServiceClient(http.DefaultClient, catalogURL)

	// (a) The catalog, fed through a Collector without TallyCat's
	// processors: the hostmetrics request and the Collector's own metrics.
	var before sentMetrics
	t.Run("through a Collector that drops nothing", func(t *testing.T) {
		log, httpAddr := startCollector(t, otelcol, dir, "plain", "", ingestGRPC)
		postHostmetrics(t, httpAddr)
		postCheckoutRequests(t, httpAddr, "plain")
		testenv.Eventually(t, 30*time.Second, "the host metrics and the Collector's own in the catalog", func() error {
			res, err := schemas.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 1000})
			if err != nil {
				return err
			}
			var keys []string
			for _, k := range res.SchemaKeys {
				keys = append(keys, k.SchemaKey)
			}
			for _, want := range []string{"system.cpu.time", "system.network.io", "system.paging.faults",
				"otelcol_process_uptime", "otelcol_receiver_accepted_metric_points", "otelcol_exporter_sent_metric_points", checkoutRequests, checkoutQueue} {
				if !slices.Contains(keys, want) {
					return fmt.Errorf("no %s among %q", want, keys)
				}
			}
			return nil
		})
		before = parseDebugMetrics(log.String())
	})

	// (b) The dashboards and rules, read against it; and a rule of our
	// own reading the checkout counter by route alone.
	checkoutRule := filepath.Join(dir, "checkout-rules.yml")
	if err := os.WriteFile(checkoutRule, []byte(`groups:
  - name: checkout
    rules:
      - alert: CheckoutRouteDown
        expr: sum by (route) (rate(e2e_checkout_requests_total[5m])) == 0
      - alert: CheckoutQueueLong
        expr: max by (route) (e2e_checkout_queue_depth) > 100
`), 0o644); err != nil {
		t.Fatal(err)
	}
	sync := exec.Command(filepath.Join(bin, "tallycat"), "consumers", "sync", "--catalog", catalogURL,
		"--dashboards", consumersTestdata+"/grafana/provisioning", "--dashboards", consumersTestdata+"/perses",
		"--rules", consumersTestdata+"/prometheus/opentelemetry-collector.yml", "--rules", checkoutRule)
	if out, err := sync.CombinedOutput(); err != nil {
		t.Fatalf("tallycat consumers sync: %v\n%s", err, out)
	}
	cpu, err := uses.GetUsage(ctx, &tallycatv1.GetUsageRequest{SchemaKey: "system.cpu.time"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(cpu.Attributes, func(a *tallycatv1.AttributeUsage) bool {
		return a.Attribute == "state" && slices.Contains(a.Labels, "state")
	}) || len(cpu.Readers) == 0 {
		t.Errorf("system_cpu_time_seconds_total by state is not read as system.cpu.time's state: %v", cpu)
	}
	accepted, err := uses.GetUsage(ctx, &tallycatv1.GetUsageRequest{SchemaKey: "otelcol_receiver_accepted_metric_points"})
	if err != nil || len(accepted.Readers) == 0 {
		t.Errorf("otelcol_receiver_accepted_metric_points_total is not read as the Collector's own metric: %v, %v", accepted, err)
	}
	findings := consumerFindings(t, uses)
	if !slices.ContainsFunc(findings, func(f *tallycatv1.ConsumerFinding) bool {
		return f.FindingId == "consumer_missing_metric" && f.Metric == "system_cpu_utilization_ratio" &&
			f.GetConsumer().GetTitle() == "Linux" && strings.HasSuffix(f.GetQuery().GetPanel(), "CPU Busy")
	}) {
		t.Errorf("the Linux dashboard's CPU Busy panel, on a metric this Collector does not send, is no consumer_missing_metric")
	}
	unusedMetrics, unusedAttributes := map[string]bool{}, map[string][]string{}
	for _, f := range findings {
		switch f.FindingId {
		case "unused_metric":
			unusedMetrics[f.SchemaKey] = true
		case "unused_attribute":
			unusedAttributes[f.SchemaKey] = append(unusedAttributes[f.SchemaKey], f.Attribute)
		}
	}
	for _, key := range []string{"system.paging.faults", "system.processes.count", "system.network.connections", "otelcol_process_runtime_total_alloc_bytes"} {
		if !unusedMetrics[key] {
			t.Errorf("%s, which no dashboard or rule reads, is no unused_metric: %v", key, unusedMetrics)
		}
	}
	// The Collector's exporter metrics say which signal's queue they
	// count; the dashboards group its in-flight requests by exporter only.
	if !slices.Contains(unusedAttributes["otelcol_exporter_in_flight_requests"], "data_type") {
		t.Fatalf("otelcol_exporter_in_flight_requests' data_type, which no query on it uses, is no unused_attribute: %v", unusedAttributes)
	}
	if !slices.Equal(unusedAttributes[checkoutRequests], []string{"pod"}) {
		t.Fatalf("the checkout counter's unused attributes are %q, want its pod alone", unusedAttributes[checkoutRequests])
	}
	// What a query reads: each read key, with the attributes queries name
	// (all of them when a query lets every label through).
	read := map[string][]string{}
	for key := range before {
		u, err := uses.GetUsage(ctx, &tallycatv1.GetUsageRequest{SchemaKey: key})
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Readers) == 0 {
			continue
		}
		read[key] = []string{}
		for a := range before[key] {
			if u.AllAttributes || slices.ContainsFunc(u.Attributes, func(au *tallycatv1.AttributeUsage) bool { return au.Attribute == a }) {
				read[key] = append(read[key], a)
			}
		}
	}
	if len(read) == 0 {
		t.Fatal("no key the Collector sent is read")
	}

	// (c) The generated processors, in a second Collector.
	config := filepath.Join(dir, "tallycat-processors.yaml")
	gen := exec.Command(filepath.Join(bin, "tallycat"), "collector-config", "--catalog", catalogURL, "--drop-unused", "--out", config)
	var genErr bytes.Buffer
	gen.Stderr = &genErr
	if out, err := gen.Output(); err != nil {
		t.Fatalf("tallycat collector-config --drop-unused: %v\n%s%s", err, out, genErr.String())
	}
	if !regexp.MustCompile(`^drops \d+ metrics? and \d+ attributes?: about [\d,]+ series and [\d.,]+( million)? data points a month, \d+\.\d\d a month under the price model\n$`).MatchString(genErr.String()) {
		t.Errorf("savings on stderr: %q", genErr.String())
	}
	processors, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	// An unused attribute is deleted where its metric's points fold by
	// adding (a sum, a histogram); on any other metric the header says it
	// is kept, and why, and the catalog agrees that one of the metric's
	// current schemas does not fold.
	kept := keptAttributes(string(processors))
	for key, attrs := range kept {
		res, err := schemas.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: key})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res.Schemas, func(s *tallycatv1.Schema) bool {
			return s.MetricType == Gauge || s.MetricType == SummaryMetric
		}) {
			t.Errorf("%s keeps %q although no current schema of it is a gauge or a summary", key, attrs)
		}
	}
	if kept["otelcol_exporter_in_flight_requests"] != nil || kept[checkoutRequests] != nil {
		t.Errorf("sums keep their unused attributes: %v", kept)
	}
	if !slices.Equal(kept[checkoutQueue], []string{"pod"}) {
		t.Errorf("the checkout queue gauge keeps %q, want its pod, which adding would fold wrongly", kept[checkoutQueue])
	}
	var after sentMetrics
	t.Run("through a Collector that drops what nobody reads", func(t *testing.T) {
		log, httpAddr := startCollector(t, otelcol, dir, "dropping", string(processors), ingestGRPC)
		postHostmetrics(t, httpAddr)
		postCheckoutRequests(t, httpAddr, "dropping")
		testenv.Eventually(t, 30*time.Second, "every read metric through the dropping Collector", func() error {
			after = parseDebugMetrics(log.String())
			for key := range read {
				if _, ok := after[key]; !ok {
					return fmt.Errorf("no %s", key)
				}
			}
			return nil
		})
		// The pods of a route are added up: 3 + 4 requests on /cart,
		// 5 on /pay, one point each, the same moment they were sent.
		got := debugSumPoints(log.String(), checkoutRequests)
		want := map[string]int64{"route=/cart": 7, "route=/pay": 5}
		if len(got) != len(want) || got["route=/cart"] != want["route=/cart"] || got["route=/pay"] != want["route=/pay"] {
			t.Errorf("%s left the Collector as %v, want %v", checkoutRequests, got, want)
		}
		// The gauge's points leave as they came.
		if got, want := debugSumPoints(log.String(), checkoutQueue), map[string]int64{"route=/cart,pod=a": 3, "route=/cart,pod=b": 4, "route=/pay,pod=a": 5}; !maps.Equal(got, want) {
			t.Errorf("%s left the Collector as %v, want %v", checkoutQueue, got, want)
		}
		// The catalog, while the Collector still sends: each metric
		// whose unused attributes were deleted gets a new schema
		// without them.
		for key, attrs := range unusedAttributes {
			if _, sent := before[key]; !sent || kept[key] != nil {
				continue
			}
			testenv.Eventually(t, 20*time.Second, "a schema of "+key+" without "+strings.Join(attrs, ", "), func() error {
				res, err := schemas.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: key, IncludeSuperseded: true})
				if err != nil {
					return err
				}
				for _, s := range res.Schemas {
					if !slices.ContainsFunc(s.Fields, func(f *tallycatv1.Field) bool { return f.Source == DataPoint && slices.Contains(attrs, f.Name) }) {
						return nil
					}
				}
				return fmt.Errorf("%d schemas, each with one of them", len(res.Schemas))
			})
		}
	})
	for key := range unusedMetrics {
		if _, ok := before[key]; ok && after[key] != nil {
			t.Errorf("%s, which no dashboard or rule reads, left the Collector", key)
		}
	}
	for key, attrs := range unusedAttributes {
		for _, a := range attrs {
			if after[key][a] && !slices.Contains(kept[key], a) {
				t.Errorf("%s left the Collector with %s, which no query on it uses", key, a)
			}
		}
	}
	for key, attrs := range read {
		for _, a := range attrs {
			if !after[key][a] {
				t.Errorf("%s left the Collector without %s, which a query reads", key, a)
			}
		}
	}
	if t.Failed() {
		t.Logf("read: %v\nunused metrics: %v\nunused attributes: %v\nkept: %v\nthe generated processors:\n%s", read, unusedMetrics, unusedAttributes, kept, processors)
	}
}

// consumerFindings lists every finding of the stored consumers.
func consumerFindings(t *testing.T, c tallycatv1connect.ConsumerServiceClient) []*tallycatv1.ConsumerFinding {
	t.Helper()
	var out []*tallycatv1.ConsumerFinding
	token := ""
	for {
		res, err := c.ListConsumerFindings(context.Background(), &tallycatv1.ListConsumerFindingsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Findings...)
		if token = res.NextPageToken; token == "" {
			return out
		}
	}
}

// startCollector runs the Collector until the test ends: an OTLP receiver
// (gRPC and HTTP) whose metrics pipeline runs processors (a `processors:`
// fragment naming filter/tallycat and transform/tallycat; none when
// empty) and exports to the ingest and to the debug exporter, whose
// output it returns with the receiver's HTTP address. The Collector's own
// metrics are exported every half second to its own receiver, so that
// they go through the same processors as the host metrics, as release
// 0.161.0-NAME of the Collector: the catalog pools a release's instances
// into one schema, so a Collector that drops an attribute must be another
// release for the catalog to show a schema without it.
func startCollector(t *testing.T, otelcol, dir, name, processors, ingest string) (*syncBuffer, string) {
	t.Helper()
	grpcAddr, httpAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	pipeline := ""
	if processors != "" {
		pipeline = "      processors: [filter/tallycat, transform/tallycat]\n"
	}
	config := processors + fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: %[1]s
      http:
        endpoint: %[2]s
exporters:
  otlp:
    endpoint: %[3]s
    tls:
      insecure: true
  debug:
    verbosity: detailed
service:
  telemetry:
    resource:
      service.version: 0.161.0-%[5]s
    logs:
      level: info
    metrics:
      readers:
        - periodic:
            interval: 500
            exporter:
              otlp:
                protocol: http/protobuf
                endpoint: http://%[2]s/v1/metrics
  pipelines:
    metrics:
      receivers: [otlp]
%[4]s      exporters: [otlp, debug]
`, grpcAddr, httpAddr, ingest, pipeline, name)
	file := filepath.Join(dir, "otelcol-"+name+".yaml")
	if err := os.WriteFile(file, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(otelcol, "validate", "--config", file).CombinedOutput(); err != nil {
		t.Fatalf("otelcol validate: %v\n%s\n%s", err, out, config)
	}
	return startLogged(t, otelcol, httpAddr, "--config", file), httpAddr
}

// postHostmetrics posts the captured hostmetrics request, OTLP/JSON, to an
// OTLP/HTTP receiver.
func postHostmetrics(t *testing.T, httpAddr string) {
	t.Helper()
	body, err := os.ReadFile(consumersTestdata + "/otlp/collector-hostmetrics.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+httpAddr+"/v1/metrics", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("posting the hostmetrics request: %s", resp.Status)
	}
}

// sentMetrics is what left a Collector: by metric name, the data point
// attribute keys its data points carried.
type sentMetrics map[string]map[string]bool

// parseDebugMetrics reads the debug exporter's detailed output: each
// metric's name follows "Descriptor:", and each data point's attributes
// follow "Data point attributes:", one "-> key: Type(value)" a line.
func parseDebugMetrics(log string) sentMetrics {
	out := sentMetrics{}
	attr := regexp.MustCompile(`^\s+-> (.+?): [A-Za-z]+\(`)
	var metric, prev string
	inAttributes := false
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(prev) == "Descriptor:" && strings.Contains(line, "-> Name: "):
			metric = strings.TrimSpace(strings.SplitN(line, "-> Name: ", 2)[1])
			if out[metric] == nil {
				out[metric] = map[string]bool{}
			}
		case strings.TrimSpace(line) == "Data point attributes:":
			inAttributes = true
		case inAttributes && attr.MatchString(line):
			out[metric][attr.FindStringSubmatch(line)[1]] = true
		default:
			inAttributes = false
		}
		prev = line
	}
	return out
}

// syncBuffer is a buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLogged runs a program until the test ends, as start does, and
// returns what it writes, for the test to read while it runs.
func startLogged(t *testing.T, program, addr string, args ...string) *syncBuffer {
	t.Helper()
	log := &syncBuffer{}
	cmd := exec.Command(program, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s log (the last 20,000 bytes):\n%s", filepath.Base(program), tail(log.String(), 20000))
		}
	})
	testenv.Eventually(t, 30*time.Second, program+" listening on "+addr, func() error {
		select {
		case err := <-done:
			t.Fatalf("%s exited at start: %v\n%s", program, err, log.String())
		default:
		}
		return dial(addr)
	})
	return log
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// dial reports whether addr accepts connections.
func dial(addr string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}
