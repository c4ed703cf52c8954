package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"
	connectcors "connectrpc.com/cors"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/validate"
	"github.com/rs/cors"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/consumers"
)

// Options configures the catalog's HTTP handler.
type Options struct {
	// AllowedOrigins are the browser origins allowed to call the API across
	// origins; none by default, since the UI is served on the API's origin.
	AllowedOrigins []string
	// UI serves everything that is not an RPC; nil serves nothing else.
	UI http.Handler
	// Interceptors run before validation, e.g. authentication.
	Interceptors []connect.Interceptor
	// Findings answers ConformanceService; it is required. The catalog's
	// main builds it from its registries, policies and levels.
	Findings *conformance.Findings
	// SchemaChanges hear of the timeline entries each recorded batch
	// wrote, in turn (the catalog's main rejudges new schemas and
	// announces changes through them); none tells no one.
	SchemaChanges []SchemaChangeEmitter
	// Consumers answers ConsumerService and tells the other services what
	// the stored dashboards and rules read; nil makes one on the store
	// with the default options.
	Consumers *consumers.Service
	// ConsumerReadMaxBytes is the largest ConsumerService request read
	// (DefaultConsumerReadMaxBytes when zero): a sync of every dashboard
	// of an origin is one request.
	ConsumerReadMaxBytes int
}

// DefaultConsumerReadMaxBytes is 64 MiB: a sync of thousands of
// dashboards (a large Grafana's are a few MiB of queries) fits many times
// over, and an absurd one is refused (RESOURCE_EXHAUSTED, naming the size
// and the limit) before it is held in memory. The other services take
// requests of any size, as Connect does by default.
const DefaultConsumerReadMaxBytes = 64 << 20

// ServiceNames are the services the catalog serves, for health and
// reflection.
var ServiceNames = []string{
	tallycatv1connect.CatalogServiceName,
	tallycatv1connect.VersioningServiceName,
	tallycatv1connect.ObservationServiceName,
	tallycatv1connect.ConformanceServiceName,
	tallycatv1connect.ConsumerServiceName,
}

// NewHandler returns the catalog's whole HTTP surface: the four Connect
// services (Connect, gRPC and gRPC-Web), gRPC health, server reflection and
// the UI, with CORS for the configured origins. It panics without
// opts.Findings, a wiring mistake no request could mend.
func NewHandler(store catalog.Store, opts Options) http.Handler {
	if opts.Findings == nil {
		panic("api.NewHandler: Options.Findings is required")
	}
	interceptors := append(append([]connect.Interceptor{}, opts.Interceptors...), validate.NewInterceptor())
	handlerOpts := []connect.HandlerOption{connect.WithInterceptors(interceptors...)}

	uses := opts.Consumers
	if uses == nil {
		uses = consumers.New(store, consumers.Options{})
	}
	mux := http.NewServeMux()
	mux.Handle(tallycatv1connect.NewCatalogServiceHandler(&CatalogHandler{Store: store, Consumers: uses}, handlerOpts...))
	mux.Handle(tallycatv1connect.NewVersioningServiceHandler(&VersioningHandler{Store: store, Consumers: uses}, handlerOpts...))
	changes := emitters(opts.SchemaChanges)
	mux.Handle(tallycatv1connect.NewObservationServiceHandler(&ObservationHandler{Store: store, Changes: changes}, handlerOpts...))
	mux.Handle(tallycatv1connect.NewConformanceServiceHandler(&ConformanceHandler{Findings: opts.Findings, Consumers: uses}, handlerOpts...))
	consumerLimit := opts.ConsumerReadMaxBytes
	if consumerLimit == 0 {
		consumerLimit = DefaultConsumerReadMaxBytes
	}
	mux.Handle(tallycatv1connect.NewConsumerServiceHandler(&ConsumerHandler{Consumers: uses},
		append(slices.Clone(handlerOpts), connect.WithReadMaxBytes(consumerLimit))...))
	mux.Handle(grpchealth.NewHandler(healthChecker(store)))
	reflector := grpcreflect.NewStaticReflector(ServiceNames...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	if opts.UI != nil {
		mux.Handle("/", opts.UI)
	}

	var h http.Handler = mux
	if len(opts.AllowedOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: opts.AllowedOrigins,
			AllowedMethods: connectcors.AllowedMethods(),
			AllowedHeaders: append(connectcors.AllowedHeaders(), ActorHeader, "Authorization"),
			ExposedHeaders: connectcors.ExposedHeaders(),
			MaxAge:         7200,
		}).Handler(mux)
	}
	return h
}

// emitters tells several of a batch's timeline entries, in turn.
type emitters []SchemaChangeEmitter

func (es emitters) EmitSchemaChanges(ctx context.Context, events []catalog.Event) {
	for _, e := range es {
		e.EmitSchemaChanges(ctx, events)
	}
}

// Pinger is a store that can tell whether its database answers. A store
// on a database server (PostgreSQL) can be up while its database is not;
// the health check then says NOT_SERVING, so that load balancers and the
// ingest send to another replica.
type Pinger interface {
	Ping(context.Context) error
}

// healthChecker is the checker behind gRPC health: one that pings the
// store when it can, else one that says SERVING while the process runs.
func healthChecker(store catalog.Store) grpchealth.Checker {
	if p, ok := store.(Pinger); ok {
		return newPingChecker(p, ServiceNames, time.Second)
	}
	return grpchealth.NewStaticChecker(ServiceNames...)
}

// pingChecker says SERVING while the store answers a ping. Every ingest
// and load balancer checks every replica about once a second, so a ping's
// result is kept for ttl: however many check, the database sees about one
// ping a second from each replica.
type pingChecker struct {
	store    Pinger
	services map[string]bool
	ttl      time.Duration
	now      func() time.Time

	mu  sync.Mutex // held across a ping, so that concurrent checks share one
	at  time.Time  // when err was found; zero before the first ping
	err error
}

func newPingChecker(store Pinger, services []string, ttl time.Duration) *pingChecker {
	c := &pingChecker{store: store, services: map[string]bool{}, ttl: ttl, now: time.Now}
	for _, s := range services {
		c.services[s] = true
	}
	return c
}

// Check implements grpchealth.Checker. The empty service name asks about
// the whole process, which serves nothing useful without its store either.
func (c *pingChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	if req.Service != "" && !c.services[req.Service] {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("unknown service %q", req.Service))
	}
	if c.ping(ctx) != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// Watch implements grpchealth.Watcher, so that the Watch RPC keeps working
// as it did with the static checker: it asks the handler to check again
// every ttl, and the handler sends only the changes.
func (c *pingChecker) Watch(_ context.Context, req *grpchealth.CheckRequest, onChange func()) (func(), error) {
	if req.Service != "" && !c.services[req.Service] {
		return nil, connect.NewError(connect.CodeNotFound, fmt.Errorf("unknown service %q", req.Service))
	}
	t := time.NewTicker(c.ttl)
	done := make(chan struct{})
	go func() {
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				onChange()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }, nil
}

// ping is the store's answer, pinging it again when the last answer is
// older than ttl. A ping is bounded by ttl too, whatever the caller's
// deadline, so that a hung database reads as down and not as a hung check;
// it does not end with the caller's request, since its answer is shared.
func (c *pingChecker) ping(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); c.at.IsZero() || now.Sub(c.at) >= c.ttl {
		pingCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ttl)
		c.err = c.store.Ping(pingCtx)
		cancel()
		c.at = c.now()
	}
	return c.err
}
