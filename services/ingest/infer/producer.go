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

// producerOf reads the producer identity from resource attributes. Without
// service.name it follows the specification's SDK fallback:
// unknown_service, with ":" and process.executable.name when that is known.
func producerOf(attrs []*commonpb.KeyValue) ingest.Producer {
	var p ingest.Producer
	var executable string
	for _, kv := range attrs {
		switch kv.GetKey() {
		case "service.name":
			p.ServiceName = text(kv.GetValue())
		case "service.namespace":
			p.ServiceNamespace = text(kv.GetValue())
		case "service.version":
			p.ServiceVersion = text(kv.GetValue())
		case "service.instance.id":
			p.ServiceInstanceID = text(kv.GetValue())
		case "process.executable.name":
			executable = text(kv.GetValue())
		}
	}
	if p.ServiceName == "" {
		p.ServiceName = UnknownService
		if executable != "" {
			p.ServiceName += ":" + executable
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
