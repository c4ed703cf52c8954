package sqlstore

import (
	"context"
	"errors"

	"github.com/tallycat/tallycat/services/catalog"
)

// SyncConsumers is a placeholder until the stores keep consumers.
func (f Flows) SyncConsumers(ctx context.Context, s catalog.ConsumerSync) (catalog.ConsumerSyncResult, error) {
	return catalog.ConsumerSyncResult{}, errors.New("consumers are not stored yet")
}

// ListConsumers is a placeholder until the stores keep consumers.
func (f Flows) ListConsumers(ctx context.Context) ([]catalog.Consumer, error) {
	return nil, nil
}
