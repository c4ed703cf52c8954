package otlp

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/auth"
	"github.com/tallycat/tallycat/services/ingest"
)

// echoConsumer accepts every request, counting its bytes as data points,
// or fails with err.
type echoConsumer struct{ err error }

func (c echoConsumer) Consume(_ context.Context, req ingest.Request) (ingest.Result, error) {
	if c.err != nil {
		return ingest.Result{}, c.err
	}
	if len(req.Proto) > 0 && req.Proto[0] == 0xff {
		return ingest.Result{}, ingest.ErrMalformed
	}
	res := ingest.Result{DataPoints: int64(len(req.Proto))}
	res.Reject(1, "one point refused, out of %d bytes", len(req.Proto))
	return res, nil
}

// TestFastGRPCAnswersAsConnect sends the same raw gRPC calls to the fast
// path and to connect alone, and requires the same answer from both: the
// fast path is an optimisation, never a second behaviour.
func TestFastGRPCAnswersAsConnect(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokenFile, []byte("collector:s3cret-s3cret-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens, err := auth.Load(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{}}})
	frame := func(flags byte, m []byte) []byte {
		return append(binary.BigEndian.AppendUint32([]byte{flags}, uint32(len(m))), m...)
	}
	for _, tc := range []struct {
		name     string
		consumer ingest.Consumer
		tokens   *auth.Tokens
		header   map[string]string
		body     []byte
		fast     bool // served without connect
	}{
		{name: "ok", body: frame(0, msg), fast: true},
		{name: "empty message", body: frame(0, nil), fast: true},
		{name: "malformed", body: frame(0, []byte{0xff, 0x01}), fast: true},
		{name: "overloaded", consumer: echoConsumer{err: ingest.ErrOverloaded}, body: frame(0, msg), fast: true},
		{name: "too large", body: frame(0, bytes.Repeat([]byte{1}, 2048))},
		{name: "two messages", body: append(frame(0, msg), frame(0, msg)...)},
		{name: "truncated", body: frame(0, msg)[:4]},
		{name: "short message", body: frame(0, msg)[:len(frame(0, msg))-1]},
		{name: "compressed flag without encoding", body: frame(1, msg)},
		{name: "timeout", header: map[string]string{"Grpc-Timeout": "5S"}, body: frame(0, msg), fast: true},
		{name: "bad timeout", header: map[string]string{"Grpc-Timeout": "5x"}, body: frame(0, msg)},
		{name: "no token", tokens: tokens, body: frame(0, msg)},
		{name: "token", tokens: tokens, header: map[string]string{"Authorization": "Bearer s3cret-s3cret-s3cret"}, body: frame(0, msg), fast: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			consumer := tc.consumer
			if consumer == nil {
				consumer = echoConsumer{}
			}
			_, h := NewGRPCHandler(consumer, GRPCConfig{MaxBytes: 1024, Tokens: tc.tokens})
			fast := h.(*fastGRPC)
			want := call(t, fast.connect, tc.header, tc.body)
			viaConnect := 0
			next := fast.connect
			fast.connect = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { viaConnect++; next.ServeHTTP(w, r) })
			got := call(t, fast, tc.header, tc.body)
			if got != want {
				t.Errorf("fast path answered\n%s\nconnect answered\n%s", got, want)
			}
			if tc.fast != (viaConnect == 0) {
				t.Errorf("served by connect %d times; want the fast path to serve it: %v", viaConnect, tc.fast)
			}
		})
	}
}

// call makes one gRPC call over HTTP/2 to h and describes the answer.
func call(t *testing.T, h http.Handler, header map[string]string, body []byte) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	return callServer(t, srv, header, body)
}

// callServer makes one gRPC call over HTTP/2 to srv and describes the
// answer.
func callServer(t *testing.T, srv *httptest.Server, header map[string]string, body []byte) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+ExportProcedure, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	status := func(k string) string { return resp.Trailer.Get(k) + resp.Header.Get(k) }
	return "status " + resp.Status + ", content-type " + resp.Header.Get("Content-Type") +
		"\ngrpc-status " + status("Grpc-Status") + ", grpc-message " + status("Grpc-Message") +
		"\ndetails " + status("Grpc-Status-Details-Bin") + "\nbody " + string(data)
}

// racesItsDeadline reports whether a grpc-timeout is short enough to pass
// while a call is being read on this machine (under a second).
func racesItsDeadline(timeout string) bool {
	d, err := grpcTimeout(timeout)
	return err == nil && d < time.Second
}

// FuzzGRPCFastPathAgreesWithConnect sends arbitrary gRPC request bodies, with
// and without a timeout header, to the fast path and to connect alone: the
// answers must be the same.
func FuzzGRPCFastPathAgreesWithConnect(f *testing.F) {
	msg, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{}}})
	framed := append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))), msg...)
	for _, seed := range [][]byte{framed, framed[:3], append(framed, framed...), {1, 0, 0, 0, 0}, {0, 0, 0, 0, 2, 0xff, 1}, nil} {
		f.Add(seed, "")
		f.Add(seed, "1S")
	}
	_, h := NewGRPCHandler(echoConsumer{}, GRPCConfig{MaxBytes: 1024})
	fast := h.(*fastGRPC)
	servers := map[string]*httptest.Server{}
	for name, handler := range map[string]http.Handler{"fast": fast, "connect": fast.connect} {
		srv := httptest.NewUnstartedServer(handler)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		f.Cleanup(srv.Close)
		servers[name] = srv
	}
	f.Fuzz(func(t *testing.T, body []byte, timeout string) {
		for _, c := range []byte(timeout) {
			if c < 0x20 || c > 0x7e {
				t.Skip("not a header value an HTTP client would send")
			}
		}
		header := map[string]string{}
		if timeout != "" {
			header["Grpc-Timeout"] = timeout
		}
		got := callServer(t, servers["fast"], header, body)
		want := callServer(t, servers["connect"], header, body)
		if got != want && racesItsDeadline(timeout) {
			// A deadline shorter than reading the call takes may pass
			// before the body is read or after, in either server, from
			// one run to the next: deadline_exceeded and the answer the
			// body gets without a deadline are then both right.
			plain := callServer(t, servers["connect"], nil, body)
			right := func(a string) bool { return strings.Contains(a, "\ngrpc-status 4,") || a == plain }
			if right(got) && right(want) {
				return
			}
		}
		if got != want {
			t.Fatalf("fast path answered\n%s\nconnect answered\n%s", got, want)
		}
	})
}

// TestFastGRPCServesEverySignal: the fast path serves TraceService and
// LogsService calls as it serves metrics, answering each with its own
// response (a partial success of rejected spans or log records) exactly as
// connect does.
func TestFastGRPCServesEverySignal(t *testing.T) {
	frame := binary.BigEndian.AppendUint32([]byte{0}, 0)
	for _, sig := range Signals {
		_, h := NewGRPCHandlerFor(sig, echoConsumer{}, GRPCConfig{MaxBytes: 1024})
		fast := h.(*fastGRPC)
		want := call(t, fast.connect, nil, frame)
		viaConnect := 0
		next := fast.connect
		fast.connect = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { viaConnect++; next.ServeHTTP(w, r) })
		if got := call(t, fast, nil, frame); got != want || viaConnect != 0 {
			t.Errorf("%v: fast path (served by connect %d times) answered\n%s\nconnect answered\n%s", sig, viaConnect, got, want)
		}
		if !strings.Contains(want, "grpc-status 0,") || !strings.Contains(want, "one point refused") {
			t.Errorf("%v: answer %s, want a partial success", sig, want)
		}
	}
}
