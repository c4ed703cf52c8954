package e2e

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/sdkcapture"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// capturedFleet is how many instances replay each captured export: enough
// that the ingest sees a release's requests interleaved from many
// producers, each with its own series, and pools their figures as it does
// a fleet's; few enough that the pairs they add (a few thousand) leave the
// ingest near the 100,000 known pairs its memory is measured with.
const capturedFleet = 100

// capturedExport is a real export, the service the ingest reads in it,
// how many data points it carries, as the ingest counts them, and how many
// schemas the catalog files them in (one a metric name).
type capturedExport struct {
	name, service string
	schemas       int
	export
}

// benchCaptured replays real exports through BenchmarkOTLPLoopback's
// ingests: the ones infer's BenchmarkScanCaptured scans in process, the Go
// SDK's export of an HTTP server and a Collector's of its hostmetrics
// receiver (see capturedExports), over OTLP/gRPC and OTLP/HTTP, to each
// ingest in turn, with the yardstick's clients and figures.
//
// A replay must look like a fleet to the ingest where it matters, and one
// body sent again and again would be one instance exporting thousands of
// times a second: the same series each time, so the cost figures would
// count a few hundred series where a fleet makes thousands. So the export
// is sent by capturedFleet instances of its release, each with its own
// service.instance.id, added to every resource of the captured bytes
// (withInstance); a series' hash covers its resource, so each instance's
// series are its own, and the release's instances share the pools of its
// figures. Timestamps and values are replayed as captured: the ingest
// reads neither (it skips them as it reads, whatever they hold) and sends
// the catalog its own clock, so fresh ones would cost it the same. Each
// ingest's fleet has its own ids, and every instance sends once before
// anything is measured, until the catalog lists them all, so that the
// measurement starts with no new producer pending.
func benchCaptured(b *testing.B, ingests []loopbackIngest) {
	for _, c := range capturedExports(b) {
		b.Run(c.name, func(b *testing.B) {
			fleets := make([][][]byte, len(ingests))
			warm := &http.Client{}
			for i, in := range ingests {
				fleets[i] = fleetOf(b, c, i)
				for _, body := range fleets[i] {
					sendAccepted(b, warm, in.stack, body)
				}
			}
			for i, in := range ingests {
				waitForProducers(b, in.stack, c.service, instancePrefix(i), capturedFleet, c.schemas)
			}
			for _, protocol := range loopbackProtocols {
				for i, in := range ingests {
					senders := make([]sender, len(fleets[i]))
					for n, body := range fleets[i] {
						senders[n] = loopbackSender(protocol, in.stack, body)
					}
					client := loopbackClient(protocol)
					b.Run(protocol+"/"+in.name, func(b *testing.B) {
						measureIngest(b, in.stack.ingest, c.items, func(call int) error { return senders[call%len(senders)](client) })
					})
				}
			}
		})
	}
}

// capturedExports are the exports infer's BenchmarkScanCaptured scans: one
// of the OpenTelemetry Go SDK instrumenting an HTTP server (the semantic
// conventions' instruments and attributes, 4 methods × 10 routes × 3
// status codes), captured from the SDK by sdkcapture, which infer's
// benchmark captures it with too, so that both replay the same export;
// and one of a Collector's hostmetrics receiver (services/ingest/testdata).
func capturedExports(b *testing.B) []capturedExport {
	hostmetrics, err := os.ReadFile(repoRoot + "/services/ingest/testdata/collector-hostmetrics.pb")
	if err != nil {
		b.Fatal(err)
	}
	return []capturedExport{
		readCaptured(b, "go-sdk-http-server", sdkcapture.HTTPServerExport(b)),
		readCaptured(b, "collector-hostmetrics", hostmetrics),
	}
}

// readCaptured reads what the ingest reads in body: its data points and
// its service, which must be one and carry no service.instance.id, so
// that the fleet's ids are the only ones.
func readCaptured(b *testing.B, name string, body []byte) capturedExport {
	req := &colmetricpb.ExportMetricsServiceRequest{}
	if err := proto.Unmarshal(body, req); err != nil {
		b.Fatalf("captured export %s: %v", name, err)
	}
	c := capturedExport{name: name, export: export{body: body}}
	for _, o := range infer.New().Infer(req).Observations {
		c.items += int(o.DataPoints)
		if c.service != "" && o.Producer.ServiceName != c.service {
			b.Fatalf("captured export %s has services %q and %q; the fleet replays one", name, c.service, o.Producer.ServiceName)
		}
		c.service = o.Producer.ServiceName
		if o.Producer.ServiceInstanceID != "" {
			b.Fatalf("captured export %s already has service.instance.id %q", name, o.Producer.ServiceInstanceID)
		}
	}
	if c.items == 0 {
		b.Fatalf("captured export %s holds no data points", name)
	}
	names := map[string]bool{}
	for _, rm := range req.ResourceMetrics {
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				names[m.Name] = true
			}
		}
	}
	c.schemas = len(names)
	return c
}

