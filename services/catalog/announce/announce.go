// Package announce sends what the catalog learns as OpenTelemetry events (OTLP
// log records with an event name), so that teams alert on drift with the
// pipeline they already run: each new finding of conformance, and each
// schema change a recorded batch made. Records go through the
// OpenTelemetry Go SDK's batching log processor to an OTLP/gRPC receiver,
// under the catalog's own resource.
//
// A finding is the event tallycat.finding, modelled on Weaver live-check's
// weaver.live_check.finding: its body is the finding's message, its
// severity follows the level as Weaver maps it (violation ERROR, improvement
// WARN, information INFO, the severity text being the severity's name),
// and its attributes are
//
//	tallycat.finding.id                       the finding id, e.g. unit_mismatch
//	tallycat.finding.level                    violation, improvement or information
//	tallycat.finding.signal.type              metric
//	tallycat.finding.signal.name              the metric key
//	tallycat.finding.sample.type              attribute when the finding is about one, else metric
//	tallycat.finding.context.attribute_key    the attribute, where there is one
//	tallycat.finding.context.expected         what the registry (or the other producers) expect, where set
//	tallycat.finding.context.actual           what was seen, where set
//	tallycat.finding.context.replacement      what replaces a deprecated name, where set
//	tallycat.schema.id                        the schema judged
//	tallycat.finding.service.names            the services producing it (string array, sorted)
//	tallycat.finding.producers                its releases as "namespace/name version" (string array)
//
// A schema change is the event tallycat.schema.change, at severity INFO, for
// a schema first seen and for a release moving to a larger schema (its
// union grew); its body is the entry as the timeline reads it, its
// timestamp when the change happened in the data, and its attributes are
//
//	tallycat.schema.change.kind               schema_first_seen or producer_moved
//	tallycat.schema.key                       the metric key
//	tallycat.schema.id                        the new schema, or the schema the release left
//	tallycat.schema.change.target_id          the schema the release moved to (moves)
//	tallycat.schema.change.added_attributes   the data point attribute keys the move added (string array)
//	tallycat.producer.service.name            the producer's service name
//	tallycat.producer.service.namespace       its namespace, where set
//	tallycat.producer.service.version         its version, where set
//	tallycat.producer.service.instance.id     the instance a new schema was first seen from
package announce

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/tallycat/tallycat/internal/version"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// The event names.
const (
	FindingEvent      = "tallycat.finding"
	SchemaChangeEvent = "tallycat.schema.change"
)

// MaxQueued bounds the records waiting to be sent. A judging after a
// registry or configuration change can find thousands of new findings at
// once; past this many waiting, the oldest are dropped.
const MaxQueued = 16384

// ShutdownTimeout bounds how long Shutdown tries to send what is left.
const ShutdownTimeout = 5 * time.Second

// Emitter sends findings and schema changes as OTLP log records. Its methods
// never block on the network: records are queued and sent in batches.
type Emitter struct {
	provider *sdklog.LoggerProvider
	logger   log.Logger
	now      func() time.Time
}

// CheckEndpoint reports whether endpoint is one New accepts: host:port
// (plain text, as --telemetry-otlp-endpoint), or an http:// (plain text) or
// https:// (TLS) URL.
func CheckEndpoint(endpoint string) error {
	if !strings.Contains(endpoint, "://") {
		if _, port, err := net.SplitHostPort(endpoint); err != nil || port == "" {
			return fmt.Errorf("%q is not host:port or an http:// or https:// URL", endpoint)
		}
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: want host:port or an http:// or https:// URL with a host", endpoint)
	}
	return nil
}

// New returns an Emitter that sends to the OTLP/gRPC receiver at endpoint
// (see CheckEndpoint) under resource res, with short timeouts and retries:
// events matter more than the catalog's own metrics, but never enough to
// hold up a request or a shutdown.
func New(ctx context.Context, endpoint string, res *resource.Resource) (*Emitter, error) {
	if err := CheckEndpoint(endpoint); err != nil {
		return nil, err
	}
	opts := []otlploggrpc.Option{
		otlploggrpc.WithTimeout(5 * time.Second),
		otlploggrpc.WithRetry(otlploggrpc.RetryConfig{Enabled: true, InitialInterval: time.Second, MaxInterval: 5 * time.Second, MaxElapsedTime: 30 * time.Second}),
	}
	if strings.Contains(endpoint, "://") {
		opts = append(opts, otlploggrpc.WithEndpointURL(endpoint))
	} else {
		opts = append(opts, otlploggrpc.WithEndpoint(endpoint), otlploggrpc.WithInsecure())
	}
	exp, err := otlploggrpc.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("events exporter: %w", err)
	}
	return NewWithExporter(exp, res), nil
}

// ScopeName is the instrumentation scope of the records. It is the path
// this package had when it was called events, kept when it was renamed so
// that a Collector's routing or filters on the scope keep working.
const ScopeName = "github.com/tallycat/tallycat/services/catalog/events"

// NewWithExporter returns an Emitter that sends through exp, batched.
func NewWithExporter(exp sdklog.Exporter, res *resource.Resource) *Emitter {
	p := sdklog.NewLoggerProvider(sdklog.WithResource(res),
		sdklog.WithProcessor(sdklog.NewBatchProcessor(exp, sdklog.WithMaxQueueSize(MaxQueued))))
	return &Emitter{
		provider: p,
		logger:   p.Logger(ScopeName, log.WithInstrumentationVersion(version.String())),
		now:      time.Now,
	}
}

// EmitFindings sends each finding as a tallycat.finding event; it has the
// signature of conformance.Findings.OnNew.
func (e *Emitter) EmitFindings(findings []conformance.Finding) {
	now := e.now()
	for _, f := range findings {
		r := FindingRecord(f)
		r.SetTimestamp(now)
		r.SetObservedTimestamp(now)
		e.logger.Emit(context.Background(), r)
	}
}

// EmitSchemaChanges sends the schemas first seen and the releases moved
// among events as tallycat.schema.change events; other timeline entries
// are not sent. It implements api.SchemaChangeEmitter.
func (e *Emitter) EmitSchemaChanges(ctx context.Context, events []catalog.Event) {
	now := e.now()
	for _, ev := range events {
		if r, ok := SchemaChangeRecord(ev); ok {
			r.SetObservedTimestamp(now)
			e.logger.Emit(context.WithoutCancel(ctx), r)
		}
	}
}

// Flush sends what is queued now.
func (e *Emitter) Flush(ctx context.Context) error {
	return e.provider.ForceFlush(ctx)
}

// Shutdown sends what is left, for at most ShutdownTimeout, and stops the
// exporter; later events are dropped.
func (e *Emitter) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ShutdownTimeout)
	defer cancel()
	err := e.provider.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("events not all sent within %s: %w", ShutdownTimeout, err)
	}
	return err
}
