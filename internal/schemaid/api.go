package schemaid

import tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"

// The API's numbers for signals and attribute sources, in one place for
// the ingest, which writes them into observations, and the catalog, which
// reads them back and keeps them.

// API is the signal as the API numbers it.
func (s Signal) API() tallycatv1.Signal {
	switch s {
	case Span:
		return tallycatv1.Signal_SIGNAL_SPAN
	case Log:
		return tallycatv1.Signal_SIGNAL_LOG
	}
	return tallycatv1.Signal_SIGNAL_METRIC
}

// SignalFromAPI is API's inverse. An unspecified signal is a metric's, as
// it was before the API had signals; so is one this build does not know.
func SignalFromAPI(s tallycatv1.Signal) Signal {
	switch s {
	case tallycatv1.Signal_SIGNAL_SPAN:
		return Span
	case tallycatv1.Signal_SIGNAL_LOG:
		return Log
	}
	return Metric
}

// APISource is where the API says an attribute of source src of a sig
// shape was found: SPAN, EVENT or LINK on a span; LOG_RECORD, BODY or
// SEVERITY on a log record; DATA_POINT on a metric; UNSPECIFIED for a
// source the signal does not have.
func APISource(sig Signal, src Source) tallycatv1.FieldSource {
	switch {
	case src == Own && sig == Span:
		return tallycatv1.FieldSource_FIELD_SOURCE_SPAN
	case src == Own && sig == Log:
		return tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD
	case src == Own:
		return tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT
	case src == Event && sig == Span:
		return tallycatv1.FieldSource_FIELD_SOURCE_EVENT
	case src == Link && sig == Span:
		return tallycatv1.FieldSource_FIELD_SOURCE_LINK
	case src == Body && sig == Log:
		return tallycatv1.FieldSource_FIELD_SOURCE_BODY
	case src == Severity && sig == Log:
		return tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY
	}
	return tallycatv1.FieldSource_FIELD_SOURCE_UNSPECIFIED
}

// SourceFromAPI is the shape source an API source stands for: an item's
// own attributes (DATA_POINT, SPAN, LOG_RECORD, or unset on an
// observation's keys), an event's, a link's, a body's or a severity's. It
// reports false for resource and scope sources, which are not a shape's.
func SourceFromAPI(src tallycatv1.FieldSource) (Source, bool) {
	switch src {
	case tallycatv1.FieldSource_FIELD_SOURCE_UNSPECIFIED, tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT,
		tallycatv1.FieldSource_FIELD_SOURCE_SPAN, tallycatv1.FieldSource_FIELD_SOURCE_LOG_RECORD:
		return Own, true
	case tallycatv1.FieldSource_FIELD_SOURCE_EVENT:
		return Event, true
	case tallycatv1.FieldSource_FIELD_SOURCE_LINK:
		return Link, true
	case tallycatv1.FieldSource_FIELD_SOURCE_BODY:
		return Body, true
	case tallycatv1.FieldSource_FIELD_SOURCE_SEVERITY:
		return Severity, true
	}
	return Own, false
}
