package infer

import (
	"fmt"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
)

// ScanTraces returns the observations of a protobuf-encoded
// ExportTraceServiceRequest. It decodes the request and infers from the
// message, bounded by the nesting limit in force.
func (in *Inferrer) ScanTraces(b []byte) (ingest.Result, error) {
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := (proto.UnmarshalOptions{RecursionLimit: in.limits.Depth()}).Unmarshal(b, req); err != nil {
		return ingest.Result{}, fmt.Errorf("proto: %w", err)
	}
	return in.InferTraces(req), nil
}

// ScanLogs returns the observations of a protobuf-encoded
// ExportLogsServiceRequest. It decodes the request and infers from the
// message, bounded by the nesting limit in force.
func (in *Inferrer) ScanLogs(b []byte) (ingest.Result, error) {
	req := &collogspb.ExportLogsServiceRequest{}
	if err := (proto.UnmarshalOptions{RecursionLimit: in.limits.Depth()}).Unmarshal(b, req); err != nil {
		return ingest.Result{}, fmt.Errorf("proto: %w", err)
	}
	return in.InferLogs(req), nil
}
