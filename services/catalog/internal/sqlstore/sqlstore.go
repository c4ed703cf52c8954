// Package sqlstore holds what the catalog's SQL stores (duckdb and
// postgres) share: each flow a Store method runs (read, check, write, group
// the rows, page) written once in Go, behind small interfaces that each
// store implements with its own SQL, and the figures and cost reads they
// work out from stored rows. Only the stores and their tests import it; the
// rest of the catalog speaks catalog.Store.
package sqlstore

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"
)

// Row is one result row in either driver: *sql.Rows and *sql.Row for
// DuckDB's database/sql, pgx.Rows and pgx.Row for PostgreSQL.
type Row interface {
	Scan(dest ...any) error
}

// Wrap adds context to infrastructure errors and leaves domain errors as
// they are, since their messages are written for the people who read them.
func Wrap(what string, err error) error {
	var e *catalog.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// LimitOf is a list's LIMIT: a limit of 0 lists everything (see
// catalog.Store); paging and its defaults are the API's.
func LimitOf(n int) int {
	if n <= 0 {
		return math.MaxInt32
	}
	return n
}

// FirstLine is the first line of a database's error message, which is
// what a person needs; the rest is the database's context for its own
// developers.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
