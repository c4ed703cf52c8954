package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// collectorConfig prints, or writes into --out, the OpenTelemetry
// Collector processors that enforce the catalog's policies.
func collectorConfig(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tallycat collector-config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	out := fs.String("out", "", "the file to write the configuration into; none prints it")
	caps := fs.Bool("cardinality-caps", false, "also delete the attributes past a policy's max_distinct_values cap, on the metrics whose findings say so")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("collector-config: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("collector-config: unexpected %q", fs.Args())
	}
	res, err := conformanceClient(*url).GetCollectorConfig(ctx, &tallycatv1.GetCollectorConfigRequest{IncludeCardinalityCaps: *caps})
	if err != nil {
		return callError(*url, err)
	}
	if *out == "" {
		_, err := stdout.Write(res.Config)
		return err
	}
	if err := os.WriteFile(*out, res.Config, 0o644); err != nil {
		return fmt.Errorf("collector-config: %w", err)
	}
	fmt.Fprintln(stdout, *out)
	return nil
}
