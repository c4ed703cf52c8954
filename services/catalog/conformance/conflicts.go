package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tallycat/tallycat/services/catalog"
)

// sides is what the producers of one metric send of one aspect of it, its
// unit or its instrument: each value with the releases that send it. More
// than one value is a disagreement between producers, which Weaver cannot
// see since it judges one sample at a time.
type sides struct {
	aspect string // "unit", "instrument": for messages
	key    string
	sent   map[string][]catalog.ReleaseIdentity
}

// sidesOf groups a metric's current schemas by what of returns for each.
func sidesOf(aspect string, schemas []catalog.Judged, of func(catalog.Schema) string) sides {
	d := sides{aspect: aspect, sent: map[string][]catalog.ReleaseIdentity{}}
	for _, s := range schemas {
		d.key = s.Schema.Key
		v := of(s.Schema)
		d.sent[v] = append(d.sent[v], s.Releases...)
	}
	return d
}

// split reports whether the producers disagree.
func (d sides) split() bool { return len(d.sent) > 1 }

// values lists what is sent, sorted, as messages write it.
func (d sides) values() []string {
	out := make([]string, 0, len(d.sent))
	for v := range d.sent {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// conflict is the finding of a disagreement the registries do not settle,
// because none defines the metric: nobody is right, so every side has it.
// It says the same on every side (who sends what, not "this schema's"), so
// that it reads as one finding concerning every schema of the metric (see
// Group); Actual lists every value sent.
func (d sides) conflict(id string) Finding {
	var who []string
	for _, v := range d.values() {
		who = append(who, d.says(d.sent[v], nil, v))
	}
	shown := make([]string, 0, len(d.sent))
	for _, v := range d.values() {
		shown = append(shown, d.quote(v))
	}
	return Finding{ID: id, Actual: strings.Join(shown, ", "),
		Message: fmt.Sprintf("producers of %s disagree on its %s: %s", d.key, d.aspect, strings.Join(who, ", "))}
}

// blame is the message of a mismatch when producers disagree and the
// registries settle it: the side that sends what the registry does not is
// told who sends what the registry says, so that it gets one finding, not
// a mismatch and a conflict saying the same; the side that conforms gets
// none, since it did not cause the disagreement. "unit of
// http.server.request.duration: payments sends ms where the conventions
// and checkout send s".
func (d sides) blame(got, want string) string {
	mine, theirs := d.sent[got], d.sent[want]
	msg := fmt.Sprintf("%s of %s: %s where the conventions", d.aspect, d.key, d.says(mine, theirs, got))
	if _, sent := d.sent[want]; sent {
		who, _ := names(theirs, mine)
		msg += fmt.Sprintf(" and %s %s %s", who, d.verb(2), d.word(want)) // "the conventions and checkout": plural
	} else {
		msg += " define " + d.word(want)
	}
	var rest []string
	for _, v := range d.values() {
		if v != got && v != want {
			rest = append(rest, d.says(d.sent[v], mine, v))
		}
	}
	if len(rest) > 0 {
		msg += "; " + strings.Join(rest, ", ")
	}
	return msg
}

// says is what a side sends, in words: "payments sends ms", "checkout and
// orders record it as a histogram".
func (d sides) says(side, other []catalog.ReleaseIdentity, v string) string {
	who, n := names(side, other)
	return fmt.Sprintf("%s %s %s", who, d.verb(n), d.word(v))
}

// verb is what a side does with a value, agreeing with how many services
// it names.
func (d sides) verb(n int) string {
	switch {
	case d.aspect == "instrument" && n <= 1:
		return "records it as"
	case d.aspect == "instrument":
		return "record it as"
	case n <= 1:
		return "sends"
	}
	return "send"
}

// word is a value as a message says it: a unit as written (none said so),
// an instrument with its article.
func (d sides) word(v string) string {
	if d.aspect != "instrument" {
		return quoteUnit(v)
	}
	if v != "" && strings.ContainsRune("aeiou", rune(v[0])) {
		return "an " + v
	}
	return "a " + v
}

// quote is a value as Actual lists it.
func (d sides) quote(v string) string {
	if d.aspect == "unit" {
		return quoteUnit(v)
	}
	return v
}

// names names the releases of a side by their services ("checkout",
// "checkout and orders"), or by release ("payments 2.0.0") when the other
// side has a service in common with it, since the service's name would
// then stand on both sides; and how many it names. A side without
// releases is "a producer".
func names(side, other []catalog.ReleaseIdentity) (string, int) {
	services := distinctServices(side)
	if len(services) == 0 {
		return "a producer", 1
	}
	shared := slices.ContainsFunc(distinctServices(other), func(s string) bool { return slices.Contains(services, s) })
	if shared {
		var releases []string
		for _, r := range side {
			releases = append(releases, strings.TrimSpace(r.ServiceName+" "+r.ServiceVersion))
		}
		slices.Sort(releases)
		services = slices.Compact(releases)
	}
	return andList(services), len(services)
}

// distinctServices lists the service names of releases, sorted, once each.
func distinctServices(rs []catalog.ReleaseIdentity) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ServiceName)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// andList joins words as a sentence does: "a", "a and b", "a, b and c".
func andList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
