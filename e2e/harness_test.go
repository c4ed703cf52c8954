// Package e2e tests TallyCat as users run it: the real binaries as
// processes, real OTLP clients, a real browser.
package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/testenv"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// repoRoot is the repository, relative to this package.
const repoRoot = ".."

// binDir holds the binaries TestMain builds once for every test.
var binDir string

func TestMain(m *testing.M) {
	dir, cleanup, err := testenv.Binaries(repoRoot, "./services/catalog/cmd/tallycat-catalog", "./services/ingest/cmd/tallycat-ingest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	// A test on PostgreSQL (see storetest) shares one throwaway cluster.
	code := pgtest.Main(m)
	cleanup()
	os.Exit(code)
}

// proc is one running binary.
type proc struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan error
}

// start runs a binary with args and waits until addr accepts connections.
func start(t testing.TB, name, addr string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, log: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(filepath.Join(binDir, name), args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.log)
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("%s exited at start: %v\n%s", name, err, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v\n%s", name, addr, err, p.log)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *proc) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.cmd.ProcessState = &os.ProcessState{}
		return err
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		return fmt.Errorf("%s did not stop within 20s of SIGTERM", p.name)
	}
}

// stack is a catalog and an ingest wired together.
type stack struct {
	catalogURL         string
	grpcAddr, httpAddr string
	catalog, ingest    *proc
}

// startStack starts a catalog on db, with catalogArgs added to its
// flags, and an ingest forwarding to it.
func startStack(t testing.TB, db string, catalogArgs ...string) *stack {
	t.Helper()
	s := &stack{grpcAddr: testenv.FreeAddr(t), httpAddr: testenv.FreeAddr(t)}
	catalogAddr := testenv.FreeAddr(t)
	s.catalogURL = "http://" + catalogAddr
	uiDir, _ := filepath.Abs(filepath.Join(repoRoot, "web/dist"))
	s.catalog = start(t, "tallycat-catalog", catalogAddr, append([]string{"--listen", catalogAddr, "--db", db, "--ui-dir", uiDir}, catalogArgs...)...)
	s.ingest = start(t, "tallycat-ingest", s.httpAddr, "--catalog-url", s.catalogURL,
		"--otlp-grpc-listen", s.grpcAddr, "--otlp-http-listen", s.httpAddr, "--flush-interval", "200ms")
	return s
}

func (s *stack) client() tallycatv1connect.CatalogServiceClient {
	return tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, s.catalogURL)
}
