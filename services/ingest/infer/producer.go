package infer

import (
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"

	"github.com/tallycat/tallycat/services/ingest"
)

// UnknownService is the service name the OpenTelemetry specification gives
// a resource without service.name.
const UnknownService = "unknown_service"

// producerOf reads the producer identity from decoded resource attributes.
func producerOf(attrs []*commonpb.KeyValue) ingest.Producer {
	var b producerBuilder
	for _, kv := range attrs {
		if identityKey(kv.GetKey()) {
			b.add(kv.GetKey(), text(kv.GetValue()))
		}
	}
	return b.producer()
}

// producerBuilder gathers a producer identity from resource attributes as a
// reader meets them: the one place that says which attributes make it, so
// that the scanner and the decoded path agree.
type producerBuilder struct {
	p          ingest.Producer
	executable string
}

// identityKey reports whether a resource attribute key is part of the
// identity, so that a reader renders its value as text only then.
func identityKey(key string) bool {
	switch key {
	case "service.name", "service.namespace", "service.version", "service.instance.id", "process.executable.name":
		return true
	}
	return false
}

// add takes one resource attribute with its value as text (see text);
// keys that are not part of the identity change nothing.
func (b *producerBuilder) add(key, text string) {
	switch key {
	case "service.name":
		b.p.ServiceName = text
	case "service.namespace":
		b.p.ServiceNamespace = text
	case "service.version":
		b.p.ServiceVersion = text
	case "service.instance.id":
		b.p.ServiceInstanceID = text
	case "process.executable.name":
		b.executable = text
	}
}

// producer is the identity gathered. Without service.name it follows the
// specification's SDK fallback: unknown_service, with ":" and
// process.executable.name when that is known.
func (b *producerBuilder) producer() ingest.Producer {
	p := b.p
	if p.ServiceName == "" {
		p.ServiceName = UnknownService
		if b.executable != "" {
			p.ServiceName += ":" + b.executable
		}
	}
	return p
}

// text renders an identity attribute's value as text; identity attributes
// are strings by convention, but a producer may send another type.
func text(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_DoubleValue:
		return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
	}
	return ""
}

// identityText is text for a raw AnyValue member, as text renders the
// decoded value.
func identityText(num protowire.Number, v []byte) string {
	switch num {
	case 1:
		return str(v)
	case 2:
		return strconv.FormatBool(varint(v) != 0)
	case 3:
		return strconv.FormatInt(int64(varint(v)), 10)
	case 4:
		bits, _ := protowire.ConsumeFixed64(v)
		return strconv.FormatFloat(math.Float64frombits(bits), 'g', -1, 64)
	}
	return ""
}
