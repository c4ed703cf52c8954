package semconv_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
)

// model is the copy of the semantic conventions v1.44.0 model in the
// repository, which the built-in table is generated from. It is named
// relative to this package's folder (where go test runs) so that the
// tests read the clone they test, whatever machine it is on; a clone
// without it fails them.
const model = "../../third_party/semconv/v1.44.0/model"

// registries returns the v1.44.0 registry both ways: loaded from its YAML
// and decoded from the built-in table. Every fact below must hold for both.
func registries(t *testing.T) map[string]*semconv.Registry {
	t.Helper()
	loaded, err := semconv.Empty().Load(model)
	if err != nil {
		t.Fatalf("load %s: %v", model, err)
	}
	builtin, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*semconv.Registry{"yaml": loaded, "builtin": builtin}
}

// The counts were read from the YAML with grep and awk, not with this
// package (model/ holds files in both versions of the format):
//
//	metrics: `grep -rh '^    type: metric$'` gives 503 groups in v1 files;
//	  the 38 entries of the `metrics:` lists of the 32 `file_format:
//	  definition/2` files add 38; `metric_name:` values plus those names
//	  sorted with `uniq` are 541 distinct names.
//	attributes: `- id:` at indentation 6 gives 932, all inside `registry.*`
//	  groups (awk tracking the group id) and all distinct; the v2
//	  `attributes:` lists add 8 `- key:` entries.
//	deprecated attributes: `reason:` at indentation 10, the attribute level,
//	  gives 206: 97 renamed, 22 obsoleted, 87 uncategorized (the v2 files
//	  deprecate nothing).
//	deprecated metrics: `deprecated:` at indentation 4 inside groups of type
//	  metric, per group with awk: 97.
//	stable metrics: `stability: stable` at indentation 4 in metric groups: 51
//	  (every v2 metric is development).
//	enum attributes: a bare `type:` at indentation 8 (a mapping with
//	  members follows): 171; template attributes: `type: template[` at
//	  indentation 8: 41.
func TestBuiltinCounts(t *testing.T) {
	for name, r := range registries(t) {
		t.Run(name, func(t *testing.T) {
			var deprecated, renamed, enums, templates int
			for _, a := range r.Attributes() {
				if a.Deprecated != nil {
					deprecated++
					if a.Deprecated.Reason == "renamed" {
						renamed++
					}
				}
				if a.Type.IsEnum() {
					enums++
				}
				if a.Type.Template {
					templates++
				}
			}
			var deprecatedMetrics, stableMetrics int
			for _, m := range r.Metrics() {
				if m.Deprecated != nil {
					deprecatedMetrics++
				}
				if m.Stability == semconv.Stable {
					stableMetrics++
				}
			}
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"metrics", len(r.Metrics()), 541},
				{"attributes", len(r.Attributes()), 940},
				{"deprecated attributes", deprecated, 206},
				{"renamed attributes", renamed, 97},
				{"deprecated metrics", deprecatedMetrics, 97},
				{"stable metrics", stableMetrics, 51},
				{"enum attributes", enums, 171},
				{"template attributes", templates, 41},
			} {
				if c.got != c.want {
					t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
				}
			}
			if src := r.Sources(); len(src) != 1 || src[0].SchemaURL != "https://opentelemetry.io/schemas/1.44.0" {
				t.Errorf("sources %+v, want one with the manifest's schema_url", src)
			}
		})
	}
}

