package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestNewDatabase checks that two databases of the shared cluster are
// distinct and answer.
func TestNewDatabase(t *testing.T) {
	c := pgtest.Start(t)
	ctx := context.Background()
	var names []string
	for range 2 {
		conn, err := pgx.Connect(ctx, c.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		var name string
		if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		names = append(names, name)
	}
	if names[0] == names[1] {
		t.Fatalf("two databases named %s", names[0])
	}
}
