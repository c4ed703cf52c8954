// Package server is the ingest process, its configuration, flags and Run,
// which tallycat-ingest's main and the end-to-end tests start.
package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/cli"
	"github.com/tallycat/tallycat/internal/telemetry"
	"github.com/tallycat/tallycat/services/ingest/forward"
	"github.com/tallycat/tallycat/services/ingest/infer"
	"github.com/tallycat/tallycat/services/ingest/otlp"
	"github.com/tallycat/tallycat/services/ingest/pipeline"
)

// Config is everything the ingest can be told at start.
type Config struct {
	OTLPGRPCListen string
	OTLPHTTPListen string
	// CatalogURL is the flag as given: a comma-separated list of catalog
	// replicas' base URLs, which ParseFlags checks into CatalogURLs.
	CatalogURL      string
	CatalogURLs     []string
	MaxRequestBytes int64
	ShutdownGrace   time.Duration
	Forward         forward.Config
	// AuthTokenFile, when set, makes OTLP clients present one of its tokens.
	AuthTokenFile string
	// CatalogTokenFile holds the token the ingest presents to the catalog.
	CatalogTokenFile string
	TLS              cli.TLSFiles
	// MaxAttributes and MaxKeyBytes bound a data point's attributes; a
	// point over either is refused with partial success.
	MaxAttributes int
	MaxKeyBytes   int
	// MaxDepth bounds the nesting of messages in a request.
	MaxDepth int
	// MaxSpanNames bounds the span names a release may add per scope and
	// span kind an hour; 0 turns the bound off.
	MaxSpanNames int
	// MemoryLimitMiB is the soft memory limit given to the Go runtime; 0
	// derives it from Forward.MaxKnown (see memoryLimit). GOMEMLIMIT, when
	// set, wins.
	MemoryLimitMiB int
	Telemetry      telemetry.Config
	// TrackCost turns on the counting of series and attribute values, and
	// ValueDeny lists the keys whose values are never kept (they are
	// Forward.Values' deny list, in the form the flag takes).
	TrackCost bool
	ValueDeny string
}

// DefaultConfig is the configuration of an ingest started with no flags.
func DefaultConfig() Config {
	return Config{
		OTLPGRPCListen:  ":4317",
		OTLPHTTPListen:  ":4318",
		CatalogURL:      "http://127.0.0.1:8080",
		MaxRequestBytes: 64 << 20,
		ShutdownGrace:   15 * time.Second,
		Forward:         forward.DefaultConfig(),
		MaxAttributes:   128,
		MaxKeyBytes:     256,
		MaxDepth:        64,
		MaxSpanNames:    1000,
		Telemetry:       telemetry.DefaultConfig(),
		TrackCost:       true,
		ValueDeny:       strings.Join(cardinality.DefaultDeny, ","),
	}
}

// Main is the running ingest.
type Main struct {
	Config    Config
	forwarder *forward.Forwarder
}

