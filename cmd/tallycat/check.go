package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"google.golang.org/protobuf/encoding/protojson"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// failOn maps --fail-on to the least severe level that fails the check.
var failOn = map[string]tallycatv1.FindingLevel{
	"violation":   tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION,
	"improvement": tallycatv1.FindingLevel_FINDING_LEVEL_IMPROVEMENT,
	"information": tallycatv1.FindingLevel_FINDING_LEVEL_INFORMATION,
	"none":        tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED,
}

// check prints every finding of the catalog and returns exitFindings when
// one is at or above --fail-on.
func check(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("tallycat check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	fail := fs.String("fail-on", "violation", "the least severe level that fails: violation, improvement, information or none")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return exitTrouble, fmt.Errorf("check: %w", err)
	}
	threshold, ok := failOn[*fail]
	if !ok {
		return exitTrouble, fmt.Errorf("check: --fail-on %q: want violation, improvement, information or none", *fail)
	}
	if *format != "text" && *format != "json" {
		return exitTrouble, fmt.Errorf("check: --format %q: want text or json", *format)
	}
	client := conformanceClient(*url)
	var findings []*tallycatv1.Finding
	for token := ""; ; {
		res, err := client.ListFindings(ctx, &tallycatv1.ListFindingsRequest{PageSize: 1000, PageToken: token})
		if err != nil {
			return exitTrouble, callError(*url, err)
		}
		findings = append(findings, res.Findings...)
		if token = res.NextPageToken; token == "" {
			break
		}
	}
	failed := 0
	for _, f := range findings {
		if threshold != tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED && f.Level <= threshold {
			failed++
		}
	}
	if *format == "json" {
		if err := writeJSON(stdout, findings); err != nil {
			return exitTrouble, err
		}
	} else {
		writeText(stdout, findings, failed, *fail)
	}
	if failed > 0 {
		return exitFindings, nil
	}
	return exitOK, nil
}

// level is a level as people write it.
func level(l tallycatv1.FindingLevel) string {
	return strings.ToLower(strings.TrimPrefix(l.String(), "FINDING_LEVEL_"))
}

// writeText writes a finding a line, as the UI names it: its level, title
// and id (what people grep for), the key, the attribute, the producers of
// every schema it concerns, and its message last, where its length pushes
// no column.
func writeText(w io.Writer, findings []*tallycatv1.Finding, failed int, fail string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LEVEL\tFINDING\tID\tKEY\tATTRIBUTE\tPRODUCERS\tMESSAGE")
	for _, f := range findings {
		var producers []string
		for _, p := range f.Producers {
			producers = append(producers, strings.TrimSuffix(p.ServiceName+"@"+p.ServiceVersion, "@"))
		}
		title := f.Title
		if title == "" { // a catalog from before titles
			title = f.FindingId
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", level(f.Level), title, f.FindingId, f.SchemaKey, dash(f.Attribute), dash(strings.Join(producers, ", ")), f.Message)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(w, "\n%d of %d findings at or above %s\n", failed, len(findings), fail)
	} else {
		fmt.Fprintf(w, "\n%d findings, none at or above %s\n", len(findings), fail)
	}
}

// dash stands for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeJSON writes the findings as a JSON array of the API's messages.
func writeJSON(w io.Writer, findings []*tallycatv1.Finding) error {
	out := make([]json.RawMessage, 0, len(findings))
	for _, f := range findings {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(f)
		if err != nil {
			return err
		}
		out = append(out, b)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
