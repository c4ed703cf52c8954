// Command tallycat-catalog serves the TallyCat catalog on an embedded
// DuckDB file (its only owner) or on PostgreSQL (which any number of
// catalog replicas share), with its services over Connect, gRPC and
// gRPC-Web, and the web UI, on one port. `tallycat-catalog copy` copies a
// catalog between stores.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/cli"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/internal/telemetry"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/announce"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
	"github.com/tallycat/tallycat/services/catalog/proposals"
	"github.com/tallycat/tallycat/web"
)

// Config is everything the catalog can be told at start.
type Config struct {
	Listen         string
	DB             string
	UIDir          string
	AllowedOrigins string
	ShutdownGrace  time.Duration
	AuthTokenFile  string
	AuthReads      bool
	// ActorHeader and ActorProxies describe the single sign-on proxy in
	// front of the catalog, if any (see api.IdentityProxy).
	ActorHeader  string
	ActorProxies string
	TLS          cli.TLSFiles
	Telemetry    telemetry.Config
	// HighCardinalityThreshold and MaxValues judge fields' cost figures
	// (see catalog.CostConfig).
	HighCardinalityThreshold uint64
	MaxValues                int
	// Prices is the optional price model turning cost figures into money.
	Prices catalog.Prices
	// Registries are the team's registries, layered on the built-in
	// semantic conventions unless RegistryBuiltin is off; the catalog is
	// judged against them every ConformanceInterval.
	Registries          []string
	RegistryBuiltin     bool
	ConformanceInterval time.Duration
	// ConformanceConfig is a YAML file of finding levels and ignore rules
	// (see conformance.Config); Policy a YAML file of the team's
	// rules (see conformance.PolicyRule and docs/POLICIES.md).
	ConformanceConfig string
	Policy            string
	// EventsEndpoint is the OTLP/gRPC receiver of new findings and schema
	// changes as events (see package announce); empty sends none.
	EventsEndpoint string
	// AutoVersion is the highest change level of the version proposals
	// accepted by themselves, every ConformanceInterval, with the actor
	// proposals.AutoVersionActor; CHANGE_LEVEL_UNSPECIFIED (off) accepts none.
	AutoVersion tallycatv1.ChangeLevel
	// The consumers the catalog pulls by itself, at start and every
	// ConsumersInterval, each origin synced as `tallycat consumers sync`
	// does (see consumers.go): dashboard and rule files and folders, a
	// Grafana (its token from $TALLYCAT_GRAFANA_TOKEN), a Prometheus'
	// rules (its token from $TALLYCAT_PROMETHEUS_TOKEN). None pulls
	// nothing. ConsumersNamespaces are the prefixes the fleet's exporters
	// add to names, for every consumer the catalog keeps. ConsumersPrune
	// syncs an origin even when that would remove all or most of its
	// stored consumers, or an API answers with none (see
	// readers.Batch.RefuseRemovals); without it such a pull is logged and
	// skipped.
	ConsumersDashboards    []string
	ConsumersRules         []string
	ConsumersGrafanaURL    string
	ConsumersPrometheusURL string
	ConsumersInterval      time.Duration
	ConsumersNamespaces    []string
	ConsumersPrune         bool
	// CostFigureAge is how long the figures across every active stream
	// (keys sorted by series or rate with the list's members, a page's
	// costs, the top series) are served as they are: they are worked out
	// once per window and age rather than per read, for at most twenty
	// times what working them out took, so that a small catalog's are as
	// good as exact, then served while fresh ones are worked out, up to
	// ten times as long (see sqlstore.SetCostFigureAge and docs/COST.md).
	// Zero works them out for every read.
	CostFigureAge time.Duration
}

// DefaultConfig is the configuration of a catalog started with no flags.
func DefaultConfig() Config {
	uiDir := "web/dist"
	if web.UI != nil {
		uiDir = "" // the UI is inside this binary
	}
	return Config{
		Listen:        ":8080",
		DB:            "./data/tallycat.duckdb",
		UIDir:         uiDir,
		ShutdownGrace: 15 * time.Second,
		Telemetry:     telemetry.DefaultConfig(),

		HighCardinalityThreshold: catalog.DefaultHighCardinality,
		MaxValues:                cardinality.DefaultMaxValues,
		RegistryBuiltin:          true,
		ConformanceInterval:      time.Minute,
		ConsumersInterval:        5 * time.Minute,
		CostFigureAge:            time.Minute,
	}
}