// ParseFlags reads the configuration from args and the environment.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("tallycat-ingest", flag.ContinueOnError)
	c := &m.Config
	fs.StringVar(&c.OTLPGRPCListen, "otlp-grpc-listen", c.OTLPGRPCListen, "address for OTLP/gRPC")
	fs.StringVar(&c.OTLPHTTPListen, "otlp-http-listen", c.OTLPHTTPListen, "address for OTLP/HTTP")
	fs.StringVar(&c.CatalogURL, "catalog-url", c.CatalogURL, "base URL of the catalog, or a comma-separated list of catalog replicas' base URLs (one database): batches are spread over the healthy ones, checked through gRPC health")
	fs.Int64Var(&c.MaxRequestBytes, "max-request-bytes", c.MaxRequestBytes, "largest OTLP request accepted, after decompression")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", c.ShutdownGrace, "how long shutdown may take to finish requests and deliver pending shapes")
	fs.DurationVar(&c.Forward.FlushInterval, "flush-interval", c.Forward.FlushInterval, "how often new shapes are sent to the catalog")
	fs.DurationVar(&c.Forward.HeartbeatInterval, "heartbeat-interval", c.Forward.HeartbeatInterval, "how often a known shape's last-seen time is sent again")
	fs.IntVar(&c.Forward.MaxKnown, "max-known-pairs", c.Forward.MaxKnown, "how many reported (schema, producer, scope) observations are remembered")
	fs.IntVar(&c.Forward.MaxPending, "max-pending", c.Forward.MaxPending, "how many new observations may wait for the catalog before OTLP requests are refused with 503")
	fs.StringVar(&c.AuthTokenFile, "auth-token-file", c.AuthTokenFile, "file of name:token lines; when set, OTLP clients must send one as a bearer token")
	fs.StringVar(&c.CatalogTokenFile, "catalog-token-file", c.CatalogTokenFile, "file holding the bearer token to present to the catalog")
	c.TLS.AddFlags(fs, "both OTLP listeners")
	fs.IntVar(&c.MaxAttributes, "max-attributes", c.MaxAttributes, "most attributes a data point may carry (distinct fields of a span or a log record); points over it are refused with partial success")
	fs.IntVar(&c.MaxKeyBytes, "max-attribute-key-bytes", c.MaxKeyBytes, "longest attribute key, in bytes; points, spans and log records with a longer key are refused with partial success")
	fs.IntVar(&c.MaxDepth, "max-nesting-depth", c.MaxDepth, "deepest nesting of messages in a request (attribute values nest maps and arrays); deeper requests are refused as malformed")
	fs.IntVar(&c.MaxSpanNames, "max-span-names", c.MaxSpanNames, "most span names a release may add per instrumentation scope and span kind an hour, so that names carrying ids (GET /users/123) make no schema each: the spans of further names are counted under one schema of the scope and kind, with examples of the names. A name keeps its schema while it is used every hour. Each ingest replica keeps the count in its own memory, so N replicas admit up to N times as many; 0 turns the limit off")
	fs.IntVar(&c.MemoryLimitMiB, "memory-limit-mib", c.MemoryLimitMiB, "soft memory limit for the Go runtime, in MiB; 0 derives it from --max-known-pairs (24 MiB + 800 bytes a pair, 576 with --track-cost=false); GOMEMLIMIT wins when set")
	fs.BoolVar(&c.TrackCost, "track-cost", c.TrackCost, "count each schema's series, data point rate and attribute values (the cost figures); off saves the CPU it takes")
	fs.BoolVar(&c.Forward.Values.Keep, "keep-values", c.Forward.Values.Keep, "keep the values of enum-like attributes (of data points, spans, log records, and severities) as examples; false keeps none, only counts. Log bodies, events and links never keep values")
	fs.StringVar(&c.ValueDeny, "value-deny", c.ValueDeny, "comma-separated glob patterns of attribute keys whose values are never kept, only counted; replaces the default list")
	fs.IntVar(&c.Forward.Values.Max, "max-values", c.Forward.Values.Max, "most distinct values an attribute may have for its values to be kept as examples")
	c.Telemetry.AddFlags(fs, "the ingest")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	err := c.TLS.Check("ingest")
	if err != nil {
		return err
	}
	switch {
	case c.MaxRequestBytes <= 0:
		return fmt.Errorf("--max-request-bytes must be positive")
	case c.Forward.FlushInterval <= 0 || c.Forward.HeartbeatInterval <= 0:
		return fmt.Errorf("--flush-interval and --heartbeat-interval must be positive")
	case c.Forward.MaxKnown <= 0 || c.Forward.MaxPending <= 0:
		return fmt.Errorf("--max-known-pairs and --max-pending must be positive")
	case c.MemoryLimitMiB < 0:
		return fmt.Errorf("--memory-limit-mib must not be negative")
	case c.MaxSpanNames < 0:
		return fmt.Errorf("--max-span-names must not be negative")
	case c.MaxAttributes <= 0 || c.MaxKeyBytes <= 0 || c.MaxDepth <= 0:
		return fmt.Errorf("--max-attributes, --max-attribute-key-bytes and --max-nesting-depth must be positive")
	case c.Forward.Values.Max <= 0 || c.Forward.Values.Max > 1000:
		return fmt.Errorf("--max-values must be between 1 and 1000")
	}
	if c.CatalogURLs, err = catalogURLs(c.CatalogURL); err != nil {
		return err
	}
	deny, err := cardinality.NewDenyList(strings.Split(c.ValueDeny, ","))
	if err != nil {
		return fmt.Errorf("--value-deny: %w", err)
	}
	c.Forward.Values.Deny = deny
	return nil
}

