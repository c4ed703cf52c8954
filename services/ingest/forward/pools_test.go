package forward

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// A release's instances share their cost figures in the ingest; these tests
// hold the catalog's answers to what they were when every instance had its
// own. The reference is a forwarder per instance (each one's figures its
// own, as two ingest replicas behind a load balancer may see them), beside
// one forwarder that sees both instances and pools them: the same data
// points at the same times, each into a real catalog, must read the same.

// realCatalog is a catalog over an in-memory DuckDB behind a real HTTP
// server, with the generated clients.
type realCatalog struct {
	observations tallycatv1connect.ObservationServiceClient
	catalog      tallycatv1connect.CatalogServiceClient
}

func startRealCatalog(t *testing.T) realCatalog {
	t.Helper()
	store, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	return realCatalog{
		observations: tallycatv1connect.NewObservationServiceClient(http.DefaultClient, srv.URL),
		catalog:      tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, srv.URL),
	}
}

// view is what the catalog shows of the logins counter: the schema with its
// cost, fields, producers and releases, the top series and the series
// history.
func (c realCatalog) view(t *testing.T) (*tallycatv1.GetSchemaResponse, *tallycatv1.ListTopSeriesResponse, *tallycatv1.GetSeriesHistoryResponse) {
	t.Helper()
	ctx := context.Background()
	list, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "logins"})
	if err != nil || len(list.Schemas) != 1 {
		t.Fatalf("list logins: %v, %v", list, err)
	}
	schema, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: list.Schemas[0].SchemaId})
	if err != nil {
		t.Fatal(err)
	}
	top, err := c.catalog.ListTopSeries(ctx, &tallycatv1.ListTopSeriesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	history, err := c.catalog.GetSeriesHistory(ctx, &tallycatv1.GetSeriesHistoryRequest{SchemaKey: "logins"})
	if err != nil {
		t.Fatal(err)
	}
	return schema, top, history
}

// podRequest is usersRequest from another instance of the same release.
func podRequest(pod string, from, to int) *colmetricpb.ExportMetricsServiceRequest {
	req := usersRequest(from, to)
	req.ResourceMetrics[0].Resource.Attributes[1] = kv("service.instance.id", pod)
	return req
}

// fleet feeds the same exports, at the same times, to a forwarder per
// instance (the reference) and to one forwarder for the whole release.
type fleet struct {
	t         *testing.T
	clk       *clock
	perPod    map[string]*Forwarder
	pooled    *Forwarder
	reference realCatalog
	catalog   realCatalog
}

func newFleet(t *testing.T, cfg Config, pods ...string) *fleet {
	t.Helper()
	// Times stay inside one ten-minute bucket of the last hour, so that
	// the catalog's windows take every report whatever went on which.
	start := time.Now().Truncate(10 * time.Minute).Add(-10*time.Minute + 10*time.Second)
	fl := &fleet{t: t, clk: &clock{t: start}, perPod: map[string]*Forwarder{},
		reference: startRealCatalog(t), catalog: startRealCatalog(t)}
	var err error
	if fl.pooled, err = New(fl.catalog.observations, cfg); err != nil {
		t.Fatal(err)
	}
	fl.pooled.now = fl.clk.now
	for _, pod := range pods {
		f, err := New(fl.reference.observations, cfg)
		if err != nil {
			t.Fatal(err)
		}
		f.now = fl.clk.now
		fl.perPod[pod] = f
	}
	return fl
}

// export is one export of users [from, to) by pod.
func (fl *fleet) export(pod string, from, to int) {
	fl.t.Helper()
	in := infer.New()
	for _, f := range []*Forwarder{fl.perPod[pod], fl.pooled} {
		res := in.Infer(podRequest(pod, from, to))
		if _, err := f.Add(res.Observations, fl.clk.now()); err != nil {
			fl.t.Fatal(err)
		}
	}
}

// add hands one observation, made by hand, to its pod's forwarder and to
// the release's.
func (fl *fleet) add(o ingest.Observation) {
	fl.t.Helper()
	for _, f := range []*Forwarder{fl.perPod[o.Producer.ServiceInstanceID], fl.pooled} {
		if _, err := f.Add([]ingest.Observation{o}, fl.clk.now()); err != nil {
			fl.t.Fatal(err)
		}
	}
}

