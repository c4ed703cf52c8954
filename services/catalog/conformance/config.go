package conformance

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/glob"
	"github.com/tallycat/tallycat/services/catalog"
)

// Config is a team's say over findings (--conformance-config), in
// the spirit of .weaver.toml's filters: a level per finding id ("none"
// ignores it), and rules ignoring findings by id, metric or attribute.
//
//	levels:
//	  not_stable: none
//	  recommended_attribute_not_present: information
//	ignore:
//	  - metric: "internal.*"
//	  - finding: missing_attribute
//	    attribute: "k8s.*"
type Config struct {
	Levels map[string]tallycatv1.FindingLevel
	Ignore []IgnoreRule
}

// IgnoreRule ignores the findings it matches: every field it sets must
// match (finding id exactly or by glob, metric and attribute by glob, where
// `*` matches any run of characters, dots included). Metric matches the
// name of the finding's key, a span's or a log event's too.
type IgnoreRule struct {
	Finding   string `yaml:"finding"`
	Metric    string `yaml:"metric"`
	Attribute string `yaml:"attribute"`
}

// ParseConfig reads a config file's YAML; an error names what is
// wrong and where.
func ParseConfig(data []byte) (Config, error) {
	var raw struct {
		Levels map[string]string `yaml:"levels"`
		Ignore []IgnoreRule      `yaml:"ignore"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && err.Error() != "EOF" {
		return Config{}, fmt.Errorf("conformance config: %w", err)
	}
	c := Config{Levels: map[string]tallycatv1.FindingLevel{}, Ignore: raw.Ignore}
	for id, level := range raw.Levels {
		if _, known := DefaultLevels[id]; !known {
			return Config{}, fmt.Errorf("conformance config: levels: unknown finding %q", id)
		}
		l, ok := map[string]tallycatv1.FindingLevel{
			"violation": violation, "improvement": improvement, "information": informed, "none": tallycatv1.FindingLevel_FINDING_LEVEL_UNSPECIFIED,
		}[strings.ToLower(level)]
		if !ok {
			return Config{}, fmt.Errorf("conformance config: levels: %s: %q is not violation, improvement, information or none", id, level)
		}
		c.Levels[id] = l
	}
	for i, r := range c.Ignore {
		if r == (IgnoreRule{}) {
			return Config{}, fmt.Errorf("conformance config: ignore[%d] sets nothing: it would ignore every finding", i)
		}
		for _, p := range []string{r.Finding, r.Metric, r.Attribute} {
			if err := glob.Check(p); err != nil {
				return Config{}, fmt.Errorf("conformance config: ignore[%d]: %w", i, err)
			}
		}
	}
	return c, nil
}

// ignores reports whether a rule matches a finding.
func (r IgnoreRule) ignores(f Finding) bool {
	_, name := catalog.ParseStoredKey(f.SchemaKey)
	return matches(r.Finding, f.ID) && matches(r.Metric, name) && matches(r.Attribute, f.Attribute)
}

// matches matches s against a pattern (see package glob); an empty
// pattern matches anything.
func matches(pattern, s string) bool {
	return pattern == "" || glob.Match(pattern, s)
}
