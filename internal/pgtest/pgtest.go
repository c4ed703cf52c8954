// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb
// into a temporary directory, a free loopback port, trust authentication,
// and a fresh database per test. It never skips: a test that needs
// PostgreSQL and cannot start it fails, saying why, since a skipped store
// test is a store nobody tested.
//
// PostgreSQL refuses to run as root, and CI runs tests as root: there the
// cluster runs as the unprivileged "postgres" user (Debian's package
// creates it).
//
// A test binary shares one cluster when its TestMain calls Main; without
// it, each Start starts a cluster of its own for the test that asked.
package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// superuser is the role initdb makes; trust authentication lets anyone
// on loopback use it.
const superuser = "tallycat"

// Cluster is a running throwaway PostgreSQL cluster.
type Cluster struct {
	dir  string // holds data/, the log and the unix socket
	bin  string // the directory of initdb, pg_ctl and postgres
	port int
	cred *syscall.Credential // nil unless the cluster runs as postgres
	dbs  atomic.Int64
	// watchdog stops the cluster if the test binary dies without doing
	// so (see watch).
	watchdog *exec.Cmd
}

var (
	shared struct {
		sync.Mutex
		inMain  bool
		cluster *Cluster
		err     error
	}
)

// Main runs a test binary's tests (m.Run) with one shared cluster, which
// it stops afterwards, and returns the exit code: call it from TestMain as
// os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	shared.Lock()
	shared.inMain = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// Start returns a running cluster: the test binary's shared one under
// Main (started by the first test that asks), else one of tb's own,
// stopped when tb ends. It fails tb, with the reason and the server log's
// end, when PostgreSQL cannot start.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.inMain {
		return StartPrivate(tb)
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = start()
	}
	if shared.err != nil {
		tb.Fatalf("pgtest: PostgreSQL did not start: %v", shared.err)
	}
	return shared.cluster
}

// NewDatabase creates an empty database in the cluster and returns its
// DSN (a postgres:// URL). The database is dropped when tb ends, after
// the cleanups tb registers later (such as closing the store on it).
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), c.dbs.Add(1))
	if err := c.admin(context.Background(), `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("pgtest: create database: %v%s", err, c.logTail())
	}
	tb.Cleanup(func() {
		if err := c.admin(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.DSN(name)
}

// DSN is the URL of a database of the cluster.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, c.port, database)
}

// admin runs one statement on the cluster's postgres database.
func (c *Cluster) admin(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// start makes and starts a cluster, cleaning up after itself when it
// cannot.
func start() (c *Cluster, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c = &Cluster{dir: dir, bin: bin}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w%s", err, c.logTail())
			os.RemoveAll(dir)
		}
	}()
	// The postgres user must reach the socket, the data and the log:
	// MkdirTemp makes the directory 0700 and root's.
	if err := os.Chmod(dir, 0o755); err != nil {
		return c, err
	}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresUser(); err != nil {
			return c, err
		}
		if err := os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return c, err
		}
		if err := traversable(filepath.Dir(dir)); err != nil {
			return c, err
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-A", "trust", "-U", superuser, "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return c, err
	}
	// A port found free may be taken before the server binds it: try a
	// few.
	for attempt := 0; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return c, err
		}
		if err = c.serve(); err == nil {
			c.watch()
			return c, nil
		}
		if attempt == 2 {
			return c, err
		}
	}
}

// serve starts the server on c.port and waits until it takes connections.
func (c *Cluster) serve() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=400 "+
		"-c fsync=off -c synchronous_commit=off -c full_page_writes=off", c.port, c.dir)
	return c.run("pg_ctl", "-D", c.data(), "-o", opts, "-l", c.log(), "-w", "-t", "60", "start")
}

// StartPrivate starts a cluster of tb's own, stopped when tb ends, even
// under Main: for a test that stops and starts the server (Pause,
// Resume), which the shared cluster's other tests must not see.
func StartPrivate(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		tb.Fatalf("pgtest: PostgreSQL did not start: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.stop(); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c
}

// Pause stops the server as an outage would, ending every connection, and
// keeps its data; Resume starts it again on the same port. It stops fast,
// not immediately: the throwaway clusters run with synchronous_commit
// off, so an immediate stop could lose what was committed a moment before
// (a database's tables, just migrated), which no real outage of a durable
// server does.
func (c *Cluster) Pause(tb testing.TB) {
	tb.Helper()
	if err := c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil {
		tb.Fatalf("pgtest: pause: %v%s", err, c.logTail())
	}
}

// Resume starts a paused server again on its port.
func (c *Cluster) Resume(tb testing.TB) {
	tb.Helper()
	if err := c.serve(); err != nil {
		tb.Fatalf("pgtest: resume: %v%s", err, c.logTail())
	}
}

// watch starts a watchdog that stops the cluster and removes its
// directory once the test binary is gone: go test kills a binary that
// outlives its -timeout, and a server left running would hold its port
// and memory until the machine restarts. It runs as the cluster's user,
// in a process group of its own so that it outlives the binary, and
// checks /proc, which any user may read, rather than signal the binary.
// Failing to start it only loses that safety net.
func (c *Cluster) watch() {
	script := fmt.Sprintf(`while [ -d /proc/%d ]; do sleep 2; done; %q -D %q -m immediate stop >/dev/null 2>&1; rm -rf %q`,
		os.Getpid(), filepath.Join(c.bin, "pg_ctl"), c.data(), c.dir)
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	if cmd.Start() == nil {
		c.watchdog = cmd
	}
}

// stop ends the server at once (the data is thrown away) and removes its
// directory.
func (c *Cluster) stop() error {
	if c.watchdog != nil {
		syscall.Kill(-c.watchdog.Process.Pid, syscall.SIGKILL) // its group: the shell and its sleep
		c.watchdog.Wait()
	}
	err := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	return os.RemoveAll(c.dir)
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }
func (c *Cluster) log() string  { return filepath.Join(c.dir, "log") }

// run runs one of PostgreSQL's programs, as the postgres user when the
// test runs as root, and returns its output with its error.
func (c *Cluster) run(program string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, program), args...)
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
		// The child keeps root's environment otherwise, HOME included.
		cmd.Env = append(os.Environ(), "HOME="+c.dir, "USER=postgres", "LOGNAME=postgres")
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", program, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// logTail is the end of the server log, to show with a failure.
func (c *Cluster) logTail() string {
	b, err := os.ReadFile(c.log())
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "\nserver log (end):\n" + strings.Join(lines, "\n")
}

// binDir finds PostgreSQL's programs: the newest version under
// /usr/lib/postgresql (Debian's layout, which keeps initdb off PATH),
// else the directory of initdb on PATH.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("no PostgreSQL found: neither /usr/lib/postgresql/*/bin/initdb nor initdb on PATH (Debian: apt-get install postgresql)")
}

// version is the major version of a /usr/lib/postgresql/N/bin path.
func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// postgresUser is the credential of the postgres user, which runs the
// cluster when tests run as root.
func postgresUser() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("tests run as root, and PostgreSQL refuses to: they run it as the postgres user, which does not exist: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// traversable checks that every directory from dir up is one others may
// pass through, so that the postgres user reaches the cluster's
// directory. It changes nothing: a directory that is not (a TMPDIR of
// mode 0700) is the tester's to change.
func traversable(dir string) error {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres user cannot reach %s (mode %v): make it traversable (chmod o+x) or set TMPDIR elsewhere", dir, fi.Mode().Perm())
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

// freePort is a loopback port nobody listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