// maxMaxValues bounds --max-values: an ingest sends at most this many
// values of a field (the API's rules), and the catalog stores them per
// stream, bucket and field.
const maxMaxValues = 1000

// Main is the running catalog.
type Main struct {
	Config   Config
	store    store
	findings *conformance.Findings
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "copy" {
		cli.Main("tallycat-catalog copy", &Copy{})
		return
	}
	cli.Main("tallycat-catalog", &Main{Config: DefaultConfig()})
}

// ParseFlags reads the configuration from args and the environment.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("tallycat-catalog", flag.ContinueOnError)
	c := &m.Config
	fs.StringVar(&c.Listen, "listen", c.Listen, "address for the API (Connect, gRPC, gRPC-Web) and the web UI")
	fs.StringVar(&c.DB, "db", c.DB, "the catalog's database: a DuckDB file, :memory:, or PostgreSQL as a postgres:// URL or key=value connection string (credentials also from PG* variables and the password file)")
	fs.StringVar(&c.UIDir, "ui-dir", c.UIDir, "folder of the built web UI (empty: the UI built into this binary, if any)")
	fs.StringVar(&c.AllowedOrigins, "cors-allowed-origins", c.AllowedOrigins, "comma-separated browser origins allowed to call the API cross-origin")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", c.ShutdownGrace, "how long in-flight requests may finish after SIGTERM")
	fs.StringVar(&c.AuthTokenFile, "auth-token-file", c.AuthTokenFile, "file of name:token lines; when set, changes need a bearer token, whose name is recorded as the actor")
	fs.BoolVar(&c.AuthReads, "auth-reads", c.AuthReads, "with --auth-token-file, reads need a token too")
	fs.StringVar(&c.ActorHeader, "actor-header", c.ActorHeader,
		"request header in which a single sign-on proxy in front of the catalog names the signed-in person (X-Forwarded-Email for oauth2-proxy); that person is the actor of their changes and needs no token; needs --actor-proxies")
	fs.StringVar(&c.ActorProxies, "actor-proxies", c.ActorProxies,
		"comma-separated addresses or CIDR prefixes of the proxy: --actor-header is believed only on requests from these")
	fs.Uint64Var(&c.HighCardinalityThreshold, "high-cardinality-threshold", c.HighCardinalityThreshold,
		"a field with more distinct values than this in the last hour is flagged high-cardinality")
	fs.Float64Var(&c.Prices.PerThousandSeriesMonth, "price-per-1k-series-month", c.Prices.PerThousandSeriesMonth,
		"what your metrics backend charges for a thousand series kept a month; with --price-per-million-points, cost figures get a monthly estimate")
	fs.Float64Var(&c.Prices.PerMillionPoints, "price-per-million-points", c.Prices.PerMillionPoints, "what your metrics backend charges for a million data points ingested")
	fs.Float64Var(&c.Prices.PerMillionSpans, "price-per-million-spans", c.Prices.PerMillionSpans,
		"what your tracing backend charges for a million spans ingested; span schemas then get a monthly estimate from their span rate")
	fs.Float64Var(&c.Prices.PerGBLogs, "price-per-gb-logs", c.Prices.PerGBLogs,
		"what your logs backend charges for a gigabyte (10^9 bytes) of log records ingested; log schemas then get a monthly estimate from their bytes, each record's protobuf size as the ingest received it")
	fs.IntVar(&c.MaxValues, "max-values", c.MaxValues, fmt.Sprintf(
		"most distinct values of a data point field listed as examples (1 to %d); past it the field keeps none", maxMaxValues))
	fs.Func("registry", "a registry in Weaver's YAML format (a folder, .zip or .tar.gz) to judge metrics against, on top of the built-in semantic conventions; repeat for several, later ones on top", func(v string) error {
		c.Registries = append(c.Registries, v)
		return nil
	})
	fs.BoolVar(&c.RegistryBuiltin, "registry-builtin", c.RegistryBuiltin, "judge against the OpenTelemetry semantic conventions v1.44.0 built into the binary")
	fs.StringVar(&c.Policy, "policy", c.Policy, "YAML file of policy rules (banned and required attributes, name and unit rules, caps on distinct values and series, instruments); broken rules are policy_violation findings, see docs/POLICIES.md")
	fs.StringVar(&c.ConformanceConfig, "conformance-config", c.ConformanceConfig, "YAML file of finding levels (levels: {id: violation|improvement|information|none}) and ignore rules (ignore: [{finding, metric, attribute}])")
	fs.DurationVar(&c.ConformanceInterval, "conformance-interval", c.ConformanceInterval, "how often every schema is judged again (a metric is also judged whenever it is asked for)")
	fs.StringVar(&c.EventsEndpoint, "events-otlp-endpoint", c.EventsEndpoint,
		"host:port (plain text) or http:// or https:// URL of an OTLP/gRPC receiver for new findings and schema changes as log records (tallycat.finding, tallycat.schema.change); empty: off")
	fs.Func("auto-version", "off, patch, minor or major: accept version proposals up to that change level by themselves, recorded with the actor tallycat (default off)", func(v string) error {
		level, err := proposals.ParseAutoVersion(v)
		c.AutoVersion = level
		return err
	})
	fs.Func("consumers-dashboards", "a dashboard file or folder the catalog reads and keeps, every --consumers-interval (repeat, or separate with commas)", appendList(&c.ConsumersDashboards))
	fs.Func("consumers-rules", "a Prometheus or Grafana rule file or folder the catalog reads and keeps, every --consumers-interval (repeat, or separate with commas)", appendList(&c.ConsumersRules))
	fs.StringVar(&c.ConsumersGrafanaURL, "consumers-grafana-url", c.ConsumersGrafanaURL,
		"a Grafana whose dashboards and alert rules the catalog reads and keeps, every --consumers-interval; its token is read from $TALLYCAT_GRAFANA_TOKEN")
	fs.StringVar(&c.ConsumersPrometheusURL, "consumers-prometheus-url", c.ConsumersPrometheusURL,
		"a Prometheus whose rules (/api/v1/rules) the catalog reads and keeps, every --consumers-interval; its token, if it wants one, is read from $TALLYCAT_PROMETHEUS_TOKEN")
	fs.DurationVar(&c.CostFigureAge, "cost-figure-age", c.CostFigureAge,
		"how long the figures of keys sorted by series or rate, of a list page's costs and of the top series are served as worked out once (at most 20 times what that took; then served while fresh ones are worked out, up to 10 times as long); 0 works them out for every read")
	fs.DurationVar(&c.ConsumersInterval, "consumers-interval", c.ConsumersInterval, "how often the --consumers-* sources are read again")
	fs.BoolVar(&c.ConsumersPrune, "consumers-prune", c.ConsumersPrune,
		"sync a pulled origin even when that would remove all or most of the consumers the catalog keeps of it, or its API answers with none (off: such a pull is logged and its stored consumers kept)")
	fs.Func("consumers-namespace", "a prefix the fleet's exporters add to metric names, for reading the dashboards and rules the catalog keeps (repeat, or separate with commas)", appendList(&c.ConsumersNamespaces))
	c.TLS.AddFlags(fs, "the API and UI")
	c.Telemetry.AddFlags(fs, "the catalog")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if c.AuthReads && c.AuthTokenFile == "" {
		return errors.New("--auth-reads needs --auth-token-file")
	}
	if _, err := api.ParseIdentityProxy(c.ActorHeader, c.ActorProxies); err != nil {
		return err
	}
	if c.MaxValues < 1 || c.MaxValues > maxMaxValues {
		return fmt.Errorf("--max-values: %d, want 1 to %d", c.MaxValues, maxMaxValues)
	}
	if c.Prices.PerThousandSeriesMonth < 0 || c.Prices.PerMillionPoints < 0 || c.Prices.PerMillionSpans < 0 || c.Prices.PerGBLogs < 0 {
		return errors.New("--price-per-1k-series-month, --price-per-million-points, --price-per-million-spans and --price-per-gb-logs must not be negative")
	}
	if c.ConformanceInterval <= 0 {
		return errors.New("--conformance-interval must be positive")
	}
	if c.CostFigureAge < 0 {
		return fmt.Errorf("--cost-figure-age: %s, want 0 (figures worked out for every read) or a positive duration", c.CostFigureAge)
	}
	if err := checkConsumerSources(c); err != nil {
		return err
	}
	if c.EventsEndpoint != "" {
		if err := announce.CheckEndpoint(c.EventsEndpoint); err != nil {
			return fmt.Errorf("--events-otlp-endpoint: %w", err)
		}
	}
	return c.TLS.Check("catalog")
}

