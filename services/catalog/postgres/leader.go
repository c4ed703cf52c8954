package postgres

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tallycat/tallycat/services/catalog"
)

// leadLockKey is the advisory lock the leading replica holds for as long
// as its connection lives. Every replica must use the same value.
const leadLockKey int64 = 0x74616c6c796c6561 // "tallylea"

var _ catalog.Leader = (*Store)(nil)

// leader is the store's hold on leadership: a pooled connection kept out
// of the pool, whose session holds leadLockKey.
type leader struct {
	mu   sync.Mutex
	conn *pgxpool.Conn
}

// Leading implements catalog.Leader: this replica leads while a session of
// its own holds the lead lock. It tries to take the lock when it does not
// hold it, and checks the session is alive when it does; a replica that
// dies or loses its database loses the lock with its session, and the
// next replica to ask takes it.
func (s *Store) Leading(ctx context.Context) bool {
	s.lead.mu.Lock()
	defer s.lead.mu.Unlock()
	if c := s.lead.conn; c != nil {
		if c.Ping(ctx) == nil {
			return true
		}
		c.Conn().Close(context.WithoutCancel(ctx))
		c.Release()
		s.lead.conn = nil
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return false
	}
	var got bool
	if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, leadLockKey).Scan(&got); err != nil || !got {
		c.Release()
		return false
	}
	s.lead.conn = c
	return true
}

// resign gives leadership up: it unlocks, so that another replica can
// lead at once (a closed session's lock is only freed once its server
// process ends), then closes the session.
func (s *Store) resign() {
	s.lead.mu.Lock()
	defer s.lead.mu.Unlock()
	if c := s.lead.conn; c != nil {
		c.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, leadLockKey)
		c.Conn().Close(context.Background())
		c.Release()
		s.lead.conn = nil
	}
}
