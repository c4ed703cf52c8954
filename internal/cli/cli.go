// Package cli holds what both TallyCat binaries do the same way when they
// start: flags with environment twins, logging, and serving until a signal.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tallycat/tallycat/internal/version"
)

// EnvName is the environment twin of a flag: --otlp-grpc-listen is
// TALLYCAT_OTLP_GRPC_LISTEN.
func EnvName(flagName string) string {
	return "TALLYCAT_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse parses args into fs, then fills every flag not given on the command
// line from its environment twin. A flag on the command line wins over the
// environment, which wins over the default.
func Parse(fs *flag.FlagSet, args []string) error {
	fs.VisitAll(func(f *flag.Flag) {
		f.Usage = fmt.Sprintf("%s (env %s)", f.Usage, EnvName(f.Name))
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		if v, ok := os.LookupEnv(EnvName(f.Name)); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", EnvName(f.Name), v, err))
			}
		}
	})
	return errors.Join(errs...)
}

// NewHTTPServer returns a server for h that speaks HTTP/1.1 and HTTP/2, with
// or without TLS (h2c), so that gRPC clients work on a plain port.
func NewHTTPServer(h http.Handler) *http.Server {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// OTLP requests are hundreds of kilobytes: clients that honour a
		// larger frame size (Go's do) send one a few frames instead of
		// dozens of 16 kB ones, each a read, a copy and a flow-control
		// update for the server.
		HTTP2: &http.HTTP2Config{MaxReadFrameSize: 1 << 20},
	}
}

// Listen opens a TCP listener and logs where it is.
func Listen(what, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", what, addr, err)
	}
	slog.Info("listening", "what", what, "addr", ln.Addr().String())
	return ln, nil
}

// TLSFiles names a certificate and key; both empty serves without TLS.
type TLSFiles struct {
	Cert, Key string
}

// AddFlags defines --tls-cert-file and --tls-key-file; what says which
// listeners they secure.
func (t *TLSFiles) AddFlags(fs *flag.FlagSet, what string) {
	fs.StringVar(&t.Cert, "tls-cert-file", t.Cert, "TLS certificate file (PEM) for "+what+"; with --tls-key-file, serves TLS")
	fs.StringVar(&t.Key, "tls-key-file", t.Key, "TLS private key file (PEM)")
}

// Check reports a half-configured pair, which would otherwise fall back to
// plain text without a word.
func (t TLSFiles) Check(what string) error {
	if (t.Cert == "") != (t.Key == "") {
		return fmt.Errorf("%s: TLS needs both a certificate file and a key file", what)
	}
	return nil
}

// Serve runs srv on ln until ctx ends, then shuts it down gracefully, giving
// in-flight requests up to grace to finish.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, tlsFiles TLSFiles) error {
	errc := make(chan error, 1)
	go func() {
		if tlsFiles.Cert != "" {
			errc <- srv.ServeTLS(ln, tlsFiles.Cert, tlsFiles.Key)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Program is what a TallyCat binary's main runs: parse flags, run until a
// signal, close.
type Program interface {
	ParseFlags(args []string) error
	Run(ctx context.Context) error
	Close() error
}

// Main runs p as the process: --version prints the version, a flag error
// exits 2 (0 for -h), SIGINT and SIGTERM end Run, and a failure exits 1.
func Main(name string, p Program) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println(name, version.String())
		return
	}
	if err := p.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := p.Run(ctx)
	stop()
	if cerr := p.Close(); cerr != nil {
		slog.Error("closing", "error", cerr)
	}
	if err != nil {
		slog.Error(name+" stopped", "error", err)
		os.Exit(1)
	}
}

// SplitList splits a comma-separated flag value, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
