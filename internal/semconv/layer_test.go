package semconv_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
)

// team is a small registry in both versions of the format that a shop
// would layer on the built-in one: see testdata/team.
const team = "testdata/team"

func loadTeam(t *testing.T, path string) (*semconv.Registry, *semconv.Registry) {
	t.Helper()
	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r, err := builtin.Load(path)
	if err != nil {
		t.Fatalf("load %s on the built-in registry: %v", path, err)
	}
	return builtin, r
}

func TestLayering(t *testing.T) {
	builtin, r := loadTeam(t, team)

	if got := r.Sources(); len(got) != 2 || got[0].Name != "builtin" || got[1].Name != team ||
		got[1].SchemaURL != "https://shop.example.com/schemas/1.0.0" {
		t.Errorf("sources %+v", got)
	}
	if n := len(r.Metrics()); n != len(builtin.Metrics())+2 {
		t.Errorf("%d metrics, want the built-in ones and shop.cart.items and shop.checkout.duration", n)
	}

	// A new metric, extending a built-in group and overriding one of the
	// levels it inherits.
	m, ok := r.Metric("shop.cart.items")
	if !ok {
		t.Fatal("no shop.cart.items")
	}
	if m.Instrument != semconv.Counter || m.Unit != "{item}" || m.Group != "metric.shop.cart.items" {
		t.Errorf("shop.cart.items: %s %q %s", m.Instrument, m.Unit, m.Group)
	}
	levels := map[string]semconv.RequirementLevel{
		"shop.cart.id":             semconv.Required,
		"shop.payment.method":      semconv.ConditionallyRequired,
		"error.type":               semconv.Required,    // overridden here
		"server.address":           semconv.OptIn,       // from metric_attributes.http.server
		"url.scheme":               semconv.Required,    // from attributes.http.server
		"network.protocol.version": semconv.Recommended, // from attributes.http.common
	}
	for key, want := range levels {
		if a, ok := m.Attribute(key); !ok || a.Requirement != want {
			t.Errorf("shop.cart.items %s: %+v, want %s", key, a, want)
		}
	}
	pay, _ := m.Attribute("shop.payment.method")
	if cash, ok := pay.Type.Member("cash"); !ok || cash.Deprecated == nil || cash.Deprecated.Reason != "obsoleted" {
		t.Errorf("cash member: %+v", cash)
	}

	// A redefined attribute: every metric that uses it sees the shop's
	// closed enum, built-in metrics included.
	for _, name := range []string{"shop.cart.items", "http.server.request.duration", "http.server.active_requests"} {
		m, _ := r.Metric(name)
		a, _ := m.Attribute("http.request.method")
		if len(a.Type.Members) != 2 || !a.Type.Closed || a.Requirement != semconv.Required {
			t.Errorf("%s http.request.method: %+v, want the shop's two members, closed, still required", name, a)
		}
	}

	// A replaced metric: the shop's http.client.request.duration, whole.
	if m, _ := r.Metric("http.client.request.duration"); m.Unit != "ms" || m.Stability != semconv.Development || m.Group != "metric.shop.http.client.request.duration" {
		t.Errorf("http.client.request.duration: %q %s %s, want the shop's", m.Unit, m.Stability, m.Group)
	}

	// A v2 file: a ref_group, a local override of what it brings, and a
	// refinement that is not a metric of its own.
	c, ok := r.Metric("shop.checkout.duration")
	if !ok {
		t.Fatal("no shop.checkout.duration")
	}
	if a, _ := c.Attribute("shop.checkout.step"); a.Requirement != semconv.Required {
		t.Errorf("shop.checkout.step: %s", a.Requirement)
	}
	if a, _ := c.Attribute("shop.cart.id"); a.Requirement != semconv.OptIn {
		t.Errorf("shop.cart.id: %s, want opt_in (the metric overrides its ref_group)", a.Requirement)
	}
	if _, ok := r.Metric("metric.shop.checkout.duration.payment"); ok {
		t.Error("a refinement is listed as a metric")
	}

	// The built-in registry below is unchanged.
	if m, _ := builtin.Metric("http.client.request.duration"); m.Unit != "s" {
		t.Errorf("built-in http.client.request.duration changed: %q", m.Unit)
	}
	bm, _ := builtin.Metric("http.server.request.duration")
	if a, _ := bm.Attribute("http.request.method"); len(a.Type.Members) != 11 || a.Type.Closed {
		t.Errorf("built-in http.request.method changed: %+v", a.Type)
	}
	if _, ok := builtin.Metric("shop.cart.items"); ok {
		t.Error("the built-in registry has shop.cart.items")
	}
}

