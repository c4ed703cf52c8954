package otlp

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/ingest"
)

// NewHTTPHandler returns the OTLP/HTTP metrics handler. maxBytes bounds a
// request body after decompression; maxDepth the nesting of a JSON body (0:
// the default), as the scanner bounds protobuf.
func NewHTTPHandler(consumer ingest.Consumer, maxBytes int64, maxDepth int) http.Handler {
	return NewHTTPHandlerFor(schemaid.Metric, consumer, maxBytes, maxDepth)
}

// NewHTTPHandlerFor returns the OTLP/HTTP handler of a signal, to be served
// at Path(sig), with the bounds NewHTTPHandler has.
func NewHTTPHandlerFor(sig schemaid.Signal, consumer ingest.Consumer, maxBytes int64, maxDepth int) http.Handler {
	sp := specOf(sig)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeStatus(w, jsonCodec, http.StatusMethodNotAllowed, connect.CodeUnimplemented, "OTLP/HTTP "+sp.noun+" are sent with POST")
			return
		}
		c, err := codecForDepth(r.Header.Get("Content-Type"), maxDepth)
		if err != nil {
			writeStatus(w, jsonCodec, http.StatusUnsupportedMediaType, connect.CodeInvalidArgument, err.Error())
			return
		}
		body, err := readBody(r, maxBytes)
		if errors.Is(err, errEncoding) {
			writeStatus(w, c, http.StatusUnsupportedMediaType, connect.CodeInvalidArgument, err.Error())
			return
		}
		defer putBody(body)
		var req ingest.Request
		if err == nil {
			req, err = request(c, sp, body.Bytes())
		}
		if err == nil {
			var res ingest.Result
			res, err = consumer.Consume(r.Context(), req)
			if err == nil {
				writeMessage(w, c, http.StatusOK, sp.answer(res))
				return
			}
		}
		ce := toConnectError(err)
		status := httpStatus(ce.Code())
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter.Seconds())))
		}
		writeStatus(w, c, status, ce.Code(), ce.Message())
	})
}

// writeStatus answers with a google.rpc.Status body, as OTLP/HTTP requires,
// in the request's encoding.
func writeStatus(w http.ResponseWriter, c codec, status int, code connect.Code, msg string) {
	// The message may quote the request, whose bytes need not be UTF-8; a
	// protobuf string must be.
	writeMessage(w, c, status, &spb.Status{Code: int32(code), Message: strings.ToValidUTF8(msg, "\uFFFD")})
}

func writeMessage(w http.ResponseWriter, c codec, status int, m proto.Message) {
	b, err := c.marshal(m)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", c.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