// run lets d pass a second at a time, flushing as Run does.
func (fl *fleet) run(d time.Duration) {
	fl.t.Helper()
	for end := fl.clk.t.Add(d); fl.clk.t.Before(end); fl.clk.t = fl.clk.t.Add(time.Second) {
		for _, f := range append([]*Forwarder{fl.pooled}, mapValues(fl.perPod)...) {
			if err := f.flush(context.Background(), false); err != nil {
				fl.t.Fatal(err)
			}
		}
	}
}

func mapValues(m map[string]*Forwarder) []*Forwarder {
	var out []*Forwarder
	for _, f := range m {
		out = append(out, f)
	}
	return out
}

// sameView asserts the pooled catalog shows what the reference shows, and
// returns the schema it shows.
func (fl *fleet) sameView() *tallycatv1.GetSchemaResponse {
	fl.t.Helper()
	refSchema, refTop, refHistory := fl.reference.view(fl.t)
	schema, top, history := fl.catalog.view(fl.t)
	if !proto.Equal(schema, refSchema) {
		fl.t.Errorf("the schema with pooled figures:\n%v\nwith each instance's own:\n%v", schema, refSchema)
	}
	if !proto.Equal(top, refTop) {
		fl.t.Errorf("top series with pooled figures:\n%v\nwith each instance's own:\n%v", top, refTop)
	}
	if !proto.Equal(history, refHistory) {
		fl.t.Errorf("series history with pooled figures:\n%v\nwith each instance's own:\n%v", history, refHistory)
	}
	return schema
}

func within(t *testing.T, what string, got uint64, want float64) {
	t.Helper()
	if math.Abs(float64(got)-want)/want > 0.02 {
		t.Errorf("%s = %d, want about %.0f", what, got, want)
	}
}

// TestTwoInstancesShowWhatEachWouldOwn: two pods of one release export
// the same users, several times over three minutes. The catalog shows the
// same series estimate, data points, rate, field figures, producers and
// releases with the figures pooled in the ingest as with each pod's own.
func TestTwoInstancesShowWhatEachWouldOwn(t *testing.T) {
	fl := newFleet(t, testConfig(), "pod-1", "pod-2")
	for round := range 6 {
		fl.export("pod-1", round*200, round*200+1500)
		fl.run(7 * time.Second)
		fl.export("pod-2", round*200, round*200+1500)
		fl.run(13 * time.Second)
	}
	fl.run(time.Minute)
	got := fl.sameView()
	// Every user is a series per pod: 2 × 2,500.
	cost := got.Schema.GetCost()
	within(t, "series_estimate", cost.GetSeriesEstimate(), 5000)
	if cost.GetDataPoints() != 2*6*1500 || cost.GetDataPointsPerMinute() <= 0 {
		t.Errorf("data points %d at %.0f a minute, want 18,000", cost.GetDataPoints(), cost.GetDataPointsPerMinute())
	}
	if len(got.Producers) != 2 {
		t.Errorf("producers %v, want both pods", got.Producers)
	}
}

// TestReleaseFiguresSurviveAnInstanceStopping: pod-1 reports the
// release's figures, then stops; pod-2, which joined later and so reports
// at other times, sends its last export a few seconds after pod-1's last
// report, and stops too. Nothing is drained: pod-2's own report carries
// what is left, within a heartbeat. With a bound of one known pair the
// stopped pod is forgotten to make room, and still nothing it counted is
// lost.
func TestReleaseFiguresSurviveAnInstanceStopping(t *testing.T) {
	for _, maxKnown := range []int{DefaultConfig().MaxKnown, 1} {
		t.Run(fmt.Sprintf("max-known=%d", maxKnown), func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxKnown = maxKnown
			fl := newFleet(t, cfg, "pod-1", "pod-2")
			fl.export("pod-1", 0, 1000)
			fl.run(10 * time.Second)
			fl.export("pod-2", 1000, 2000)
			fl.run(15 * time.Second)
			fl.export("pod-1", 2000, 3000) // pod-1's last
			fl.run(10 * time.Second)       // its heartbeat carries the figures
			fl.export("pod-2", 3000, 3500) // pod-2's last
			fl.run(2 * time.Minute)
			if maxKnown == 1 {
				if known := fl.pooled.Stats().Known; known != 1 {
					t.Errorf("%d pairs known, want the stopped pod's forgotten", known)
				}
			}
			got := fl.sameView()
			cost := got.Schema.GetCost()
			within(t, "series_estimate", cost.GetSeriesEstimate(), 3500)
			if n := cost.GetDataPoints(); n != 3500 {
				t.Errorf("data points %d, want 3,500", n)
			}
			fields := map[string]*tallycatv1.Field{}
			for _, f := range got.Schema.Fields {
				fields[f.Name] = f
			}
			within(t, "user.id distinct", fields["user.id"].GetDistinctEstimate(), 3500)
		})
	}
}

