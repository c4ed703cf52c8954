package postgres

// Stubs of the read methods, so that the package compiles while they are
// written (in keys.go, schemas.go, detail.go, events.go, costs_read.go and
// judging.go). This file is deleted once they exist.

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

var errPending = catalog.Errorf(catalog.EUNAVAILABLE, "postgres: reads are not written yet")

// ListSchemaKeys implements catalog.Store.
func (s *Store) ListSchemaKeys(ctx context.Context, f catalog.KeyFilter) ([]catalog.KeySummary, int64, error) {
	return nil, 0, errPending
}

// ListSchemas implements catalog.Store.
func (s *Store) ListSchemas(ctx context.Context, schemaKey string, includeSuperseded bool) ([]catalog.Schema, error) {
	return nil, errPending
}

// GetSchema implements catalog.Store.
func (s *Store) GetSchema(ctx context.Context, schemaID string, w tallycatv1.Window) (*catalog.SchemaDetail, error) {
	return nil, errPending
}

// GetSchemas implements catalog.Store.
func (s *Store) GetSchemas(ctx context.Context, schemaIDs ...string) ([]catalog.Schema, error) {
	return nil, errPending
}

// ListJudging implements catalog.Store.
func (s *Store) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	return nil, errPending
}

// ReadFieldCosts implements catalog.Store.
func (s *Store) ReadFieldCosts(ctx context.Context, w tallycatv1.Window) (*catalog.FieldCosts, error) {
	return nil, errPending
}

// ListProducers implements catalog.Store.
func (s *Store) ListProducers(ctx context.Context, f catalog.ProducerFilter) ([]catalog.Producer, error) {
	return nil, errPending
}

// ListServices implements catalog.Store.
func (s *Store) ListServices(ctx context.Context, offset, limit int) ([]catalog.Service, error) {
	return nil, errPending
}

// ListTopSeries implements catalog.Store.
func (s *Store) ListTopSeries(ctx context.Context, w tallycatv1.Window, limit int) (*catalog.TopSeries, error) {
	return nil, errPending
}

// GetSeriesHistory implements catalog.Store.
func (s *Store) GetSeriesHistory(ctx context.Context, schemaKey string) ([]catalog.SeriesPoint, error) {
	return nil, errPending
}

// ListSchemaEvents implements catalog.Store.
func (s *Store) ListSchemaEvents(ctx context.Context, schemaKey string, offset, limit int) ([]catalog.Event, error) {
	return nil, errPending
}
