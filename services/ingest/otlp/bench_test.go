package otlp_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/internal/otlpgen"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/forward"
	"github.com/tallycat/tallycat/services/ingest/infer"
	"github.com/tallycat/tallycat/services/ingest/otlp"
	"github.com/tallycat/tallycat/services/ingest/pipeline"
)

// BenchmarkReceivers is the receiving half of (c) in one process, to profile
// with -cpuprofile: the yardstick request over h2c loopback from 4 clients
// into the real receivers and pipeline, with a catalog that answers at once.
// The profile holds the clients too; read the server's functions.
func BenchmarkReceivers(b *testing.B) {
	fwd, err := forward.New(testenv.NopCatalog{}, forward.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	var consumer ingest.Consumer = &pipeline.Pipeline{Inferrer: infer.New(), Forwarder: fwd}
	mux := http.NewServeMux()
	mux.Handle(otlp.NewGRPCHandler(consumer, otlp.GRPCConfig{MaxBytes: maxBytes}))
	mux.Handle(otlp.MetricsPath, otlp.NewHTTPHandler(consumer, maxBytes, 0))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: mux, Protocols: new(http.Protocols)}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })

	cfg := otlpgen.Default()
	body, _ := proto.Marshal(otlpgen.Request(cfg))
	frame := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(body)))
	frame = append(frame, body...)
	tr := &http.Transport{MaxIdleConnsPerHost: 8, Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		name, path, contentType string
		body                    []byte
	}{
		{"grpc", otlp.ExportProcedure, "application/grpc", frame},
		{"http", otlp.MetricsPath, "application/x-protobuf", body},
	} {
		b.Run(tc.name, func(b *testing.B) {
			send := func() error {
				req, _ := http.NewRequest(http.MethodPost, base+tc.path, bytes.NewReader(tc.body))
				req.Header.Set("Content-Type", tc.contentType)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || (tc.name == "grpc" && resp.Trailer.Get("Grpc-Status") != "0") {
					return fmt.Errorf("status %d, grpc-status %q", resp.StatusCode, resp.Trailer.Get("Grpc-Status"))
				}
				return nil
			}
			if err := send(); err != nil {
				b.Fatal(err)
			}
			fwd.Drain(context.Background())
			b.ResetTimer()
			var wg sync.WaitGroup
			per := (b.N + 3) / 4
			errs := make(chan error, 4)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range per {
						if err := send(); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(per*4*cfg.DataPoints())/b.Elapsed().Seconds(), "points/s")
		})
	}
}
