package schemaid

import (
	"encoding/binary"
	"errors"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// ParseCanonical is the inverse of AppendCanonical: it returns the shape a
// canonical encoding was made from, a metric's, a span's or a log's by its
// domain tag. Its strings are substrings of canonical (event names aside,
// which are interned), so a holder of many shapes (the ingest's forwarder
// remembers one per known observation) can keep the one compact string and
// rebuild the shape only when it needs it.
//
// Only the current (v2) tags are accepted. Callers take the id of a canonical
// encoding from its bytes (Sum), so a v1 encoding, whose bytes hash to a v1
// id, is refused rather than read as a v2 shape. Canonical encodings live only
// in memory, so none made by a previous release is ever handed back. So is
// the encoding of a shape Validate refuses: a source its signal does not
// have, or an event name on an attribute that is not an event's.
func ParseCanonical(canonical string) (Shape, error) {
	p := parser{s: canonical}
	var sh Shape
	switch p.str() {
	case domainTag:
		p.metricHeader(&sh)
	case domainTagSpan:
		sh.Signal = Span
		sh.Name = p.str()
		sh.SpanKind = parseToken(p.str(), spanKindNames, SpanKindToken, &p)
		sh.ByScope = p.grouping(Span)
	case domainTagLog:
		sh.Signal = Log
		sh.Name = p.str()
		sh.ByScope = p.grouping(Log)
	default:
		return Shape{}, fmt.Errorf("schemaid: not a %s, %s or %s encoding", domainTag, domainTagSpan, domainTagLog)
	}
	n := p.u32()
	least := uint32(8) // a metric attribute is two strings of at least 4 bytes
	if sh.Signal != Metric {
		least = 16 // a span's or a log's is four
	}
	if n > uint32(len(p.s))/least {
		p.fail()
	}
	if n > 0 && p.err == nil {
		sh.Attributes = make([]Attribute, n)
		for i := range sh.Attributes {
			a := &sh.Attributes[i]
			if sh.Signal != Metric {
				a.Source = p.source(sh.Signal)
				if e := p.str(); e != "" {
					if a.Source != Event {
						p.fail()
					}
					a.Event = MakeEventName(e)
				}
			}
			a.Key = p.str()
			a.Type = parseToken(p.str(), tallycatv1.ValueType_name, ValueTypeToken, &p)
		}
	}
	if p.err == nil && p.s != "" {
		p.fail()
	}
	if p.err != nil {
		return Shape{}, p.err
	}
	return sh, nil
}

// metricHeader reads what appendHeader writes after the tag.
func (p *parser) metricHeader(sh *Shape) {
	sh.Name = p.str()
	sh.Type = parseToken(p.str(), tallycatv1.MetricType_name, MetricTypeToken, p)
	sh.Unit = p.str()
	if t := p.str(); t != "" {
		sh.Temporality = parseToken(t, tallycatv1.Temporality_name, TemporalityToken, p)
	}
	switch p.str() {
	case "", "false":
	case "true":
		sh.Monotonic = true
	default:
		p.fail()
	}
}

// grouping reads the token groupingToken writes and returns ByScope.
func (p *parser) grouping(sig Signal) bool {
	switch p.str() {
	case groupingToken(sig, false):
		return false
	case groupingToken(sig, true):
		return true
	}
	p.fail()
	return false
}

// source reads a source token of signal sig, refusing the sources sig does
// not have.
func (p *parser) source(sig Signal) Source {
	tok := p.str()
	for src := Own; src <= Severity; src++ {
		if allows(sig, src) && SourceToken(sig, src) == tok {
			return src
		}
	}
	p.fail()
	return Own
}

// spanKindNames lists the span kinds for parseToken, as the generated
// _name maps list a protobuf enum's values.
var spanKindNames = map[int32]string{0: "", 1: "", 2: "", 3: "", 4: "", 5: ""}

var errCanonical = errors.New("schemaid: malformed canonical encoding")

type parser struct {
	s   string
	err error
}

func (p *parser) fail() { p.err, p.s = errCanonical, "" }

func (p *parser) u32() uint32 {
	if len(p.s) < 4 {
		p.fail()
		return 0
	}
	v := binary.BigEndian.Uint32([]byte(p.s[:4]))
	p.s = p.s[4:]
	return v
}

func (p *parser) str() string {
	n := p.u32()
	if uint64(n) > uint64(len(p.s)) {
		p.fail()
		return ""
	}
	v := p.s[:n]
	p.s = p.s[n:]
	return v
}

// parseToken finds the enum value whose token is tok.
func parseToken[E ~int32](tok string, names map[int32]string, token func(E) string, p *parser) E {
	for v := range names {
		if token(E(v)) == tok {
			return E(v)
		}
	}
	p.fail()
	return 0
}
