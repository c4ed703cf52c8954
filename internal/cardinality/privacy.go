package cardinality

import (
	"fmt"
	"strings"

	"github.com/tallycat/tallycat/internal/glob"
)

// DefaultDeny are the attribute keys whose values are never kept, only
// counted: attribute values can carry personal data, and these name it.
var DefaultDeny = []string{"enduser.*", "user.*", "*.email", "*password*", "*token*", "*secret*", "*.ip", "client.address"}

// DenyList matches attribute keys against glob patterns: `*` stands for
// any run of characters (dots included), `?` for one (see package glob).
type DenyList struct{ patterns []string }

// NewDenyList checks the patterns and returns their list; an error names
// the pattern that is malformed.
func NewDenyList(patterns []string) (DenyList, error) {
	d := DenyList{}
	for _, p := range patterns {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if err := glob.Check(p); err != nil {
			return DenyList{}, fmt.Errorf("value deny %w", err)
		}
		d.patterns = append(d.patterns, p)
	}
	return d, nil
}

// Denies reports whether a key's values must not be kept.
func (d DenyList) Denies(key string) bool {
	for _, p := range d.patterns {
		if glob.Match(p, key) {
			return true
		}
	}
	return false
}
