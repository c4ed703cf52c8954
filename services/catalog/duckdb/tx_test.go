package duckdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// A write whose caller gives up after it wrote everything (an ingest's
// attempt timing out on a loaded catalog) still ends its transaction: the
// connection it leaves in the pool must take the next write. Before, the
// COMMIT heeded the cancelled context and never ran, and every later write
// on that connection failed with "cannot start a transaction within a
// transaction".
func TestAWriteGivenUpEndsItsTransaction(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "tx.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.db.SetMaxOpenConns(1) // the next write gets the same connection
	if err := s.inConnTx(ctx, func(conn *sql.Conn) error {
		_, err := conn.ExecContext(ctx, `CREATE TABLE given_up (n INTEGER)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	gone, cancel := context.WithCancel(ctx)
	err = s.inConnTx(gone, func(conn *sql.Conn) error {
		_, err := conn.ExecContext(gone, `INSERT INTO given_up VALUES (1)`)
		cancel() // the caller gives up once everything is written
		return err
	})
	if err != nil {
		t.Fatalf("a write its caller gave up after writing it whole: %v, want it committed", err)
	}
	if err := s.inConnTx(ctx, func(conn *sql.Conn) error {
		_, err := conn.ExecContext(ctx, `INSERT INTO given_up VALUES (2)`)
		return err
	}); err != nil {
		t.Fatalf("the next write: %v", err)
	}

	// A write that fails mid-way, its caller gone too, is rolled back and
	// leaves the connection usable.
	gone, cancel = context.WithCancel(ctx)
	err = s.inConnTx(gone, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(gone, `INSERT INTO given_up VALUES (3)`); err != nil {
			return err
		}
		cancel()
		_, err := conn.ExecContext(gone, `INSERT INTO given_up VALUES (4)`)
		return err
	})
	if err == nil {
		t.Fatal("a write cancelled mid-way succeeded")
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM given_up`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d rows, want the two committed writes' (the cancelled one rolled back)", n)
	}
}