// TestLayeringNeedsTheLayerBelow checks that the team registry's references
// to the built-in one fail without it, as Weaver's would without the
// dependency.
func TestLayeringNeedsTheLayerBelow(t *testing.T) {
	_, err := semconv.Empty().Load(team)
	if err == nil {
		t.Fatal("the team registry loaded without the built-in one")
	}
	if _, err := semconv.Empty().LoadFiles("ok", map[string][]byte{"m.yaml": []byte(metricGroup)}); err != nil {
		t.Errorf("a registry of its own: %v", err)
	}
}

// TestArchives loads the team registry from a .zip and a .tar.gz and gets
// the same registry as from its directory.
func TestArchives(t *testing.T) {
	_, want := loadTeam(t, team)
	files, err := filepath.Glob(filepath.Join(team, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%v %v", files, err)
	}
	dir := t.TempDir()

	zipPath := filepath.Join(dir, "team.zip")
	writeArchive(t, zipPath, files, func(w io.Writer) (func(string, []byte) error, func() error) {
		zw := zip.NewWriter(w)
		return func(name string, data []byte) error {
			f, err := zw.Create("shop-registry/" + name)
			if err == nil {
				_, err = f.Write(data)
			}
			return err
		}, zw.Close
	})
	tgzPath := filepath.Join(dir, "team.tar.gz")
	writeArchive(t, tgzPath, files, func(w io.Writer) (func(string, []byte) error, func() error) {
		gz := gzip.NewWriter(w)
		tw := tar.NewWriter(gz)
		return func(name string, data []byte) error {
				if err := tw.WriteHeader(&tar.Header{Name: "./" + name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
					return err
				}
				_, err := tw.Write(data)
				return err
			}, func() error {
				if err := tw.Close(); err != nil {
					return err
				}
				return gz.Close()
			}
	})

	for _, path := range []string{zipPath, tgzPath} {
		_, got := loadTeam(t, path)
		if !reflect.DeepEqual(got.Metrics(), want.Metrics()) || !reflect.DeepEqual(got.Attributes(), want.Attributes()) {
			t.Errorf("%s: not the registry its directory gives", path)
		}
		if src := got.Sources(); src[1].SchemaURL != "https://shop.example.com/schemas/1.0.0" {
			t.Errorf("%s: sources %+v", path, src)
		}
	}

	// An archive's errors name the file inside it.
	bad := filepath.Join(dir, "bad.zip")
	writeArchive(t, bad, nil, func(w io.Writer) (func(string, []byte) error, func() error) {
		zw := zip.NewWriter(w)
		f, _ := zw.Create("m.yaml")
		_, _ = f.Write([]byte(metricGroup + "    extends: nothing\n"))
		return nil, zw.Close
	})
	if _, err := semconv.Empty().Load(bad); err == nil || err.Error()[:len(bad)+9] != bad+"!/m.yaml:" {
		t.Errorf("error %v, want it to start with %s!/m.yaml:", err, bad)
	}
}

// writeArchive writes files (by base name) through an archive writer.
func writeArchive(t *testing.T, path string, files []string, open func(io.Writer) (func(string, []byte) error, func() error)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	add, closeArchive := open(f)
	for _, file := range slices.Sorted(slices.Values(files)) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := add(filepath.Base(file), data); err != nil {
			t.Fatal(err)
		}
	}
	if err := closeArchive(); err != nil {
		t.Fatal(err)
	}
}
