package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

	"github.com/tallycat/tallycat/internal/schemaid"
)

// ReleaseIdentity is a service at one version. All its instances run the
// same code, so a schema pools what they send: a new pod (a new
// service.instance.id) must not start a schema of its own.
type ReleaseIdentity struct {
	ServiceNamespace string
	ServiceName      string
	ServiceVersion   string
}

// Release is the release an instance belongs to.
func (p ProducerIdentity) Release() ReleaseIdentity {
	return ReleaseIdentity{ServiceNamespace: p.ServiceNamespace, ServiceName: p.ServiceName, ServiceVersion: p.ServiceVersion}
}

// String names a release as people write it: "shop/checkout 1.2.0".
func (r ReleaseIdentity) String() string {
	s := r.ServiceName
	if r.ServiceNamespace != "" {
		s = r.ServiceNamespace + "/" + s
	}
	if r.ServiceVersion != "" {
		s += " " + r.ServiceVersion
	}
	return s
}

// Stream is what a schema's attribute union is kept for: one release's
// metric of one header (name, type, unit, temporality, monotonicity), or
// span of one name and kind, or log event, through one instrumentation
// scope. The union of the attributes a stream has sent only grows; each new
// (source, event, key, type) moves the stream to the schema of the larger
// union.
type Stream struct {
	Release      ReleaseIdentity
	ScopeName    string
	ScopeVersion string
	// Header is the shape without attributes.
	Header schemaid.Shape
}

// StreamOf is the stream an observation belongs to.
func StreamOf(o *Observation) Stream {
	h := o.Shape
	h.Attributes = nil
	return Stream{Release: o.Producer.Release(), ScopeName: o.ScopeName, ScopeVersion: o.ScopeVersion, Header: h}
}

// ID is the stream's stable id: the first 16 bytes of the SHA-256 of its
// release and scope, each length-prefixed, and the header's canonical
// encoding, as 32 hex digits. It is stored, so it must not change: a
// metric header's encoding is what it was before spans and logs, whose
// headers encode under tags of their own (see schemaid.AppendCanonical).
func (s Stream) ID() string {
	var buf []byte
	for _, v := range []string{"tallycat.stream.v1", s.Release.ServiceNamespace, s.Release.ServiceName, s.Release.ServiceVersion, s.ScopeName, s.ScopeVersion} {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
		buf = append(buf, v...)
	}
	h := s.Header
	h.Attributes = nil
	buf = schemaid.AppendCanonical(buf, &h)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// Union returns the normalized union of two normalized attribute sets, and
// the members of b that a lacked.
func Union(a, b []schemaid.Attribute) (union, added []schemaid.Attribute) {
	union = make([]schemaid.Attribute, 0, len(a)+len(b))
	union = append(union, a...)
	for _, x := range b {
		if !containsAttr(a, x) {
			added = append(added, x)
		}
	}
	union = append(union, added...)
	return schemaid.NormalizeAttributes(union), added
}

func containsAttr(set []schemaid.Attribute, x schemaid.Attribute) bool {
	for _, y := range set {
		if y == x {
			return true
		}
	}
	return false
}

// EncodeAttributes writes an attribute set as stores keep a variant's: a
// JSON array, readable in any database, of [key, value type token] pairs
// for an item's own attributes (every metric attribute: the bytes every
// release before spans and logs stored), and of [key, value type token,
// source token, event name] for a span's event and link attributes and a
// log's body and severity fields.
func EncodeAttributes(attrs []schemaid.Attribute) string {
	rows := make([][]string, len(attrs))
	for i, a := range attrs {
		if a.Source == schemaid.Own && a.Event == (schemaid.EventName{}) {
			rows[i] = []string{a.Key, schemaid.ValueTypeToken(a.Type)}
			continue
		}
		rows[i] = []string{a.Key, schemaid.ValueTypeToken(a.Type), storedSources[a.Source], a.Event.String()}
	}
	b, _ := json.Marshal(rows) // strings and arrays only: cannot fail
	return string(b)
}

// DecodeAttributes reads what EncodeAttributes wrote.
func DecodeAttributes(s string) ([]schemaid.Attribute, error) {
	var rows [][]string
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, fmt.Errorf("stored attribute set %.40q: %w", s, err)
	}
	out := make([]schemaid.Attribute, len(rows))
	for i, r := range rows {
		if len(r) != 2 && len(r) != 4 {
			return nil, fmt.Errorf("stored attribute set: an attribute of %d parts", len(r))
		}
		t, ok := valueTypes[r[1]]
		if !ok {
			return nil, fmt.Errorf("stored attribute set: unknown value type %q", r[1])
		}
		out[i] = schemaid.Attribute{Key: r[0], Type: t}
		if len(r) == 4 {
			src, ok := sourcesStored[r[2]]
			if !ok {
				return nil, fmt.Errorf("stored attribute set: unknown source %q", r[2])
			}
			out[i].Source, out[i].Event = src, schemaid.MakeEventName(r[3])
		}
	}
	return out, nil
}

// EncodeNames writes names as stores keep a schema's name examples: a JSON
// array of strings.
func EncodeNames(names []string) string {
	if len(names) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(names) // strings only: cannot fail
	return string(b)
}

// DecodeNames reads what EncodeNames wrote.
func DecodeNames(s string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("stored names %.40q: %w", s, err)
	}
	return names, nil
}

// storedSources are the tokens by which EncodeAttributes keeps attribute
// sources. They are stored, so they must not change; an own attribute is
// kept without one.
var storedSources = map[schemaid.Source]string{
	schemaid.Own: "own", schemaid.Event: "event", schemaid.Link: "link", schemaid.Body: "body", schemaid.Severity: "severity",
}

var sourcesStored = func() map[string]schemaid.Source {
	m := map[string]schemaid.Source{}
	for s, tok := range storedSources {
		m[tok] = s
	}
	return m
}()

var valueTypes = func() map[string]tallycatv1.ValueType {
	m := map[string]tallycatv1.ValueType{}
	for v := range tallycatv1.ValueType_name {
		m[schemaid.ValueTypeToken(tallycatv1.ValueType(v))] = tallycatv1.ValueType(v)
	}
	return m
}()