// Each spot check cites the YAML it was read from.
func TestBuiltinMetrics(t *testing.T) {
	type attr struct {
		key   string
		level semconv.RequirementLevel
		typ   string
	}
	cases := []struct {
		metric     string
		instrument semconv.Instrument
		unit       string
		stability  semconv.Stability
		attrs      []attr
		absent     []string
	}{
		// http/metrics.yaml: histogram, "s", stable, extends
		// metric_attributes.http.server, which extends
		// attributes.http.server and attributes.http.common
		// (http/common.yaml) and makes server.address and server.port
		// opt_in.
		{"http.server.request.duration", semconv.Histogram, "s", semconv.Stable, []attr{
			{"http.request.method", semconv.Required, "enum"},
			{"error.type", semconv.ConditionallyRequired, "enum"},
			{"http.response.status_code", semconv.ConditionallyRequired, "int"},
			{"http.route", semconv.ConditionallyRequired, "string"},
			{"url.scheme", semconv.Required, "string"},
			{"network.protocol.version", semconv.Recommended, "string"},
			{"server.address", semconv.OptIn, "string"},
			{"server.port", semconv.OptIn, "int"},
			{"user_agent.synthetic.type", semconv.OptIn, "enum"},
		}, []string{"http.method", "url.template"}},
		// http/metrics.yaml: an updowncounter of "{request}" with its own
		// attribute list, url.scheme required there.
		{"http.server.active_requests", semconv.UpDownCounter, "{request}", semconv.Development, []attr{
			{"http.request.method", semconv.Required, "enum"},
			{"url.scheme", semconv.Required, "string"},
			{"server.address", semconv.OptIn, "string"},
			{"server.port", semconv.OptIn, "int"},
		}, []string{"error.type", "http.response.status_code"}},
		// attributes.http.client makes url.scheme opt_in and
		// server.address and server.port required.
		{"http.client.request.duration", semconv.Histogram, "s", semconv.Stable, []attr{
			{"url.scheme", semconv.OptIn, "string"},
			{"server.address", semconv.Required, "string"},
			{"server.port", semconv.Required, "int"},
			{"http.request.method", semconv.Required, "enum"},
		}, nil},
		// hardware/cpu-metrics.yaml, a definition/2 file: a gauge in Hz whose
		// attributes come by ref_group from metric_attributes.hw.cpu and,
		// through it, hardware.attributes.common (hardware/common.yaml,
		// hw.id required).
		{"hw.cpu.speed", semconv.Gauge, "Hz", semconv.Development, []attr{
			{"hw.id", semconv.Required, "string"},
			{"hw.model", semconv.Recommended, "string"},
			{"hw.vendor", semconv.Recommended, "string"},
		}, nil},
	}
	for name, r := range registries(t) {
		for _, c := range cases {
			t.Run(name+"/"+c.metric, func(t *testing.T) {
				m, ok := r.Metric(c.metric)
				if !ok {
					t.Fatalf("no metric %s", c.metric)
				}
				if m.Instrument != c.instrument || m.Unit != c.unit || m.Stability != c.stability {
					t.Errorf("%s %q %s, want %s %q %s", m.Instrument, m.Unit, m.Stability, c.instrument, c.unit, c.stability)
				}
				for _, want := range c.attrs {
					a, ok := m.Attribute(want.key)
					if !ok {
						t.Errorf("no attribute %s", want.key)
						continue
					}
					if a.Requirement != want.level || a.Type.String() != want.typ {
						t.Errorf("%s: %s %s, want %s %s", want.key, a.Requirement, a.Type, want.level, want.typ)
					}
				}
				for _, key := range c.absent {
					if _, ok := m.Attribute(key); ok {
						t.Errorf("%s has attribute %s", c.metric, key)
					}
				}
				if !slices.IsSortedFunc(m.Attributes, func(a, b semconv.MetricAttribute) int { return strings.Compare(a.Key, b.Key) }) {
					t.Error("attributes not sorted by key")
				}
			})
		}
	}
}

