// Package storecopy copies a catalog from one store to another, either way
// between DuckDB and PostgreSQL (`tallycat-catalog copy`): every table the
// stores keep, row for row, so that the copy answers every RPC as the
// original does.
//
// Both stores keep the same tables with the same columns (the PostgreSQL
// store's migrations make DuckDB's final schema in PostgreSQL's types). Tables
// lists them once, with each column's Kind: the Go type its values cross
// in, whatever each database calls it. A store converts its own column
// types to and from those; this package knows no SQL.
package storecopy

import (
	"context"
	"errors"
	"fmt"
)

// Kind is the Go type a column's values cross between stores in.
type Kind int

const (
	// Text values are string.
	Text Kind = iota
	// Int values are int64 (enums, counts that are signed).
	Int
	// Uint values are uint64 (counters and hashes that use all 64 bits).
	Uint
	// Bool values are bool.
	Bool
	// Time values are time.Time, in UTC.
	Time
	// Bytes values are []byte.
	Bytes
	// Ints values are []int64.
	Ints
	// Texts values are []string.
	Texts
	// NullInt values are int64 or nil.
	NullInt
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table of the catalog, its columns in the order rows hold
// their values, and Order the columns that order its rows (so that a copy
// reads in a stable order).
type Table struct {
	Name    string
	Columns []Column
	Order   string
}

// ColumnNames returns the table's column names, comma-separated.
func (t Table) ColumnNames() string {
	s := ""
	for i, c := range t.Columns {
		if i > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

func cols(spec ...any) []Column {
	out := make([]Column, 0, len(spec)/2)
	for i := 0; i < len(spec); i += 2 {
		out = append(out, Column{Name: spec[i].(string), Kind: spec[i+1].(Kind)})
	}
	return out
}

// Tables are every table a catalog keeps, but the stores' own migration
// bookkeeping. A store that adds a table adds it here, and the copy test
// (which compares every RPC's answers after a round trip) fails until it
// does.
var Tables = []Table{
	{"schemas", cols("schema_id", Text, "schema_key", Text, "metric_type", Int, "unit", Text, "temporality", Int,
		"monotonic", Bool, "description", Text, "description_at", Time, "first_seen", Time, "last_seen", Time,
		"data_point_count", Uint, "current_streams", Int, "span_kind", Int, "by_scope", Bool, "name_examples", Text), "schema_id"},
	{"schema_fields", cols("schema_id", Text, "name", Text, "value_type", Int, "source", Int, "event_name", Text),
		"schema_id, source, event_name, name, value_type"},
	{"producers", cols("producer_id", Text, "service_name", Text, "service_namespace", Text, "service_version", Text,
		"service_instance_id", Text, "first_seen", Time, "last_seen", Time), "producer_id"},
	{"schema_producers", cols("schema_id", Text, "producer_id", Text, "schema_key", Text, "description", Text,
		"description_at", Time, "first_seen", Time, "last_seen", Time, "data_point_count", Uint, "fields_hash", Uint,
		"service_namespace", Text, "service_name", Text, "service_version", Text), "schema_id, producer_id"},
	{"producer_fields", cols("schema_id", Text, "producer_id", Text, "source", Int, "name", Text, "value_type", Int),
		"schema_id, producer_id, source, name, value_type"},
	{"schema_versions", cols("seq", Int, "schema_id", Text, "schema_key", Text, "version", Text, "status", Int,
		"reason", Text, "actor", Text, "assigned_at", Time), "seq"},
	{"schema_events", cols("seq", Int, "schema_key", Text, "schema_id", Text, "kind", Int, "occurred_at", Time,
		"actor", Text, "producer_id", Text, "version_seq", NullInt, "previous_description", Text, "description", Text,
		"service_namespace", Text, "service_name", Text, "service_version", Text, "service_instance_id", Text,
		"target_schema_id", Text, "added", Text), "seq"},
	{"applied_batches", cols("batch_id", Text, "applied_at", Time), "batch_id"},
	{"schema_keys", cols("schema_key", Text, "metric_type", Int, "unit", Text, "metric_types", Ints, "units", Texts,
		"schema_count", Int, "producer_count", Int, "first_seen", Time, "last_seen", Time, "description", Text,
		"description_at", Time, "superseded_count", Int, "signal", Int, "name", Text, "span_kinds", Ints, "diverging", Bool, "self_only", Bool), "schema_key"},
	{"schema_streams", cols("schema_id", Text, "stream_id", Text, "schema_key", Text, "service_namespace", Text,
		"service_name", Text, "service_version", Text, "scope_name", Text, "scope_version", Text, "union_attributes", Text,
		"description", Text, "description_at", Time, "first_seen", Time, "last_seen", Time, "data_point_count", Uint,
		"superseded_by", Text, "error_count", Uint), "schema_id, stream_id"},
	{"variants", cols("schema_id", Text, "stream_id", Text, "variant_id", Text, "attributes", Text, "first_seen", Time,
		"last_seen", Time, "data_point_count", Uint), "schema_id, stream_id, variant_id"},
	{"stream_costs", cols("stream_id", Text, "bucket", Time, "source", Int, "name", Text, "value_type", Int,
		"distinct_values", Bytes, "data_points", Uint, "example_values", Text, "values_state", Int, "first_seen", Time, "last_seen", Time,
		"log_bytes", Uint),
		"stream_id, bucket, source, name, value_type"},
	{"proposal_dismissals", cols("schema_id", Text, "proposed_version", Text, "schema_key", Text, "actor", Text,
		"reason", Text, "dismissed_at", Time), "schema_id, proposed_version"},
	{"consumers", cols("id", Text, "origin", Text, "kind", Text, "format", Text, "source", Text, "uid", Text,
		"title", Text, "folder", Text, "body", Text, "digest", Text, "synced_at", Time), "id"},
	// The last full judging: copied, so that the copy serves the findings
	// of the rows it holds at once, and a replacing copy leaves no judging
	// of the catalog it replaced behind.
	{"judgings", cols("id", Int, "judged_at", Time, "data", Bytes), "id"},
}

// Exporter reads a store's tables.
type Exporter interface {
	// ExportRows calls fn with each row of t, in t.Order, its values of
	// the columns' Kinds; fn may keep the row.
	ExportRows(ctx context.Context, t Table, fn func(row []any) error) error
}

// Store is a catalog store that can be copied from and to.
type Store interface {
	// Export calls fn with an Exporter that reads one snapshot of the
	// database (one read transaction), so that a copy of a catalog that
	// replicas keep writing is still consistent.
	Export(ctx context.Context, fn func(Exporter) error) error
	// ImportRows appends rows (values of the columns' Kinds) to t.
	ImportRows(ctx context.Context, t Table, rows [][]any) error
	// Identity names the database the store is on, the same however it
	// was reached, so that a copy onto its own source is refused.
	Identity(ctx context.Context) (string, error)
	// CountRows returns how many rows t holds.
	CountRows(ctx context.Context, t Table) (int64, error)
	// ClearTables deletes every row of every table in Tables.
	ClearTables(ctx context.Context) error
	// FinishImport makes the store ready to write after an import: its
	// sequences continue past the rows imported.
	FinishImport(ctx context.Context) error
}

// ErrNotEmpty is returned by Copy when the target holds a catalog and
// replacing it was not asked for.
var ErrNotEmpty = errors.New("the target holds a catalog")

// ErrSameStore is returned by Copy when source and target are one
// database, however named: replacing would empty the source.
var ErrSameStore = errors.New("the source and the target are the same database")

// ErrEmptySource is returned by Copy when the source holds no catalog,
// which is more likely a mistyped source than a wish.
var ErrEmptySource = errors.New("the source holds no catalog")

// batchRows is how many rows Copy imports at once.
const batchRows = 5000

// Copy copies every table of from into to. A target that holds any row is
// refused with ErrNotEmpty unless replace is set, which deletes its rows
// first; a target that is the source, ErrSameStore; a source without
// schemas, ErrEmptySource. progress, if set, is told each table's row count once copied.
// The source is read from one snapshot; writing the target is not
// atomic: a copy that fails leaves it partly written, and is done again
// with replace.
func Copy(ctx context.Context, from, to Store, replace bool, progress func(table string, rows int64)) error {
	fromID, err := from.Identity(ctx)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	toID, err := to.Identity(ctx)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	if fromID == toID {
		return fmt.Errorf("%w (%s)", ErrSameStore, fromID)
	}
	if n, err := from.CountRows(ctx, Tables[0]); err != nil {
		return fmt.Errorf("source: %w", err)
	} else if n == 0 {
		return ErrEmptySource
	}
	for _, t := range Tables {
		n, err := to.CountRows(ctx, t)
		if err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if n > 0 && !replace {
			return fmt.Errorf("%w (%d rows in %s): copy with replace to overwrite it", ErrNotEmpty, n, t.Name)
		}
	}
	if replace {
		if err := to.ClearTables(ctx); err != nil {
			return fmt.Errorf("target: clear: %w", err)
		}
	}
	err = from.Export(ctx, func(e Exporter) error {
		for _, t := range Tables {
			total, err := copyTable(ctx, e, to, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.Name, err)
			}
			if progress != nil {
				progress(t.Name, total)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := to.FinishImport(ctx); err != nil {
		return fmt.Errorf("target: %w", err)
	}
	return nil
}

// copyTable copies one table from e into to, batchRows at a time, and
// returns how many rows it copied.
func copyTable(ctx context.Context, e Exporter, to Store, t Table) (int64, error) {
	var batch [][]any
	var total int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := to.ImportRows(ctx, t, batch); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		total += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	err := e.ExportRows(ctx, t, func(row []any) error {
		batch = append(batch, row)
		if len(batch) == batchRows {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total, err
}
