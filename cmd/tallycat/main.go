// Command tallycat is TallyCat's client for people, scripts and CI: it asks
// a catalog what its metrics break (check) and writes the catalog out as a
// registry to commit (registry export), and writes the Collector
// processors that enforce its policies (collector-config), and checks
// dashboards and rules against what the catalog's services send, or
// keeps them in the catalog (consumers check, consumers sync, and
// consumers list and forget for what is kept; docs/CONSUMERS.md).
//
//	tallycat check --catalog URL [--fail-on violation|improvement|information|none] [--format text|json]
//	tallycat consumers check --catalog URL [--dashboards DIR|FILE]... [--rules DIR|FILE]... [--grafana-url URL] [--prometheus-url URL] [--fail-on LEVEL] [--format text|json]
//	tallycat consumers sync --catalog URL [--dashboards DIR|FILE]... [--rules DIR|FILE]... [--grafana-url URL] [--prometheus-url URL] [--prune]
//	tallycat consumers list --catalog URL
//	tallycat consumers forget --catalog URL --origin ORIGIN
//	tallycat registry export --catalog URL --out DIR
//	tallycat collector-config --catalog URL [--out FILE] [--cardinality-caps] [--drop-unused]
//
// Exit codes: 0 all is well, 1 findings at or above --fail-on, 2 the catalog
// could not be asked (unreachable, refused, or the command was wrong).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitTrouble  = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  tallycat check --catalog URL [--fail-on violation|improvement|information|none] [--format text|json]
  tallycat consumers check --catalog URL [--dashboards DIR|FILE]... [--rules DIR|FILE]...
      [--grafana-url URL] [--prometheus-url URL] [--namespace PREFIX]...
      [--fail-on violation|improvement|information|none] [--format text|json]
      (with no source it prints the findings on the consumers the catalog keeps)
  tallycat consumers sync --catalog URL [--dashboards DIR|FILE]... [--rules DIR|FILE]...
      [--grafana-url URL] [--prometheus-url URL] [--prune]
      (an origin whose sync would remove all its stored consumers, or more than half
      of ten or more, or an API answering with none, is not synced without --prune)
  tallycat consumers list --catalog URL
      (the origins the catalog keeps consumers of, with their counts)
  tallycat consumers forget --catalog URL --origin ORIGIN
      (removes an origin's consumers: one whose path or URL is now spelt otherwise)
  tallycat registry export --catalog URL --out DIR
  tallycat collector-config --catalog URL [--out FILE] [--cardinality-caps] [--drop-unused]

--catalog defaults to $TALLYCAT_CATALOG_URL, else http://localhost:8080;
a bearer token, when the catalog wants one, is read from $TALLYCAT_TOKEN;
Grafana's from $TALLYCAT_GRAFANA_TOKEN, Prometheus' from $TALLYCAT_PROMETHEUS_TOKEN.
`

// run is the command, for tests to call: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitTrouble
	}
	var err error
	code := exitOK
	switch {
	case args[0] == "check":
		code, err = check(ctx, args[1:], stdout)
	case args[0] == "consumers" && len(args) > 1 && args[1] == "check":
		code, err = consumersCheck(ctx, args[2:], stdout, stderr)
	case args[0] == "consumers" && len(args) > 1 && args[1] == "sync":
		code, err = consumersSync(ctx, args[2:], stdout, stderr)
	case args[0] == "consumers" && len(args) > 1 && args[1] == "list":
		code, err = consumersList(ctx, args[2:], stdout)
	case args[0] == "consumers" && len(args) > 1 && args[1] == "forget":
		code, err = consumersForget(ctx, args[2:], stdout)
	case args[0] == "registry" && len(args) > 1 && args[1] == "export":
		err = export(ctx, args[2:], stdout)
	case args[0] == "collector-config":
		err = collectorConfig(ctx, args[1:], stdout, stderr)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = fmt.Errorf("unknown command %q\n%s", strings.Join(args, " "), usage)
	}
	if err != nil {
		fmt.Fprintln(stderr, "tallycat:", err)
		return exitTrouble
	}
	return code
}

// defaultCatalog is where the catalog is when no --catalog says.
func defaultCatalog() string {
	if u := os.Getenv("TALLYCAT_CATALOG_URL"); u != "" {
		return u
	}
	return "http://localhost:8080"
}

// conformanceClient talks to a catalog's ConformanceService.
func conformanceClient(url string) tallycatv1connect.ConformanceServiceClient {
	var opts []connect.ClientOption
	if token := os.Getenv("TALLYCAT_TOKEN"); token != "" {
		opts = append(opts, connect.WithInterceptors(bearer(token)))
	}
	return tallycatv1connect.NewConformanceServiceClient(&http.Client{Timeout: 2 * time.Minute}, strings.TrimRight(url, "/"), opts...)
}

// bearer presents a token on every call.
func bearer(token string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	}
}

// callError says what went wrong asking the catalog, in a person's words.
func callError(url string, err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() == connect.CodeUnavailable {
		return fmt.Errorf("the catalog at %s cannot be reached: %v", url, ce.Message())
	}
	return fmt.Errorf("asking the catalog at %s: %w", url, err)
}
