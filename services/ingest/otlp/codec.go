package otlp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
)

// Content types of OTLP/HTTP.
const (
	contentTypeProtobuf = "application/x-protobuf"
	contentTypeJSON     = "application/json"
)

// codec encodes and decodes one OTLP/HTTP content type.
type codec struct {
	contentType string
	unmarshal   func([]byte, proto.Message) error
	marshal     func(proto.Message) ([]byte, error)
}

var (
	protobufCodec = codec{contentTypeProtobuf, proto.Unmarshal, proto.Marshal}
	// OTLP/JSON: lowerCamelCase keys, enums as integers, 64-bit integers as
	// strings or numbers, unknown fields ignored; protojson reads all of
	// these. Trace and span ids (of spans, links, log records and
	// exemplars) are hex where protojson expects base64; hex digits are
	// valid base64 and OTLP's ids are 32 or 16 of them, a whole number of
	// base64 quanta, so they decode without error, and inference never
	// reads them.
	jsonCodec = jsonCodecWithDepth(0)
)

// jsonCodecWithDepth is the OTLP/JSON codec refusing nesting deeper than
// depth (0: protojson's default), the same limit the protobuf scanner keeps.
func jsonCodecWithDepth(depth int) codec {
	return codec{
		contentTypeJSON,
		protojson.UnmarshalOptions{DiscardUnknown: true, RecursionLimit: depth}.Unmarshal,
		protojson.MarshalOptions{UseEnumNumbers: true}.Marshal,
	}
}

// codecFor returns the codec of a Content-Type header, or an error naming
// what is supported.
func codecFor(header string) (codec, error) { return codecForDepth(header, 0) }

func codecForDepth(header string, depth int) (codec, error) {
	mt, _, err := mime.ParseMediaType(header)
	if err == nil {
		switch mt {
		case contentTypeProtobuf, "application/protobuf":
			return protobufCodec, nil
		case contentTypeJSON:
			return jsonCodecWithDepth(depth), nil
		}
	}
	return codec{}, fmt.Errorf("unsupported Content-Type %q: use %s or %s", header, contentTypeProtobuf, contentTypeJSON)
}

var errEncoding = errors.New("unsupported Content-Encoding")

// readBody reads the request body into a pooled buffer (give it back with
// putBody), decompressing gzip or zstd, and refuses more than maxBytes after
// decompression, so that a small compressed bomb cannot make the ingest
// allocate without bound.
func readBody(r *http.Request, maxBytes int64) (*bytes.Buffer, error) {
	var body io.Reader = r.Body
	hint := int64(bytes.MinRead)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		if r.ContentLength > 0 {
			hint += min(r.ContentLength, maxBytes)
		}
	case "gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		body = zr
	case "zstd":
		zr, err := zstd.NewReader(r.Body, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(maxBytes)+1))
		if err != nil {
			return nil, fmt.Errorf("zstd body: %w", err)
		}
		defer zr.Close()
		body = zr
	default:
		return nil, fmt.Errorf("%w %q: use gzip, zstd or none", errEncoding, enc)
	}
	b := getBody(int(hint))
	if _, err := b.ReadFrom(io.LimitReader(body, maxBytes+1)); err != nil {
		putBody(b)
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if int64(b.Len()) > maxBytes {
		putBody(b)
		return nil, fmt.Errorf("%w: more than %d bytes after decompression", errTooLarge, maxBytes)
	}
	return b, nil
}

// request turns a body of a signal into what the consumer takes: protobuf
// stays bytes, to be scanned; JSON is decoded here.
func request(c codec, sp *signalSpec, b []byte) (ingest.Request, error) {
	if c.contentType == contentTypeProtobuf {
		return ingest.Request{Signal: sp.sig, Proto: b}, nil
	}
	req := sp.newRequest()
	if err := c.unmarshal(b, req); err != nil {
		return ingest.Request{}, fmt.Errorf("%w %s body: %v", ingest.ErrMalformed, c.contentType, err)
	}
	return ingest.Request{Signal: sp.sig, Decoded: req}, nil
}
