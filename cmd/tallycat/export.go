package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// export writes the catalog's registry into --out, one file per path the
// catalog gives, and lists what it wrote.
func export(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tallycat registry export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("catalog", defaultCatalog(), "the catalog's URL")
	out := fs.String("out", "", "the folder to write the registry into")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("registry export: %w", err)
	}
	if *out == "" {
		return fmt.Errorf("registry export: --out is required")
	}
	res, err := conformanceClient(*url).ExportRegistry(ctx, &tallycatv1.ExportRegistryRequest{})
	if err != nil {
		return callError(*url, err)
	}
	for _, f := range res.Files {
		// A path from the catalog must stay inside --out.
		clean := filepath.Clean(filepath.FromSlash(f.Path))
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return fmt.Errorf("registry export: the catalog sent a file outside the folder: %q", f.Path)
		}
		path := filepath.Join(*out, clean)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Content, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, path)
	}
	return nil
}