// instancePrefix starts the service.instance.id of every instance of the
// fleet of BenchmarkOTLPLoopback's ingest number ingest.
func instancePrefix(ingest int) string { return fmt.Sprintf("%08d-", ingest) }

// fleetOf is c's export as each instance of the fleet of ingest number
// ingest sends it, each with a service.instance.id shaped like the UUIDs
// SDKs make. The first is read back to check that it is the capture with
// the id added and nothing else changed.
func fleetOf(b *testing.B, c capturedExport, ingest int) [][]byte {
	fleet := make([][]byte, capturedFleet)
	for i := range fleet {
		id := fmt.Sprintf("%s0000-4000-8000-%012d", instancePrefix(ingest), i)
		body, err := withInstance(c.body, id)
		if err != nil {
			b.Fatalf("adding service.instance.id to captured export %s: %v", c.name, err)
		}
		fleet[i] = body
	}
	want, got := &colmetricpb.ExportMetricsServiceRequest{}, &colmetricpb.ExportMetricsServiceRequest{}
	if err := proto.Unmarshal(c.body, want); err != nil {
		b.Fatal(err)
	}
	if err := proto.Unmarshal(fleet[0], got); err != nil {
		b.Fatalf("captured export %s with service.instance.id added: %v", c.name, err)
	}
	for i, rm := range got.ResourceMetrics {
		attrs := rm.GetResource().GetAttributes()
		if len(attrs) == 0 || attrs[len(attrs)-1].Key != "service.instance.id" || !strings.HasPrefix(attrs[len(attrs)-1].Value.GetStringValue(), instancePrefix(ingest)) {
			b.Fatalf("captured export %s: a resource lacks the added service.instance.id: %v", c.name, rm.GetResource())
		}
		rm.Resource.Attributes = attrs[:len(attrs)-1]
		if i < len(want.ResourceMetrics) && want.ResourceMetrics[i].Resource == nil && proto.Size(rm.Resource) == 0 {
			rm.Resource = nil // made by withInstance where the capture had none
		}
	}
	if !proto.Equal(got, want) {
		b.Fatalf("captured export %s changed beyond the added service.instance.id", c.name)
	}
	return fleet
}

// withInstance returns the export req with a service.instance.id resource
// attribute of id added last to each of its resources (a resource made
// where there is none), every other byte as captured, so that the replay
// keeps the exporter's encoding.
func withInstance(req []byte, id string) ([]byte, error) {
	value, _ := proto.Marshal(&commonpb.KeyValue{Key: "service.instance.id", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: id}}})
	attr := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), value) // Resource.attributes
	// ExportMetricsServiceRequest.resource_metrics, then ResourceMetrics.resource.
	return rewriteField(req, 1, func(rm []byte) ([]byte, error) {
		found := false
		out, err := rewriteField(rm, 1, func(res []byte) ([]byte, error) {
			found = true
			return append(slices.Clip(res), attr...), nil
		})
		if err == nil && !found {
			out = append(protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), attr), out...)
		}
		return out, err
	})
}

// rewriteField returns msg with the value of each length-delimited field
// num replaced by what edit makes of it, every other field as it was.
func rewriteField(msg []byte, num protowire.Number, edit func([]byte) ([]byte, error)) ([]byte, error) {
	var out []byte
	for len(msg) > 0 {
		n, typ, tagLen := protowire.ConsumeTag(msg)
		if tagLen < 0 {
			return nil, protowire.ParseError(tagLen)
		}
		valueLen := protowire.ConsumeFieldValue(n, typ, msg[tagLen:])
		if valueLen < 0 {
			return nil, fmt.Errorf("field %d: %w", n, protowire.ParseError(valueLen))
		}
		if n == num && typ == protowire.BytesType {
			value, _ := protowire.ConsumeBytes(msg[tagLen:])
			edited, err := edit(value)
			if err != nil {
				return nil, fmt.Errorf("field %d: %w", n, err)
			}
			out = protowire.AppendBytes(protowire.AppendTag(out, n, typ), edited)
		} else {
			out = append(out, msg[:tagLen+valueLen]...)
		}
		msg = msg[tagLen+valueLen:]
	}
	return out, nil
}