// TestInstancesWithoutResourceFiguresKeepTheirDataPoints: a report that
// does not carry its pool's figures and has no resource figures either
// (its producer's resource attributes are not known to it) still has its
// data points counted in the rate, as when it carried its own series.
func TestInstancesWithoutResourceFiguresKeepTheirDataPoints(t *testing.T) {
	fl := newFleet(t, testConfig(), "pod-1", "pod-2")
	for round := range 4 {
		for p, pod := range []string{"pod-1", "pod-2"} {
			o := obs("logins", "shop")
			o.Producer.ServiceInstanceID = pod
			o.DataPoints = 100
			for i := range 100 {
				o.Series = append(o.Series, uint64(p*1_000_000+round*10+i)*0x9E3779B97F4A7C15|1)
			}
			fl.add(o)
			fl.run(5 * time.Second)
		}
	}
	fl.run(time.Minute)
	got := fl.sameView()
	if n := got.Schema.GetCost().GetDataPoints(); n != 800 {
		t.Errorf("data points %d, want 800", n)
	}
	within(t, "series_estimate", got.Schema.GetCost().GetSeriesEstimate(), 2*130)
}

// TestReleaseFiguresGoOutOncePerInterval: a hundred pods of a release,
// each exporting every ten seconds. Each pod still reports its data
// points at every heartbeat, but the release's figures (series and field
// sketches) go out once a heartbeat interval, not once per pod, and the
// ingest holds one tally for them.
func TestReleaseFiguresGoOutOncePerInterval(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	const pods = 100
	in := infer.New()
	export := func() {
		for p := range pods {
			res := in.Infer(podRequest(fmt.Sprintf("pod-%d", p), p*10, p*10+20))
			if _, err := f.Add(res.Observations, clk.now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 12 { // two minutes
		export()
		for range 10 {
			clk.t = clk.t.Add(time.Second)
			if err := f.flush(context.Background(), false); err != nil {
				t.Fatal(err)
			}
		}
	}
	reports, carrying := 0, 0
	var series cardinality.Distinct
	for _, call := range cat.calls {
		for _, o := range call.Observations {
			reports++
			if !carriesFields(o) {
				continue
			}
			carrying++
			d, err := cardinality.DistinctFromWire(o.Series.GetHashes(), o.Series.GetSketch())
			if err != nil {
				t.Fatal(err)
			}
			series.Merge(&d)
		}
	}
	// The first reports go as the pods become known, then a heartbeat
	// each 30 s: about four reports a pod in two minutes.
	if reports < 4*pods || reports > 5*pods {
		t.Errorf("%d reports in two minutes, want 4 to 5 a pod", reports)
	}
	if carrying > 5 {
		t.Errorf("%d reports carried the release's figures in two minutes, want one a heartbeat interval", carrying)
	}
	if len(f.pools) != 1 {
		t.Errorf("%d pools for one release's counter", len(f.pools))
	}
	drained := len(cat.calls)
	f.flush(context.Background(), true)
	for _, call := range cat.calls[drained:] {
		for _, o := range call.Observations {
			if !carriesFields(o) {
				continue
			}
			d, _ := cardinality.DistinctFromWire(o.Series.GetHashes(), o.Series.GetSketch())
			series.Merge(&d)
		}
	}
	// Each pod's 20 users are series of their own (the resource differs).
	within(t, "series over every report", series.Estimate(), pods*20)
}

// carriesFields reports whether a report carries its pool's figures: its
// data point fields'.
func carriesFields(o *tallycatv1.Observation) bool {
	for _, f := range o.Fields {
		if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
			return true
		}
	}
	return false
}