// catalogURLs reads --catalog-url: one base URL or a comma-separated list
// of them, each http or https with a host. A mistake is refused at start,
// naming the entry, rather than found as a replica that never answers.
func catalogURLs(list string) ([]string, error) {
	var urls []string
	seen := map[string]bool{}
	for i, entry := range strings.Split(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("--catalog-url: entry %d of %q is empty", i+1, list)
		}
		u, err := url.Parse(entry)
		if err != nil {
			return nil, fmt.Errorf("--catalog-url: entry %d, %q: %w", i+1, entry, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--catalog-url: entry %d, %q, is not an http:// or https:// URL with a host", i+1, entry)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("--catalog-url: entry %d, %q, has a query or fragment; give the catalog's base URL", i+1, entry)
		}
		entry = strings.TrimRight(entry, "/")
		if seen[entry] {
			return nil, fmt.Errorf("--catalog-url: entry %d, %q, is listed twice", i+1, entry)
		}
		seen[entry] = true
		urls = append(urls, entry)
	}
	return urls, nil
}

// memoryLimit is the soft limit under which the Go runtime keeps the
// ingest's memory. Without one the heap grows to twice what is live before a
// collection, and resident memory follows; with one the runtime collects
// sooner and returns freed pages, so that a fleet can size the ingest by
// the known pairs it holds: about 550 bytes each live, and 230 more for
// the cost figures of a pair seen since its last report, whose first data
// points are logged rather than tallied (KnownPairsHeap in
// docs/BENCHMARKS.md: 779 bytes a pair seen, 551 reported), plus room for
// requests in flight and batches on their way to the catalog. The
// resident memory follows the limit, and is about 20 MiB more: the
// binary's own pages, which the limit does not count.
func memoryLimit(c Config) int64 {
	if c.MemoryLimitMiB > 0 {
		return int64(c.MemoryLimitMiB) << 20
	}
	perPair := int64(576)
	if c.TrackCost {
		perPair = 800
	}
	return 24<<20 + int64(c.Forward.MaxKnown)*perPair
}

