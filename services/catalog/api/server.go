package api

import (
	"context"
	"net/http"

	"connectrpc.com/connect"
	connectcors "connectrpc.com/cors"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"connectrpc.com/validate"
	"github.com/rs/cors"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
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
	// Findings answers ConformanceService; nil judges against the built-in
	// semantic conventions, on demand.
	Findings *catalog.Findings
	// SchemaChanges hears of the timeline entries each recorded batch
	// wrote; nil tells no one.
	SchemaChanges SchemaChangeEmitter
}

// ServiceNames are the services the catalog serves, for health and
// reflection.
var ServiceNames = []string{
	tallycatv1connect.CatalogServiceName,
	tallycatv1connect.VersioningServiceName,
	tallycatv1connect.ObservationServiceName,
	tallycatv1connect.ConformanceServiceName,
}

// NewHandler returns the catalog's whole HTTP surface: the three Connect
// services (Connect, gRPC and gRPC-Web), gRPC health, server reflection and
// the UI, with CORS for the configured origins.
func NewHandler(store catalog.Store, opts Options) http.Handler {
	interceptors := append(append([]connect.Interceptor{}, opts.Interceptors...), validate.NewInterceptor())
	handlerOpts := []connect.HandlerOption{connect.WithInterceptors(interceptors...)}

	mux := http.NewServeMux()
	mux.Handle(tallycatv1connect.NewCatalogServiceHandler(&CatalogHandler{Store: store}, handlerOpts...))
	mux.Handle(tallycatv1connect.NewVersioningServiceHandler(&VersioningHandler{Store: store}, handlerOpts...))
	findings := opts.Findings
	if findings == nil {
		reg, err := semconv.Builtin()
		if err != nil {
			panic("the built-in semantic conventions do not load: " + err.Error())
		}
		findings = &catalog.Findings{Store: store, Judge: catalog.Judge{Registry: reg}}
	}
	// New schemas are judged within a second, whoever else hears of them.
	changes := emitters{&catalog.Rejudge{Findings: findings}}
	if opts.SchemaChanges != nil {
		changes = append(changes, opts.SchemaChanges)
	}
	mux.Handle(tallycatv1connect.NewObservationServiceHandler(&ObservationHandler{Store: store, Changes: changes}, handlerOpts...))
	mux.Handle(tallycatv1connect.NewConformanceServiceHandler(&ConformanceHandler{Findings: findings}, handlerOpts...))
	mux.Handle(grpchealth.NewHandler(grpchealth.NewStaticChecker(ServiceNames...)))
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
