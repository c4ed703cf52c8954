package postgres

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog"
)

// RecordObservations implements catalog.Store.
func (s *Store) RecordObservations(ctx context.Context, batchID string, obs []catalog.Observation) (catalog.RecordResult, error) {
	return catalog.RecordResult{}, catalog.Errorf(catalog.EUNAVAILABLE, "postgres: writes are not written yet")
}