// Run serves OTLP until ctx ends, then stops taking requests, and delivers
// what is pending to the catalog before it returns.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := memoryLimit(c)
		debug.SetMemoryLimit(limit)
		slog.Info("soft memory limit", "mib", limit>>20)
	}
	clientOpts := []connect.ClientOption{connect.WithSendGzip()}
	var healthOpts []connect.ClientOption
	if c.CatalogTokenFile != "" {
		token, err := auth.ReadToken(c.CatalogTokenFile)
		if err != nil {
			return err
		}
		clientOpts = append(clientOpts, connect.WithInterceptors(auth.BearerToken(token)))
		healthOpts = append(healthOpts, connect.WithInterceptors(auth.BearerToken(token)))
	}
	tel, err := telemetry.Setup(ctx, "tallycat-ingest", c.Telemetry)
	if err != nil {
		return err
	}
	defer tel.Shutdown(context.Background())
	rpcMetrics, err := tel.RPCInterceptor()
	if err != nil {
		return err
	}
	// Health checks carry the token (a catalog may ask for one) but not the
	// RPC metrics, which are for the traffic that matters.
	clientOpts = append(clientOpts, connect.WithInterceptors(rpcMetrics))
	if len(c.CatalogURLs) == 0 { // a Config made without ParseFlags
		if c.CatalogURLs, err = catalogURLs(c.CatalogURL); err != nil {
			return err
		}
	}
	httpClient := &http.Client{Transport: catalogTransport()}
	var reps []forward.Replica
	for _, u := range c.CatalogURLs {
		reps = append(reps, forward.Replica{
			Name:   u,
			Client: tallycatv1connect.NewObservationServiceClient(httpClient, u, clientOpts...),
			Check:  forward.HealthCheck(grpchealth.NewClient(httpClient, u, healthOpts...), tallycatv1connect.ObservationServiceName),
		})
	}
	replicas := forward.NewReplicas(reps, forward.DefaultCheckInterval)
	fwd, err := forward.NewReplicated(replicas, c.Forward)
	if err != nil {
		return err
	}
	m.forwarder = fwd
	instruments, err := pipeline.NewInstruments(tel.Meters.Meter("github.com/tallycat/tallycat/services/ingest"), fwd)
	if err != nil {
		return err
	}
	inferrer := infer.NewWithLimits(infer.Limits{MaxAttributes: c.MaxAttributes, MaxKeyBytes: c.MaxKeyBytes, MaxDepth: c.MaxDepth, MaxSpanNames: c.MaxSpanNames})
	inferrer.SetCostTracking(c.TrackCost)
	consumer := &pipeline.Pipeline{Inferrer: inferrer, Forwarder: fwd, Instruments: instruments}

	grpcConfig := otlp.GRPCConfig{MaxBytes: c.MaxRequestBytes, MaxDepth: c.MaxDepth,
		Options: []connect.HandlerOption{connect.WithInterceptors(rpcMetrics)}}
	var tokens *auth.Tokens
	if c.AuthTokenFile != "" {
		if tokens, err = auth.Load(c.AuthTokenFile); err != nil {
			return err
		}
		grpcConfig.Tokens = tokens
		slog.Info("OTLP clients must present a bearer token")
	}
	// Metrics, traces and logs on the same two ports, as a Collector's OTLP
	// receiver serves them.
	grpcMux, httpMux := http.NewServeMux(), http.NewServeMux()
	var services []string
	for _, sig := range otlp.Signals {
		grpcMux.Handle(otlp.NewGRPCHandlerFor(sig, consumer, grpcConfig))
		h := otlp.NewHTTPHandlerFor(sig, consumer, c.MaxRequestBytes, c.MaxDepth)
		if tokens != nil {
			h = otlp.RequireToken(tokens, h)
		}
		httpMux.Handle(otlp.Path(sig), h)
		services = append(services, otlp.Service(sig))
	}
	grpcMux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(services...)))

	grpcLn, err := cli.Listen("OTLP/gRPC", c.OTLPGRPCListen)
	if err != nil {
		return err
	}
	httpLn, err := cli.Listen("OTLP/HTTP", c.OTLPHTTPListen)
	if err != nil {
		grpcLn.Close()
		return err
	}
	slog.Info("forwarding to the catalog", "urls", c.CatalogURLs, "flush_interval", c.Forward.FlushInterval)

	// The replicas are checked until the pending shapes are delivered,
	// after the receivers and the flush loop have stopped.
	watchCtx, stopWatching := context.WithCancel(context.Background())
	watchDone := make(chan struct{})
	go func() { replicas.Watch(watchCtx); close(watchDone) }()
	defer func() { stopWatching(); <-watchDone }()
	fwdCtx, stopForwarding := context.WithCancel(context.Background())
	fwdDone := make(chan struct{})
	go func() { fwd.Run(fwdCtx); close(fwdDone) }()

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []struct {
		h  http.Handler
		ln net.Listener
	}{{grpcMux, grpcLn}, {httpMux, httpLn}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cli.Serve(ctx, cli.NewHTTPServer(s.h), s.ln, c.ShutdownGrace, c.TLS)
		}()
	}
	wg.Wait() // both servers have stopped: no request is in flight.

	stopForwarding()
	<-fwdDone
	drainCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
	defer cancel()
	slog.Info("delivering pending shapes before exit", "pending", fwd.Pending())
	return errors.Join(append(errs, fwd.Drain(drainCtx))...)
}

// Close implements cli.Program; Run has already delivered what was pending.
func (m *Main) Close() error { return nil }

// Forwarder is what Run forwards through, nil until Run has built it. Tests
// drain it, or read what is pending in it, to know what has reached the
// catalog without waiting for the next flush.
func (m *Main) Forwarder() *forward.Forwarder { return m.forwarder }

// catalogTransport is the HTTP transport to the catalog, with timeouts that
// keep a dead catalog from holding connections forever.
func catalogTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 30 * time.Second
	t.MaxIdleConnsPerHost = 4
	return t
}
