package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/auth"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTokens(t *testing.T) {
	tok, err := auth.Load(write(t, "# platform team\nalice: 0123456789abcdef0123\n\ningest:fedcba9876543210fedc\n"))
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"Bearer 0123456789abcdef0123":  "alice",
		"bearer fedcba9876543210fedc":  "ingest",
		"Bearer wrong-token-of-length": "",
		"Basic 0123456789abcdef0123":   "",
		"":                             "",
	} {
		name, ok := tok.Identify(header)
		if name != want || ok != (want != "") {
			t.Errorf("Identify(%q) = %q, %v; want %q", header, name, ok, want)
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	for body, says := range map[string]string{
		"alice 0123456789abcdef0123\n":                     "name:token",
		"alice:short\n":                                    "shorter than 16",
		"a:0123456789abcdef0123\na:0123456789abcdef9999\n": "named twice",
		"# nothing\n":                                      "no token",
	} {
		if _, err := auth.Load(write(t, body)); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("Load(%q) = %v, want an error saying %q", body, err, says)
		}
	}
}
