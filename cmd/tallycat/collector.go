package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"connectrpc.com/connect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// collectorConfig prints, or writes into --out, the OpenTelemetry
// Collector processors that enforce the catalog's policies; with
// --drop-unused, also drop what no dashboard or rule reads.
//
// What dropping saves goes to stderr, not into the configuration: it is
// the last hour's traffic, which moves on every run, and the file is meant
// to be committed and regenerated in CI, where it should differ only when
// what is dropped does.
func collectorConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tallycat collector-config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	out := fs.String("out", "", "the file to write the configuration into; none prints it")
	caps := fs.Bool("cardinality-caps", false, "also delete the attributes past a policy's max_distinct_values cap, on the metrics whose findings say so")
	dropUnused := fs.Bool("drop-unused", false, "also drop the metrics no synced dashboard or rule reads, and delete the data point attributes no query on a read metric uses")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("collector-config: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("collector-config: unexpected %q", fs.Args())
	}
	res, err := conformanceClient(*url).GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{IncludeCardinalityCaps: *caps, DropUnused: *dropUnused})
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Code() == connect.CodeFailedPrecondition && *dropUnused {
		return fmt.Errorf("collector-config --drop-unused: the catalog at %s knows no dashboard or rule yet (%s): sync them first with `tallycat consumers sync`", *url, ce.Message())
	}
	if err != nil {
		return callError(*url, err)
	}
	if *out == "" {
		if _, err := stdout.Write(res.Config); err != nil {
			return err
		}
	} else {
		if err := os.WriteFile(*out, res.Config, 0o644); err != nil {
			return fmt.Errorf("collector-config: %w", err)
		}
		fmt.Fprintln(stdout, *out)
	}
	if res.Savings != nil {
		fmt.Fprintln(stderr, describeSavings(res.Savings))
	}
	return nil
}

// describeSavings says what dropping the unused saves, in a sentence: "drops
// 12 metrics and 5 attributes: about 3,400 series and 1.2 million data
// points a month, 41.20 a month under the price model".
func describeSavings(s *tallycatv1.CollectorSavings) string {
	if s.MetricsDropped == 0 && s.AttributesDeleted == 0 {
		return "drops nothing: every metric and attribute the catalog knows is read by some dashboard or rule"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "drops %s and %s: about %s series and %s data points a month",
		counted(int(s.MetricsDropped), "metric"), counted(int(s.AttributesDeleted), "attribute"),
		thousands(s.SeriesSaved), roughly(s.DataPointsPerMonthSaved))
	if m := s.EstimatedMonthlySaving; m != nil {
		fmt.Fprintf(&b, ", %.2f a month under the price model", *m)
	}
	return b.String()
}

func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// thousands writes n with commas between thousands: 3,400.
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// roughly writes a large figure as people say it: 1.2 million, 3.4
// billion; below a million, to the unit.
func roughly(f float64) string {
	switch {
	case f >= 1e9:
		return strconv.FormatFloat(f/1e9, 'f', 1, 64) + " billion"
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 1, 64) + " million"
	}
	return thousands(uint64(f + 0.5))
}
