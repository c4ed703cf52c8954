// Package deploy checks docker-compose.yml and the Collector configuration
// against the code, since no Docker engine runs where the tests do.
package deploy

import (
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tallycat/tallycat/internal/testenv"
)

type compose struct {
	Services map[string]struct {
		Build *struct {
			Target string `yaml:"target"`
		} `yaml:"build"`
		Image     string   `yaml:"image"`
		Command   []string `yaml:"command"`
		Ports     []string `yaml:"ports"`
		DependsOn []string `yaml:"depends_on"`
		Volumes   []string `yaml:"volumes"`
	} `yaml:"services"`
}

type collectorConfig struct {
	Receivers struct {
		OTLP struct {
			Protocols map[string]struct {
				Endpoint string `yaml:"endpoint"`
			} `yaml:"protocols"`
		} `yaml:"otlp"`
	} `yaml:"receivers"`
	Exporters map[string]map[string]any `yaml:"exporters"`
	Service   struct {
		Pipelines map[string]struct {
			Receivers  []string `yaml:"receivers"`
			Processors []string `yaml:"processors"`
			Exporters  []string `yaml:"exporters"`
		} `yaml:"pipelines"`
	} `yaml:"service"`
}

func load(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// flagValue finds --name=value or --name value in a command.
func flagValue(cmd []string, name string) string {
	for i, a := range cmd {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(cmd) {
			return cmd[i+1]
		}
	}
	return ""
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%q: %v", addr, err)
	}
	return p
}

// containerPorts lists the container side of "host:container" mappings.
func containerPorts(mappings []string) map[string]bool {
	out := map[string]bool{}
	for _, m := range mappings {
		parts := strings.Split(m, ":")
		out[parts[len(parts)-1]] = true
	}
	return out
}

func TestComposeMatchesTheCode(t *testing.T) {
	var c compose
	load(t, "../docker-compose.yml", &c)
	for name, s := range c.Services {
		for _, d := range s.DependsOn {
			if _, ok := c.Services[d]; !ok {
				t.Errorf("%s depends on %s, which is not a service", name, d)
			}
		}
	}
	catalog, ingest, collector, demo := c.Services["tallycat-catalog"], c.Services["tallycat-ingest"], c.Services["otel-collector"], c.Services["demo"]

	listen := port(t, flagValue(catalog.Command, "listen"))
	if !containerPorts(catalog.Ports)[listen] {
		t.Errorf("the catalog listens on %s but publishes %v", listen, catalog.Ports)
	}
	u, err := url.Parse(flagValue(ingest.Command, "catalog-url"))
	if err != nil || u.Hostname() != "tallycat-catalog" || u.Port() != listen {
		t.Errorf("the ingest's --catalog-url %v does not reach the catalog service on %s", u, listen)
	}
	grpcPort, httpPort := port(t, flagValue(ingest.Command, "otlp-grpc-listen")), port(t, flagValue(ingest.Command, "otlp-http-listen"))
	if ports := containerPorts(ingest.Ports); !ports[grpcPort] || !ports[httpPort] {
		t.Errorf("the ingest listens on %s and %s but publishes %v", grpcPort, httpPort, ingest.Ports)
	}

	var cc collectorConfig
	load(t, "otel-collector.yaml", &cc)
	endpoint, _ := cc.Exporters["otlp/tallycat"]["endpoint"].(string)
	if host, p, _ := net.SplitHostPort(endpoint); host != "tallycat-ingest" || p != grpcPort {
		t.Errorf("the Collector exports to %q, want tallycat-ingest:%s", endpoint, grpcPort)
	}
	// The ingest catalogs every signal: each has a pipeline to it.
	for _, signal := range []string{"metrics", "traces", "logs"} {
		pipe, ok := cc.Service.Pipelines[signal]
		if !ok || !contains(pipe.Exporters, "otlp/tallycat") || !contains(pipe.Receivers, "otlp") {
			t.Errorf("the Collector's %s pipeline %+v does not carry OTLP to TallyCat", signal, pipe)
		}
		for _, e := range pipe.Exporters {
			if _, ok := cc.Exporters[e]; !ok {
				t.Errorf("the %s pipeline uses exporter %s, which is not configured", signal, e)
			}
		}
	}
	collectorGRPC := port(t, cc.Receivers.OTLP.Protocols["grpc"].Endpoint)
	if !containerPorts(collector.Ports)[collectorGRPC] {
		t.Errorf("the Collector receives on %s but publishes %v", collectorGRPC, collector.Ports)
	}
	if want := "otel-collector:" + collectorGRPC; flagValue(demo.Command, "endpoint") != want {
		t.Errorf("the demo sends to %q, want %s", flagValue(demo.Command, "endpoint"), want)
	}
	if !contains(collector.Volumes, "./deploy/otel-collector.yaml:/etc/otelcol/config.yaml:ro") {
		t.Errorf("the Collector does not mount deploy/otel-collector.yaml: %v", collector.Volumes)
	}
}

// TestComposePostgresProfile: the replicas share the postgres service's
// database, and the profile's ingest reaches each of them.
func TestComposePostgresProfile(t *testing.T) {
	var c compose
	load(t, "../docker-compose.yml", &c)
	urls := strings.Split(flagValue(c.Services["tallycat-ingest-ha"].Command, "catalog-url"), ",")
	replicas := []string{"tallycat-catalog-a", "tallycat-catalog-b"}
	if len(urls) != len(replicas) {
		t.Fatalf("the HA ingest's --catalog-url lists %v, want the %d replicas", urls, len(replicas))
	}
	for i, name := range replicas {
		r := c.Services[name]
		db, err := url.Parse(flagValue(r.Command, "db"))
		if err != nil || db.Scheme != "postgres" || db.Hostname() != "postgres" || !contains(r.DependsOn, "postgres") {
			t.Errorf("%s's --db %v is not the postgres service's database", name, db)
		}
		u, err := url.Parse(urls[i])
		if listen := port(t, flagValue(r.Command, "listen")); err != nil || u.Hostname() != name || u.Port() != listen {
			t.Errorf("the HA ingest's %s does not reach %s on %s", urls[i], name, listen)
		}
	}
}

// TestComposeFlagsExist runs each binary with the command compose gives it
// (and the Dockerfile's entrypoint arguments), then -h: an unknown flag
// fails before -h is reached.
func TestComposeFlagsExist(t *testing.T) {
	var c compose
	load(t, "../docker-compose.yml", &c)
	dir, cleanup, err := testenv.Binaries("..", "./services/catalog/cmd/tallycat-catalog", "./services/ingest/cmd/tallycat-ingest", "./cmd/tallycat-demo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	entry := map[string][]string{"catalog": {"--db", "/data/tallycat.duckdb"}}
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		bin := map[string]string{"catalog": "tallycat-catalog", "ingest": "tallycat-ingest", "demo": "tallycat-demo"}[s.Build.Target]
		if bin == "" {
			t.Errorf("%s builds unknown target %q", name, s.Build.Target)
			continue
		}
		args := append(append(append([]string{}, entry[s.Build.Target]...), s.Command...), "-h")
		if out, err := exec.Command(filepath.Join(dir, bin), args...).CombinedOutput(); err != nil {
			t.Errorf("%s: %s %v: %v\n%s", name, bin, args, err, out)
		}
	}
}

// TestComposeConfig asks Debian's docker-compose, which parses the file
// without an engine, whether it is valid.
func TestComposeConfig(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Fatal("docker-compose is not installed: apt-get install docker-compose (.ci/run does)")
	}
	out, err := exec.Command(bin, "-f", "../docker-compose.yml", "config", "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, out)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