func TestBuiltinAttributes(t *testing.T) {
	for name, r := range registries(t) {
		t.Run(name, func(t *testing.T) {
			// http/deprecated/registry-deprecated.yaml: reason renamed,
			// renamed_to http.request.method.
			a, ok := r.Attribute("http.method")
			if !ok || a.Deprecated == nil || a.Deprecated.Reason != "renamed" || a.Deprecated.RenamedTo != "http.request.method" {
				t.Errorf("http.method: %+v, want deprecated, renamed to http.request.method", a)
			}
			// http.target: reason obsoleted, with a note.
			if a, _ := r.Attribute("http.target"); a == nil || a.Deprecated == nil || a.Deprecated.Reason != "obsoleted" || a.Deprecated.Note != "Split to `url.path` and `url.query`." {
				t.Errorf("http.target: %+v", a)
			}
			// http/registry.yaml: eleven members, QUERY in development,
			// _OTHER for methods the instrumentation does not know; open,
			// as every semantic conventions enum.
			m, _ := r.Attribute("http.request.method")
			var values []string
			for _, mem := range m.Type.Members {
				values = append(values, mem.Value)
			}
			want := []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY", "_OTHER"}
			if !slices.Equal(values, want) || m.Type.Value != "string" || m.Type.Closed || m.Stability != semconv.Stable {
				t.Errorf("http.request.method: %v %s closed=%v %s, want %v string open stable", values, m.Type.Value, m.Type.Closed, m.Stability, want)
			}
			if q, ok := m.Type.Member("QUERY"); !ok || q.ID != "query" || q.Stability != semconv.Development {
				t.Errorf("QUERY member: %+v", q)
			}
			if _, ok := m.Type.Member("FOO"); ok {
				t.Error("FOO is a member")
			}
			// rpc/deprecated/registry-deprecated.yaml: an enum of 17 ints
			// (value: 0 ... 16), deprecated as uncategorized (its note
			// names the replacement).
			g, _ := r.Attribute("rpc.grpc.status_code")
			if g == nil || g.Type.Value != "int" || len(g.Type.Members) != 17 || g.Type.Members[0].Value != "0" ||
				g.Type.Members[16].Value != "16" || g.Deprecated == nil || g.Deprecated.Reason != "uncategorized" {
				t.Errorf("rpc.grpc.status_code: %+v", g)
			}
			// http/registry.yaml: template[string[]]; a header as sent
			// matches it by prefix, the prefix alone does not.
			h, ok := r.Attribute("http.request.header.content-type")
			if !ok || h.Key != "http.request.header" || !h.Type.Template || h.Type.Value != "string[]" {
				t.Errorf("http.request.header.content-type: %+v", h)
			}
			if _, ok := r.Attribute("http.request.header"); ok {
				t.Error("the template's bare key matched")
			}
			// client/registry.yaml, a definition/2 file.
			if c, ok := r.Attribute("client.address"); !ok || c.Type.Value != "string" || c.Stability != semconv.Stable {
				t.Errorf("client.address: %+v", c)
			}
			// k8s/registry.yaml writes `stability: experimental`, which
			// Weaver reads as development.
			for _, a := range r.Attributes() {
				if a.Stability == "experimental" {
					t.Errorf("%s: stability experimental kept", a.Key)
				}
			}
		})
	}
}

// published is the semantic conventions release as published, kept in the
// shared folder beside the repository on the machines that develop and
// test TallyCat (../shared from the repository's root).
const published = "../../../shared/semconv/v1.44.0/model"

// TestModelCopyMatchesPublished holds the repository's copy of the model,
// which the built-in table is generated from, to the release as
// published: file for file, byte for byte. Without the published copy it
// fails, saying where it looked, rather than passing having checked
// nothing.
func TestModelCopyMatchesPublished(t *testing.T) {
	want, err := readTree(published)
	if err != nil {
		t.Fatalf("the published model is not beside the repository: %v", err)
	}
	got, err := readTree(model)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s is missing from %s", name, model)
		} else if !bytes.Equal(g, data) {
			t.Errorf("%s differs from the published %s", filepath.Join(model, name), name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is not in the published model", filepath.Join(model, name))
		}
	}
}

// readTree reads every file under root, by its path relative to root.
func readTree(root string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		out[rel] = data
		return err
	})
	return out, err
}
