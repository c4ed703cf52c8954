package catalog

import tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

// Two things a list of keys says of each, which the writer works out for
// the keys a batch changes and keeps beside the key's summary, so that a
// list reads a flag rather than every stream of its page's keys, and its
// filters are conditions on a column:
//   - a key diverges when its current schemas disagree (KeyFilter.Diverging
//     says how): a store reads the members (KeyMember) of a key whose
//     current streams a batch changed and asks Diverges;
//   - a key is TallyCat's own when each release that ever sent it is
//     (IsSelf): it stops being so at the first stream another release
//     sends (SentByOthers), and never becomes so again, as a key's
//     streams are never forgotten.

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

// SentByOthers are the keys to which p brings a stream that a release
// other than TallyCat's own sends: such a key is not TallyCat's alone
// (KeyFilter.ExcludeSelf), whatever else sent it.
func (p *Plan) SentByOthers() map[string]bool {
	out := map[string]bool{}
	for _, st := range p.Streams {
		if st.New && !st.Stream.Release.IsSelf() {
			out[st.Key] = true
		}
	}
	return out
}
