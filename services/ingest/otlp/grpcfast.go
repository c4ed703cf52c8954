package otlp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/connect"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/ingest"
)

// fastGRPC serves the call nearly every OTLP/gRPC exporter makes, an
// uncompressed protobuf Export over HTTP/2, without going through connect:
// it reads the message into a pooled buffer sized by its length prefix.
// connect reads it into a buffer that starts at 512 bytes and doubles, and
// its pool is emptied by every garbage collection, so that at fleet load each
// request allocated twice its size and the collector ran all the time
// (docs/BENCHMARKS.md). Every other request (compressed, gRPC-Web, Connect,
// JSON, HTTP/1) and every one this path cannot answer cleanly is served by
// connect, with what was read handed back to it, so the two paths answer
// alike.
type fastGRPC struct {
	spec     *signalSpec
	consumer ingest.Consumer
	maxBytes int64
	tokens   *auth.Tokens
	connect  http.Handler
}

// eligible reports whether the request is one the fast path serves, from
// its headers alone.
func (h *fastGRPC) eligible(r *http.Request) bool {
	if r.Method != http.MethodPost || r.ProtoMajor != 2 {
		return false
	}
	switch r.Header.Get("Content-Type") {
	case "application/grpc", "application/grpc+proto":
	default:
		return false
	}
	switch r.Header.Get("Grpc-Encoding") {
	case "", "identity":
	default:
		return false
	}
	if h.tokens != nil {
		if _, ok := h.tokens.Identify(r.Header.Get("Authorization")); !ok {
			return false // connect's interceptor says why
		}
	}
	return true
}

func (h *fastGRPC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.eligible(r) {
		h.connect.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	if v := r.Header.Get("Grpc-Timeout"); v != "" {
		timeout, err := grpcTimeout(v)
		if err != nil {
			h.connect.ServeHTTP(w, r) // connect names the bad header
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var prefix [5]byte
	if n, err := io.ReadFull(r.Body, prefix[:]); err != nil {
		h.replay(w, r, prefix[:n])
		return
	}
	size := int64(binary.BigEndian.Uint32(prefix[1:]))
	if prefix[0] != 0 || size > h.maxBytes {
		h.replay(w, r, prefix[:])
		return
	}
	buf := getBody(5 + int(size))
	defer putBody(buf)
	buf.Write(prefix[:])
	if _, err := io.CopyN(buf, r.Body, size); err != nil {
		h.replay(w, r, buf.Bytes())
		return
	}
	// A unary call carries exactly one message.
	if extra, err := atEOF(r.Body); err != nil || len(extra) > 0 {
		h.replay(w, r, append(buf.Bytes(), extra...))
		return
	}
	if err := ctx.Err(); err != nil {
		// As connect answers a call whose deadline passed before it ran.
		code := connect.CodeDeadlineExceeded
		if errors.Is(err, context.Canceled) {
			code = connect.CodeCanceled
		}
		writeGRPCError(w, connect.NewError(code, err))
		return
	}
	res, err := h.consumer.Consume(ctx, ingest.Request{Signal: h.spec.sig, Proto: buf.Bytes()[5:]})
	if err != nil {
		writeGRPCError(w, toConnectError(err))
		return
	}
	msg, err := proto.Marshal(h.spec.answer(res))
	if err != nil {
		writeGRPCError(w, connect.NewError(connect.CodeInternal, err))
		return
	}
	w.Header().Set("Content-Type", "application/grpc")
	w.Header().Set("Trailer", "Grpc-Status")
	w.WriteHeader(http.StatusOK)
	out := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg)))
	w.Write(append(out, msg...))
	w.Header().Set("Grpc-Status", "0")
}

// replay hands the request to connect with the bytes already read put back
// in front of the rest of the body.
func (h *fastGRPC) replay(w http.ResponseWriter, r *http.Request, read []byte) {
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(read), r.Body), r.Body}
	h.connect.ServeHTTP(w, r)
}

// atEOF reads what is left of body, expecting nothing; it returns at most a
// little of any data it finds.
func atEOF(body io.Reader) ([]byte, error) {
	var b [16]byte
	for {
		n, err := body.Read(b[:])
		if n > 0 {
			return b[:n], nil
		}
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// writeGRPCError answers a failed call with no message and the status in
// the trailers, as connect does: its code, its message percent-encoded, and
// its details (RetryInfo, say) in grpc-status-details-bin.
func writeGRPCError(w http.ResponseWriter, ce *connect.Error) {
	st := &spb.Status{Code: int32(ce.Code()), Message: ce.Message()}
	for _, d := range ce.Details() {
		st.Details = append(st.Details, &anypb.Any{TypeUrl: "type.googleapis.com/" + d.Type(), Value: d.Bytes()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/grpc")
	h.Set("Trailer", "Grpc-Status, Grpc-Message, Grpc-Status-Details-Bin")
	w.WriteHeader(http.StatusOK)
	h.Set("Grpc-Status", strconv.Itoa(int(ce.Code())))
	h.Set("Grpc-Message", percentEncode(ce.Message()))
	if len(st.Details) > 0 {
		if b, err := proto.Marshal(st); err == nil {
			h.Set("Grpc-Status-Details-Bin", base64.RawStdEncoding.EncodeToString(b))
		}
	}
}

// percentEncode encodes a grpc-message as the gRPC specification asks:
// printable ASCII but '%' as is, every other byte as %XX.
func percentEncode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '%' {
			b = append(b, c)
			continue
		}
		b = fmt.Appendf(b, "%%%02X", c)
	}
	return string(b)
}

// grpcTimeout parses a grpc-timeout header: at most eight digits and a unit.
func grpcTimeout(v string) (time.Duration, error) {
	if len(v) < 2 || len(v) > 9 {
		return 0, fmt.Errorf("grpc-timeout %q: want 1 to 8 digits and a unit", v)
	}
	n, err := strconv.ParseInt(v[:len(v)-1], 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("grpc-timeout %q: want 1 to 8 digits and a unit", v)
	}
	unit := map[byte]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second,
		'm': time.Millisecond, 'u': time.Microsecond, 'n': time.Nanosecond}[v[len(v)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("grpc-timeout %q: unknown unit", v)
	}
	if n > int64(1<<63-1)/int64(unit) {
		return 1<<63 - 1, nil
	}
	return time.Duration(n) * unit, nil
}
