package api_test

import (
	"os"
	"testing"

	"github.com/tallycat/tallycat/internal/pgtest"
)

// TestMain shares one PostgreSQL cluster among the tests when they run on
// PostgreSQL (see storetest); on DuckDB it starts none.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