// Run opens the database and serves until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	start := time.Now()
	store, err := openStore(ctx, c.DB, catalog.CostConfig{MaxValues: c.MaxValues, HighCardinality: c.HighCardinalityThreshold, Prices: c.Prices})
	if err != nil {
		return err
	}
	store.SetCostFigureAge(c.CostFigureAge)
	m.store = store
	slog.Info("database open", "db", describeDB(c.DB), "took", time.Since(start).Round(time.Millisecond))

	reg, err := registries(c)
	if err != nil {
		return err
	}
	judge := conformance.Judge{Registry: reg}
	if c.ConformanceConfig != "" {
		data, err := os.ReadFile(c.ConformanceConfig)
		if err != nil {
			return fmt.Errorf("--conformance-config: %w", err)
		}
		cfg, err := conformance.ParseConfig(data)
		if err != nil {
			return fmt.Errorf("--conformance-config %s: %w", c.ConformanceConfig, err)
		}
		judge.Levels, judge.Ignore = cfg.Levels, cfg.Ignore
	}
	if c.Policy != "" {
		data, err := os.ReadFile(c.Policy)
		if err != nil {
			return fmt.Errorf("--policy: %w", err)
		}
		if judge.Policies, err = conformance.ParsePolicy(data); err != nil {
			return fmt.Errorf("--policy %s: %w", c.Policy, err)
		}
		if err := conformance.CheckPolicyPrices(judge.Policies, c.Prices); err != nil {
			return fmt.Errorf("--policy %s: %w", c.Policy, err)
		}
		slog.Info("policy loaded", "path", c.Policy, "rules", len(judge.Policies))
	}
	findings := &conformance.Findings{Store: store, Judge: judge}
	// One reading of the consumers serves the API and auto-versioning.
	uses := consumers.New(store, consumers.Options{Namespaces: c.ConsumersNamespaces})
	opts := api.Options{
		Consumers:      uses,
		AllowedOrigins: cli.SplitList(c.AllowedOrigins),
		UI:             api.UIHandler(uiFiles(c.UIDir)),
		Findings:       findings,
		// New schemas are judged within a second, whoever else hears of
		// them.
		SchemaChanges: []api.SchemaChangeEmitter{&conformance.Rejudge{Findings: findings}},
	}
	if c.EventsEndpoint != "" {
		em, err := announce.New(ctx, c.EventsEndpoint, telemetry.Resource("tallycat-catalog"))
		if err != nil {
			return err
		}
		defer func() {
			if err := em.Shutdown(context.Background()); err != nil {
				slog.Warn("sending the last events", "error", err)
			}
		}()
		findings.OnNew = em.EmitFindings
		opts.SchemaChanges = append(opts.SchemaChanges, em)
		if leader, ok := store.(catalog.Leader); ok {
			// Every replica judges; one announces, or each finding would
			// arrive once per replica. Schema changes are announced by the
			// replica that recorded them, once already.
			findings.OnNew = func(fs []conformance.Finding) {
				if leader.Leading(ctx) {
					em.EmitFindings(fs)
				}
			}
		}
		slog.Info("sending findings and schema changes as events", "endpoint", c.EventsEndpoint)
	}
	m.findings = findings
	go findings.Run(ctx, c.ConformanceInterval)
	// The leader folds complete hours of cost rows into hourly rollups.
	go sqlstore.KeepFolding(ctx, store, time.Minute, slog.Warn)
	if pull := newConsumerPull(c, store, uses); pull != nil {
		go pull.run(ctx)
	}
	if c.AutoVersion != tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED {
		go autoVersion(ctx, store, c.AutoVersion, c.ConformanceInterval, uses)
	}
	tel, err := telemetry.Setup(ctx, "tallycat-catalog", c.Telemetry)
	if err != nil {
		return err
	}
	defer tel.Shutdown(context.Background())
	rpcMetrics, err := tel.RPCInterceptor()
	if err != nil {
		return err
	}
	opts.Interceptors = append(opts.Interceptors, rpcMetrics)
	proxy, err := api.ParseIdentityProxy(c.ActorHeader, c.ActorProxies)
	if err != nil {
		return err
	}
	if proxy != nil {
		// Before the tokens: a person the proxy signed in needs none.
		opts.Interceptors = append(opts.Interceptors, api.NewIdentityInterceptor(proxy))
		slog.Info("people signed in by an identity proxy are the actors of their changes", "header", proxy.Header, "proxies", c.ActorProxies)
	}
	if c.AuthTokenFile != "" {
		tokens, err := auth.Load(c.AuthTokenFile)
		if err != nil {
			return err
		}
		opts.Interceptors = append(opts.Interceptors, api.NewAuthInterceptor(tokens, c.AuthReads))
		slog.Info("bearer tokens required", "for", map[bool]string{true: "reads and changes", false: "changes"}[c.AuthReads])
	}
	handler := api.NewHandler(store, opts)
	ln, err := cli.Listen("catalog API and UI", c.Listen)
	if err != nil {
		return err
	}
	return cli.Serve(ctx, cli.NewHTTPServer(handler), ln, c.ShutdownGrace, c.TLS)
}

