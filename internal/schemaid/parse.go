package schemaid

import (
	"encoding/binary"
	"errors"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// ParseCanonical is the inverse of AppendCanonical: it returns the shape a
// canonical encoding was made from. Its strings are substrings of canonical,
// so a holder of many shapes (the ingest's forwarder remembers one per known
// observation) can keep the one compact string and rebuild the shape only
// when it needs it.
//
// Only the current (v2) tag is accepted. Callers take the id of a canonical
// encoding from its bytes (Sum), so a v1 encoding, whose bytes hash to a v1
// id, is refused rather than read as a v2 shape. Canonical encodings live only
// in memory, so none made by a previous release is ever handed back.
func ParseCanonical(canonical string) (Shape, error) {
	p := parser{s: canonical}
	var sh Shape
	if tag := p.str(); tag != domainTag {
		return Shape{}, fmt.Errorf("schemaid: not a %s encoding", domainTag)
	}
	sh.Name = p.str()
	sh.Type = parseToken(p.str(), tallycatv1.MetricType_name, MetricTypeToken, &p)
	sh.Unit = p.str()
	if t := p.str(); t != "" {
		sh.Temporality = parseToken(t, tallycatv1.Temporality_name, TemporalityToken, &p)
	}
	switch p.str() {
	case "", "false":
	case "true":
		sh.Monotonic = true
	default:
		p.fail()
	}
	n := p.u32()
	if n > uint32(len(p.s)) { // each attribute takes at least 8 bytes
		p.fail()
	}
	if n > 0 && p.err == nil {
		sh.Attributes = make([]Attribute, n)
		for i := range sh.Attributes {
			sh.Attributes[i].Key = p.str()
			sh.Attributes[i].Type = parseToken(p.str(), tallycatv1.ValueType_name, ValueTypeToken, &p)
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
