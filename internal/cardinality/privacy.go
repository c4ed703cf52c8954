package cardinality

import (
	"fmt"
	"path"
	"strings"
)

// DefaultDeny are the attribute keys whose values are never kept, only
// counted: attribute values can carry personal data, and these name it.
var DefaultDeny = []string{"enduser.*", "user.*", "*.email", "*password*", "*token*", "*secret*", "*.ip", "client.address"}

// DenyList matches attribute keys against glob patterns: `*` stands for
// any run of characters (dots included), `?` for one, as in path.Match.
type DenyList struct{ patterns []string }

// NewDenyList checks the patterns and returns their list; an error names
// the pattern that is malformed.
func NewDenyList(patterns []string) (DenyList, error) {
	d := DenyList{}
	for _, p := range patterns {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return DenyList{}, fmt.Errorf("value deny pattern %q: %w", p, err)
		}
		d.patterns = append(d.patterns, p)
	}
	return d, nil
}

// Denies reports whether a key's values must not be kept.
func (d DenyList) Denies(key string) bool {
	for _, p := range d.patterns {
		// path.Match's * stops at '/', which attribute keys do not use as
		// a separator: match against the key with slashes hidden.
		if ok, _ := path.Match(p, strings.ReplaceAll(key, "/", "\x00")); ok {
			return true
		}
	}
	return false
}
