package catalog

import (
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// SummarizeEvent writes the one-line reading of a timeline entry that the API
// returns, so that every client shows the same words.
func SummarizeEvent(e *tallycatv1.SchemaEvent) string {
	short := e.GetSchemaId()
	if len(short) > 8 {
		short = short[:8]
	}
	producer := func() string {
		p := e.GetProducer()
		if p == nil {
			return "an unknown producer"
		}
		s := p.GetServiceName()
		if p.GetServiceVersion() != "" {
			s += "@" + p.GetServiceVersion()
		}
		if p.GetServiceInstanceId() != "" {
			s += " (" + p.GetServiceInstanceId() + ")"
		}
		return s
	}
	switch e.GetKind() {
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN:
		return fmt.Sprintf("Schema %s first seen from %s", short, producer())
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED:
		return fmt.Sprintf("Schema %s gained producer %s", short, producer())
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_VERSION_ASSIGNED:
		return fmt.Sprintf("Schema %s assigned version %s by %s", short, e.GetVersion().GetVersion(), e.GetActor())
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED:
		s := fmt.Sprintf("Schema %s version %s marked %s by %s", short, e.GetVersion().GetVersion(), StatusWord(e.GetVersion().GetStatus()), e.GetActor())
		if r := e.GetVersion().GetReason(); r != "" {
			s += ": " + r
		}
		return s
	case tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED:
		return fmt.Sprintf("Schema %s description changed by %s: %q → %q", short, producer(), e.GetPreviousDescription(), e.GetDescription())
	}
	return "Unknown event"
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
