package catalog

import tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

// A key diverges when its current schemas disagree (KeyFilter.Diverging
// says how). The writer works that out for the keys whose current streams
// a batch changes and keeps it beside the key's summary, so that a list
// of keys reads one flag rather than every stream of its page's keys, and
// the "diverging only" list is a filter on a column. The rule is here,
// once: a store reads a key's members (KeyMember) and asks Diverges.

// A KeyMember is one current stream of a key as divergence reads it: the
// schema it is on, that schema's unit and metric type, and the service
// that sends it.
type KeyMember struct {
	SchemaID string
	Unit     string
	Type     tallycatv1.MetricType
	Service  string
}

// Diverges reports whether a key whose current streams are members
// disagrees with itself: more than one unit or metric type among the
// schemas they are on, or more than one schema sent by more than one
// service. A key without current streams does not diverge.
func Diverges(members []KeyMember) bool {
	units := map[string]bool{}
	types := map[tallycatv1.MetricType]bool{}
	schemas := map[string]bool{}
	services := map[string]bool{}
	for _, m := range members {
		units[m.Unit], types[m.Type], schemas[m.SchemaID], services[m.Service] = true, true, true, true
	}
	return len(units) > 1 || len(types) > 1 || (len(schemas) > 1 && len(services) > 1)
}

// ReshapedKeys are the keys whose current streams p changes (a stream new
// to a schema: new to the store, moving, or coming back to a schema it
// had left), whose divergence the store works out again once p is
// written, each with the members p gives it. For a key the store did not
// hold before p, those are all its members, and Diverges of them is its
// divergence; a key it held has others besides, which the store reads.
func (p *Plan) ReshapedKeys() map[string][]KeyMember {
	out := map[string][]KeyMember{}
	var reshaped map[string]bool
	for _, st := range p.Streams {
		if st.New {
			if reshaped == nil {
				reshaped = map[string]bool{}
			}
			reshaped[st.Key] = true
		}
	}
	if reshaped == nil {
		return out
	}
	shapes := make(map[string]int, len(p.Schemas))
	for i, sw := range p.Schemas {
		shapes[sw.ID] = i
	}
	for _, st := range p.Streams {
		if !reshaped[st.Key] {
			continue
		}
		sh := p.Schemas[shapes[st.SchemaID]].Shape
		out[st.Key] = append(out[st.Key], KeyMember{SchemaID: st.SchemaID, Unit: sh.Unit, Type: sh.Type, Service: st.Stream.Release.ServiceName})
	}
	return out
}
