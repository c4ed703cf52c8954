package catalog

import (
	"fmt"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

// SummarizeEvent writes the one-line reading of a timeline entry that the API
// returns, so that every client shows the same words.
func SummarizeEvent(e *Event) string {
	producer := func() string {
		p := e.Producer
		if p == nil {
			return "an unknown producer"
		}
		s := p.Release().String()
		if p.ServiceInstanceID != "" {
			s += " (" + p.ServiceInstanceID + ")"
		}
		return s
	}
	version := func() string {
		if e.Version == nil {
			return ""
		}
		return e.Version.Version
	}
	short := shortID(e.SchemaID)
	switch e.Kind {
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN:
		return fmt.Sprintf("Schema %s first seen from %s", short, producer())
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED:
		return fmt.Sprintf("Schema %s gained producer %s", short, producer())
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED:
		return fmt.Sprintf("%s moved from %s to %s: added %s", producer(), short, shortID(e.TargetSchemaID), AttributeList(e.Added))
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED:
		return fmt.Sprintf("Schema %s assigned version %s by %s", short, version(), e.Actor)
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED:
		s := fmt.Sprintf("Schema %s version %s marked %s by %s", short, version(), StatusWord(e.Version.GetStatus()), e.Actor)
		if e.Version != nil && e.Version.Reason != "" {
			s += ": " + e.Version.Reason
		}
		return s
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED:
		return fmt.Sprintf("Schema %s description changed by %s: %q → %q", short, producer(), e.PreviousDescription, e.Description)
	}
	return "Unknown event"
}

// GetStatus is the status of v, or unspecified for no version.
func (v *Version) GetStatus() tallycatv1.VersionStatus {
	if v == nil {
		return tallycatv1.VersionStatus_VERSION_STATUS_UNSPECIFIED
	}
	return v.Status
}

// AttributeList reads attributes as people write them:
// "error.type (string), http.route (string)", and where a span's or a log's
// attribute is not the item's own, where it was found:
// "exception.type (string, event exception)", "user.id (string, body)".
func AttributeList(attrs []schemaid.Attribute) string {
	if len(attrs) == 0 {
		return "nothing"
	}
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		where := ""
		switch a.Source {
		case schemaid.Own:
		case schemaid.Event:
			where = ", event " + a.Event.String()
		default:
			where = ", " + a.Source.String()
		}
		parts[i] = fmt.Sprintf("%s (%s%s)", a.Key, schemaid.ValueTypeToken(a.Type), where)
	}
	return strings.Join(parts, ", ")
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// StatusWord is the lowercase word for a version status.
func StatusWord(s tallycatv1.VersionStatus) string {
	switch s {
	case tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE:
		return "active"
	case tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED:
		return "deprecated"
	}
	return "unspecified"
}
