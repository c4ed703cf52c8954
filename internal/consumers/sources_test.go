package consumers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers"
)

// copyFile copies a testdata file into dir.
func copyFile(t *testing.T, from, dir string) string {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, filepath.Base(from))
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestSourcesFiles: a batch per path given, named by the path cleaned; a
// file that does not parse is unreadable beside what the others gave; a
// path that is gone fails its batch, since a sync would take everything
// it held for deleted.
func TestSourcesFiles(t *testing.T) {
	dir := t.TempDir()
	rules := copyFile(t, "testdata/prometheus/opentelemetry-collector.yml", dir)
	copyFile(t, "testdata/perses/opentelemetry-collector.yaml", dir)
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"panels": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone")
	batches := consumers.Sources{Dashboards: []string{dir + "/", gone}, Rules: []string{rules, dir}}.Read(context.Background())
	if len(batches) != 3 {
		t.Fatalf("%d batches, want one per path (the folder given twice once): %+v", len(batches), batches)
	}
	folder := batches[0]
	if folder.Origin != "files:"+dir || folder.Failed || !slices.Equal(folder.Unreadable, []string{broken}) || len(folder.Errors) != 1 ||
		!strings.Contains(folder.Errors[0].Error(), "broken.json") || !folder.FromFiles() {
		t.Errorf("the folder: origin %q, failed %v, unreadable %v, errors %v", folder.Origin, folder.Failed, folder.Unreadable, folder.Errors)
	}
	sources := map[string]int{}
	for _, c := range folder.Consumers {
		sources[filepath.Base(c.Source)]++
	}
	if sources["opentelemetry-collector.yml"] == 0 || sources["opentelemetry-collector.yaml"] != 1 || len(sources) != 2 {
		t.Errorf("the folder's consumers by file: %v", sources)
	}
	if b := batches[1]; b.Origin != "files:"+gone || !b.Failed || len(b.Consumers) != 0 || len(b.Unreadable) != 0 {
		t.Errorf("a path that is gone: %+v", b)
	}
	if b := batches[2]; b.Origin != "files:"+rules || b.Failed || len(b.Errors) != 0 || len(b.Consumers) != sources["opentelemetry-collector.yml"] {
		t.Errorf("the rule file: %+v", b)
	}
	if !(consumers.Sources{}).Empty() || (consumers.Sources{PrometheusURL: "http://p"}).Empty() {
		t.Error("Empty")
	}
}

// TestSourcesGrafana: Grafana's dashboards and alert rules are one batch;
// a token that may not read the rules reads the dashboards, with a
// warning, and the rules' source unreadable so that the stored ones are
// kept; an API failure fails the batch whole, with nothing in it.
func TestSourcesGrafana(t *testing.T) {
	srv := grafanaAPI(t)
	defer srv.Close()
	b := consumers.Sources{GrafanaURL: srv.URL + "/", GrafanaToken: token}.Read(context.Background())[0]
	kinds := map[consumers.Kind]int{}
	for _, c := range b.Consumers {
		kinds[c.Kind]++
	}
	if b.Origin != "grafana:"+srv.URL || b.Failed || len(b.Errors)+len(b.Warnings)+len(b.Unreadable) != 0 || kinds[consumers.Dashboard] != 3 || kinds[consumers.AlertRule] == 0 {
		t.Errorf("grafana: origin %q, kinds %v, %+v", b.Origin, kinds, b)
	}

	// A Viewer token: Grafana answers 403 on the provisioning API only.
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	viewer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/provisioning/") {
			http.Error(w, `{"message": "permissions needed: alert.provisioning:read"}`, http.StatusForbidden)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer viewer.Close()
	b = consumers.Sources{GrafanaURL: viewer.URL, GrafanaToken: token}.Read(context.Background())[0]
	if b.Failed || len(b.Consumers) != 3 || len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0], "alert rules were not read (403 Forbidden)") ||
		!slices.Equal(b.Unreadable, []string{viewer.URL + "/api/v1/provisioning/alert-rules"}) {
		t.Errorf("a Viewer token: %+v", b)
	}

	failed := grafanaAPI(t, "/api/v1/provisioning/alert-rules")
	defer failed.Close()
	failing := consumers.Sources{GrafanaURL: failed.URL, GrafanaToken: token}.Read(context.Background())[0]
	if !failing.Failed || len(failing.Consumers) != 0 || !strings.Contains(failing.Err().Error(), "500") {
		t.Errorf("a 500 on the rules fails the batch: %+v", failing)
	}
	wrong := consumers.Sources{GrafanaURL: srv.URL, GrafanaToken: "wrong"}.Read(context.Background())[0]
	if !wrong.Failed || !strings.Contains(wrong.Err().Error(), "401") {
		t.Errorf("a wrong token: %+v", wrong)
	}
}

