// Package inprocess tests TallyCat's ingest and catalog in one test
// process: real OTLP clients (the Go SDK, contrib instrumentation,
// telemetrygen), a real ingest started through server.Main, a real catalog
// handler over a real store. Being in one process lets a test stop and
// start the catalog on the same file, drain the ingest's forwarder, or give
// the catalog a registry and policies of its own, without building the
// binaries as the tests in e2e do.
package inprocess

import (
	"context"
	"strings"

	"github.com/tallycat/tallycat/internal/testenv"

	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/cli"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
	"github.com/tallycat/tallycat/services/ingest/server"
)

// catalogProc is a real catalog (DuckDB file, HTTP server) that can be
// stopped and started again on the same address and file.
type catalogProc struct {
	t    *testing.T
	addr string
	db   string
	opts api.Options
	// registry, when set, is what the catalog judges against at its next
	// start, as --registry would make it; nil is the built-in one.
	registry *semconv.Registry
	policies []conformance.PolicyRule
	store    *duckdb.Store
	srv      *http.Server
	done     chan error
}

func startCatalog(t *testing.T, addr, db string, interceptors ...connect.Interceptor) *catalogProc {
	t.Helper()
	c := &catalogProc{t: t, addr: addr, db: db, opts: api.Options{Interceptors: interceptors}}
	c.start()
	t.Cleanup(c.stop)
	return c
}

func (c *catalogProc) start() {
	c.t.Helper()
	store, err := duckdb.Open(context.Background(), c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	var ln net.Listener
	for i := 0; ; i++ { // the port may linger briefly after a stop
		if ln, err = net.Listen("tcp", c.addr); err == nil {
			break
		}
		if i == 50 {
			c.t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	opts := c.opts
	if c.registry != nil || c.policies != nil {
		reg := c.registry
		if reg == nil {
			var err error
			if reg, err = semconv.Builtin(); err != nil {
				c.t.Fatal(err)
			}
		}
		opts.Findings = &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg, Policies: c.policies}}
	}
	c.store, c.srv, c.done = store, cli.NewHTTPServer(apitest.NewHandler(c.t, store, opts)), make(chan error, 1)
	go func() { c.done <- c.srv.Serve(ln) }()
}

func (c *catalogProc) stop() {
	if c.srv == nil {
		return
	}
	c.srv.Close()
	if err := <-c.done; !errors.Is(err, http.ErrServerClosed) {
		c.t.Errorf("catalog server: %v", err)
	}
	if err := c.store.Close(); err != nil {
		c.t.Errorf("catalog close: %v", err)
	}
	c.srv = nil
}

func (c *catalogProc) url() string { return "http://" + c.addr }

func (c *catalogProc) client() tallycatv1connect.CatalogServiceClient {
	return tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, c.url())
}

// ingestProc is an in-process ingest started through server.Main.
type ingestProc struct {
	grpcAddr, httpAddr string
	main               *server.Main
	cancel             context.CancelFunc
	done               chan error
}

func startIngest(t *testing.T, catalogURL string, extra ...string) *ingestProc {
	t.Helper()
	p := &ingestProc{grpcAddr: testenv.FreeAddr(t), httpAddr: testenv.FreeAddr(t), main: &server.Main{Config: server.DefaultConfig()}, done: make(chan error, 1)}
	args := []string{"--otlp-grpc-listen", p.grpcAddr, "--otlp-http-listen", p.httpAddr, "--catalog-url", catalogURL, "--flush-interval", "100ms"}
	for _, a := range extra { // $GRPC stands for the ingest's own OTLP/gRPC address
		args = append(args, strings.ReplaceAll(a, "$GRPC", p.grpcAddr))
	}
	if err := p.main.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	p.main.Config.Forward.RetryMax = 200 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() { p.done <- p.main.Run(ctx) }()
	// Up to ten seconds: under -race, with the other packages' tests on the
	// same two cores, a start can take seconds. A Run that ended says why.
	for deadline := time.Now().Add(10 * time.Second); ; {
		conn, err := net.Dial("tcp", p.httpAddr)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case runErr := <-p.done:
			t.Fatalf("ingest exited while starting: %v", runErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ingest did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop ends the ingest as SIGTERM would and returns what Run returned.
func (p *ingestProc) stop(t *testing.T) error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	p.cancel = nil
	return <-p.done
}
