// Package glob matches attribute keys and metric names against the glob
// patterns people write in TallyCat's settings (the value deny list,
// conformance ignore rules, policies): `*` matches any run of characters,
// dots included, `?` one character, `[...]` a class, as in path.Match.
// One rule for all of them, so that a pattern means the same everywhere.
package glob

import (
	"fmt"
	"path"
	"strings"
)

// Check reports a malformed pattern, naming it.
func Check(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return nil
}

// Match reports whether name matches pattern; a malformed pattern (see
// Check) matches nothing.
func Match(pattern, name string) bool {
	// path.Match's * stops at '/', which names do not use as a separator
	// (span names are full of them: "GET /users/{id}"): match with the
	// slashes of both hidden.
	ok, _ := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(name, "/", "\x00"))
	return ok
}