// TestSourcesEmptyAPI: a Grafana whose search answers 200 with nothing (a
// token that sees no folder) or a Prometheus with no rule fails its batch
// unless AllowEmpty says an empty answer is meant: a sync of it would
// remove every stored consumer of the origin.
func TestSourcesEmptyAPI(t *testing.T) {
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/rules" {
			w.Write([]byte(`{"status": "success", "data": {"groups": []}}`))
			return
		}
		w.Write([]byte(`[]`))
	}))
	defer empty.Close()
	for _, allow := range []bool{false, true} {
		batches := consumers.Sources{GrafanaURL: empty.URL, GrafanaToken: token, PrometheusURL: empty.URL, AllowEmpty: allow}.Read(context.Background())
		if len(batches) != 2 {
			t.Fatalf("%d batches, want Grafana's and Prometheus'", len(batches))
		}
		for _, b := range batches {
			if len(b.Consumers) != 0 {
				t.Errorf("%s: %d consumers from an empty answer", b.Origin, len(b.Consumers))
			}
			if allow && (b.Failed || b.Err() != nil) {
				t.Errorf("%s with AllowEmpty: failed %v, %v", b.Origin, b.Failed, b.Err())
			}
			if !allow && (!b.Failed || !errors.Is(b.Err(), consumers.ErrEmptyAnswer) || !strings.Contains(b.Err().Error(), empty.URL)) {
				t.Errorf("%s answering nothing: failed %v, %v", b.Origin, b.Failed, b.Err())
			}
		}
	}
}

// TestRefuseRemovals: a sync that would remove every stored consumer of
// its origin is refused, however few; one that would remove more than
// half of an origin of FewConsumers or more too; consumers of other
// origins, those brought again and those of an unreadable source do not
// count as removed.
func TestRefuseRemovals(t *testing.T) {
	stored := func(origin string, n int) []consumers.StoredConsumer {
		var out []consumers.StoredConsumer
		for i := range n {
			out = append(out, consumers.StoredConsumer{Origin: origin, Source: fmt.Sprintf("d/%d.json", i), UID: fmt.Sprint(i)})
		}
		return out
	}
	bring := func(n int) []consumers.Consumer {
		var out []consumers.Consumer
		for i := range n {
			out = append(out, consumers.Consumer{Source: fmt.Sprintf("d/%d.json", i), UID: fmt.Sprint(i)})
		}
		return out
	}
	other := stored("files:other", 50)
	for _, c := range []struct {
		name      string
		held      int
		b         consumers.Batch
		refused   bool
		removed   int
		errSaying string
	}{
		{"an emptied folder", 3, consumers.Batch{}, true, 3, "all 3 consumers"},
		{"the only consumer gone", 1, consumers.Batch{}, true, 1, "all 1 consumers"},
		{"two of three, a small origin", 3, consumers.Batch{Consumers: bring(1)}, false, 2, ""},
		{"six of ten", 10, consumers.Batch{Consumers: bring(4)}, true, 6, "6 of the 10"},
		{"five of ten", 10, consumers.Batch{Consumers: bring(5)}, false, 5, ""},
		{"nothing stored", 0, consumers.Batch{}, false, 0, ""},
		{"every source unreadable", 3, consumers.Batch{Unreadable: []string{"d/0.json", "d/1.json", "d/2.json"}}, false, 0, ""},
		{"all brought again", 12, consumers.Batch{Consumers: bring(12)}, false, 0, ""},
	} {
		c.b.Origin = "files:d"
		all := append(stored("files:d", c.held), other...)
		removed, held := c.b.Removals(all)
		err := c.b.RefuseRemovals(all)
		if removed != c.removed || held != c.held || (err != nil) != c.refused || (err != nil && !strings.Contains(err.Error(), c.errSaying)) {
			t.Errorf("%s: removes %d of %d, refused: %v; want %d of %d, refused %v", c.name, removed, held, err, c.removed, c.held, c.refused)
		}
	}
}

// TestSourcesGrafanaWithoutAlertRules: a Grafana with dashboards and no
// alert rule answers the provisioning API with an empty list; its
// dashboards are read and the batch is whole.
func TestSourcesGrafanaWithoutAlertRules(t *testing.T) {
	srv := grafanaAPI(t)
	defer srv.Close()
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	noRules := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/provisioning/alert-rules" {
			w.Write([]byte("[]\n"))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer noRules.Close()
	b := consumers.Sources{GrafanaURL: noRules.URL, GrafanaToken: token}.Read(context.Background())[0]
	if b.Failed || b.Err() != nil || len(b.Consumers) != 3 || len(b.Unreadable) != 0 {
		t.Errorf("a Grafana without alert rules: failed %v, %v, %d consumers, unreadable %v", b.Failed, b.Err(), len(b.Consumers), b.Unreadable)
	}
}
