package conformance

import (
	"fmt"

	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/semconv"
)

// Events are matched by name, as Weaver's live-check matches them: a log
// record's event name (its event_name field, or the event.name attribute of
// older SDKs: the name of its log schema) and a span event's name are
// looked up among the registry's events. An event no registry defines is a
// missing_event (a violation, as in Weaver); one that is defined has its
// attributes judged by their requirement levels against what the event
// carries, and its deprecation and stability judged as a metric's are. A
// log schema without an event name, which groups a logger's records
// (ByScope), is no event and gets neither. A log event's body is not
// judged against the event's `body` yet.

// logEvent judges a log schema as an event.
func (j Judge) logEvent(s catalog.Schema, add func(Finding)) {
	if s.ByScope {
		return
	}
	_, name := catalog.ParseStoredKey(s.Key)
	of := catalog.DescribeKey(s.Key)
	e, ok := j.Registry.Event(name)
	if !ok {
		add(Finding{ID: FindingMissingEvent, Actual: name, Message: fmt.Sprintf("%s is not defined in the registries", of)})
		return
	}
	j.event(e, add)
	requirements(e.Attributes, ownPresence(s), "log record", of, add)
}

// spanEvents judges the events of a span schema: its EVENT fields grouped
// by event name. The field without a name is the event itself, whose
// share of spans is the event's; an attribute on the event as often as
// the event is on every one of them (see spanEventPresence).
func (j Judge) spanEvents(s catalog.Schema, add func(Finding)) {
	type spanEvent struct {
		ratio  float64
		known  bool
		fields []catalog.Field
	}
	events := map[string]*spanEvent{}
	var names []string
	for _, f := range s.Fields {
		if f.Source != tallycatv1.FieldSource_FIELD_SOURCE_EVENT || f.Event == "" {
			continue
		}
		e := events[f.Event]
		if e == nil {
			e = &spanEvent{}
			events[f.Event] = e
			names = append(names, f.Event)
		}
		if f.Name == "" {
			e.ratio, e.known = f.SeenRatio, true
			continue
		}
		e.fields = append(e.fields, f)
	}
	span := catalog.DescribeKey(s.Key)
	for _, name := range names {
		ev := events[name]
		of := fmt.Sprintf("event %s of %s", name, span)
		def, ok := j.Registry.Event(name)
		if !ok {
			add(Finding{ID: FindingMissingEvent, Actual: name, Message: fmt.Sprintf("%s is not defined in the registries", of)})
			continue
		}
		j.event(def, add)
		requirements(def.Attributes, spanEventPresence(ev.fields, ev.ratio, ev.known), "event", of, add)
	}
}

// spanEventPresence is the presence of a span event's attributes among the
// events, from their shares of spans: an attribute seen on as large a
// share of spans as the event is on every event, one on a smaller share
// on that part of them. Without the event's own share, an attribute is
// taken to be on every event, since a share of events cannot be told.
func spanEventPresence(fields []catalog.Field, ratio float64, known bool) presence {
	p := presence{}
	for _, f := range fields {
		switch {
		case f.Presence != tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES, !known, ratio <= 0, f.SeenRatio >= ratio:
			p[f.Name] = 1
		default:
			p[f.Name] = f.SeenRatio / ratio
		}
	}
	return p
}

// event judges an event's own deprecation and stability, as metric does a
// metric's; the finding is on the schema that carries the event.
func (j Judge) event(e *semconv.Event, add func(Finding)) {
	if d := e.Deprecated; d != nil {
		add(deprecated("event", e.Name, "", d))
		return
	}
	if e.Stability != semconv.Stable && e.Stability != "" {
		add(Finding{ID: FindingNotStable, Actual: string(e.Stability), Expected: string(semconv.Stable),
			Message: fmt.Sprintf("event %s is %s, not stable", e.Name, e.Stability)})
	}
}
