package sqlstore

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Dialect is a store's SQL, as the flows read and write it: each
// concern's interface, written by the store in its own dialect.
type Dialect interface {
	VersionWriter
	VersionReader
	EventReader
	SchemaReader
	DetailReader
	KeyReader
	JudgingReader
	ProducerReader
	CostReader
	ConsumerStore
	JudgingStore
}

// Flows implements every catalog.Store method whose flow is the same on
// each SQL store, over a store's Dialect. A store embeds it, so that it
// writes only what differs: opening, RecordObservations, Close and its
// SQL. The methods document nothing of their own: catalog.Store says what
// each does and which errors it returns.
type Flows struct {
	d Dialect
	// snaps are the store's cost snapshots (see SetCostFigureAge),
	// shared by every copy of the Flows.
	snaps *costSnapshots
}

// NewFlows returns the flows over d.
func NewFlows(d Dialect) Flows { return Flows{d: d, snaps: newCostSnapshots()} }

func (f Flows) ListSchemaKeys(ctx context.Context, kf catalog.KeyFilter) ([]catalog.KeySummary, int64, error) {
	return ListSchemaKeys(ctx, f.d, f.snaps, kf)
}

func (f Flows) ListSchemas(ctx context.Context, schemaKey string, includeSuperseded bool) ([]catalog.Schema, error) {
	return ListSchemas(ctx, f.d, schemaKey, includeSuperseded)
}

func (f Flows) GetSchema(ctx context.Context, schemaID string, w tallycatv1.Window) (*catalog.SchemaDetail, error) {
	return GetSchema(ctx, f.d, schemaID, w)
}

func (f Flows) GetSchemas(ctx context.Context, schemaIDs ...string) ([]catalog.Schema, error) {
	return GetSchemas(ctx, f.d, schemaIDs...)
}

func (f Flows) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	return ListJudging(ctx, f.d, after, limit)
}

func (f Flows) ReadFieldCosts(ctx context.Context, w tallycatv1.Window) (catalog.FieldCosts, error) {
	return ReadFieldCosts(ctx, f.d, w)
}

func (f Flows) ListProducers(ctx context.Context, pf catalog.ProducerFilter) ([]catalog.Producer, error) {
	return ListProducers(ctx, f.d, pf)
}

func (f Flows) ListServices(ctx context.Context, sf catalog.ServiceFilter) ([]catalog.Service, error) {
	return ListServices(ctx, f.d, sf)
}

func (f Flows) ListTopSeries(ctx context.Context, tf catalog.TopFilter) (*catalog.TopSeries, error) {
	return ListTopSeries(ctx, f.d, f.snaps, tf)
}

func (f Flows) GetSeriesHistory(ctx context.Context, schemaKey string) ([]catalog.SeriesPoint, error) {
	return GetSeriesHistory(ctx, f.d, schemaKey)
}

func (f Flows) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]catalog.Event, error) {
	return ListSchemaEvents(ctx, f.d, schemaKey, offset, limit)
}

func (f Flows) AssignVersion(ctx context.Context, c catalog.VersionChange) (catalog.Version, error) {
	return AssignVersion(ctx, f.d, c)
}

func (f Flows) SetVersionStatus(ctx context.Context, c catalog.VersionChange) (catalog.Version, error) {
	return SetVersionStatus(ctx, f.d, c)
}

func (f Flows) ListVersions(ctx context.Context, schemaID, schemaKey string) ([]catalog.Version, error) {
	return ListVersions(ctx, f.d, schemaID, schemaKey)
}

func (f Flows) DismissProposal(ctx context.Context, d catalog.Dismissal) error {
	return DismissProposal(ctx, f.d, d)
}

func (f Flows) ListDismissals(ctx context.Context, schemaKey string) ([]catalog.Dismissal, error) {
	return ListDismissals(ctx, f.d, schemaKey)
}