// registries loads the registries metrics are judged against: the built-in
// semantic conventions unless turned off, then each --registry on top. A
// registry that does not load stops the start, naming the file, group and
// line (semconv's errors do).
func registries(c Config) (*semconv.Registry, error) {
	if !c.RegistryBuiltin && len(c.Registries) == 0 {
		return nil, errors.New("--registry-builtin=false needs at least one --registry to judge against")
	}
	var reg *semconv.Registry
	if c.RegistryBuiltin {
		var err error
		if reg, err = semconv.Builtin(); err != nil {
			return nil, err
		}
	}
	for _, path := range c.Registries {
		var err error
		if reg, err = reg.Load(path); err != nil {
			return nil, fmt.Errorf("--registry %s: %w", path, err)
		}
	}
	slog.Info("registries loaded", "builtin", c.RegistryBuiltin, "registries", c.Registries, "metrics", len(reg.Metrics()))
	return reg, nil
}

// uiFiles is the UI folder given, or the UI built into the binary when none
// is.
func uiFiles(dir string) fs.FS {
	if dir == "" && web.UI != nil {
		return web.UI
	}
	return os.DirFS(dir)
}

// Close checkpoints and closes the database.
func (m *Main) Close() error {
	if m.store == nil {
		return nil
	}
	return m.store.Close()
}

// autoVersion accepts the version proposals up to level upTo at once and
// then every interval until ctx ends (see proposals.AcceptProposals). A
// change that breaks a query of the consumers uses reads is major, so that
// it is never accepted as a minor version.
func autoVersion(ctx context.Context, store catalog.Store, upTo tallycatv1.ChangeLevel, every time.Duration, uses *consumers.Service) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		vs, err := proposals.AcceptProposals(ctx, store, upTo, proposals.WithBreaker(uses))
		for _, v := range vs {
			slog.Info("version proposal accepted by itself", "schema_id", v.SchemaID, "version", v.Version)
		}
		if err != nil && ctx.Err() == nil {
			slog.Warn("accepting version proposals", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
