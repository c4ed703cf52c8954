package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/tallycat/tallycat/internal/cli"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/storecopy"
)

// Copy is `tallycat-catalog copy`: it copies a whole catalog from one store
// to another (DuckDB to PostgreSQL to move to replicas, or back), refusing
// a target that holds a catalog unless --replace.
type Copy struct {
	From, To string
	Replace  bool
	from, to store
}

// ParseFlags reads the copy's flags from args, which start with "copy".
func (c *Copy) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("tallycat-catalog copy", flag.ContinueOnError)
	fs.StringVar(&c.From, "from", "", "the catalog to copy: a DuckDB file or a PostgreSQL URL or connection string")
	fs.StringVar(&c.To, "to", "", "the store to copy it into, of either kind; created or migrated as needed")
	fs.BoolVar(&c.Replace, "replace", false, "delete what the target holds first (without it, a target that holds a catalog is refused)")
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case c.From == "" || c.To == "":
		return errors.New("copy needs --from and --to")
	case c.From == c.To:
		return errors.New("copy: --from and --to name the same store")
	case c.From == ":memory:" || c.To == ":memory:":
		return errors.New("copy: an in-memory catalog ends with the process; copy from or to a file or a database")
	}
	return nil
}

// Run opens both stores, the target created and migrated as it would be
// at start, and copies.
func (c *Copy) Run(ctx context.Context) error {
	var err error
	// A missing DuckDB file would be created empty: a mistyped --from.
	if !isPostgres(c.From) {
		if _, err := os.Stat(c.From); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}
	// Copying moves stored rows as they are; cost settings only judge
	// reads, so the defaults serve. Opening the source applies the
	// migrations it lacks, as starting the catalog on it would.
	if c.from, err = openStore(ctx, c.From, catalog.DefaultCostConfig()); err != nil {
		return fmt.Errorf("--from %s: %w", describeDB(c.From), err)
	}
	if c.to, err = openStore(ctx, c.To, catalog.DefaultCostConfig()); err != nil {
		return fmt.Errorf("--to %s: %w", describeDB(c.To), err)
	}
	err = storecopy.Copy(ctx, c.from, c.to, c.Replace, func(table string, rows int64) {
		slog.Info("copied", "table", table, "rows", rows)
	})
	if err != nil {
		return err
	}
	slog.Info("catalog copied", "from", describeDB(c.From), "to", describeDB(c.To))
	return nil
}

// Close closes both stores.
func (c *Copy) Close() error {
	var errs []error
	for _, s := range []store{c.from, c.to} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
