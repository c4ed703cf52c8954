package otlp

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
)

// rawResponse is what the gRPC handler answers: the signal's export
// response, which the handler, serving every signal alike, knows only as a
// message.
type rawResponse struct{ msg proto.Message }

// rawRequest is what the gRPC handler receives: the export as the client
// sent it. Protobuf stays bytes for the scanner; JSON (Connect and gRPC-Web
// clients may use it) is decoded.
type rawRequest struct {
	req ingest.Request
	buf *bytes.Buffer // holds req.Proto; give it back with release
}

// release gives the request's buffer back once it has been consumed.
func (r *rawRequest) release() {
	putBody(r.buf)
	r.buf, r.req = nil, ingest.Request{}
}

// rawCodec hands the handler protobuf request bytes instead of a decoded
// message, so that the handler can scan them without materialising values.
// Responses are ordinary messages.
type rawCodec struct {
	spec  *signalSpec
	json  bool
	depth int
}

func (c rawCodec) Name() string {
	if c.json {
		return "json"
	}
	return "proto"
}

func (c rawCodec) Marshal(v any) ([]byte, error) {
	if r, ok := v.(*rawResponse); ok {
		v = r.msg
	}
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("cannot marshal %T", v)
	}
	if c.json {
		return protojson.Marshal(m)
	}
	return proto.Marshal(m)
}

func (c rawCodec) Unmarshal(data []byte, v any) error {
	switch x := v.(type) {
	case *rawRequest:
		if c.json {
			x.req = ingest.Request{Signal: c.spec.sig, Decoded: c.spec.newRequest()}
			return jsonCodecWithDepth(c.depth).unmarshal(data, x.req.Decoded)
		}
		// connect reuses data's buffer once Unmarshal returns.
		x.buf = getBody(len(data))
		x.buf.Write(data)
		x.req = ingest.Request{Signal: c.spec.sig, Proto: x.buf.Bytes()}
		return nil
	case proto.Message:
		if c.json {
			return jsonCodec.unmarshal(data, x)
		}
		return proto.Unmarshal(data, x)
	}
	return fmt.Errorf("cannot unmarshal into %T", v)
}
