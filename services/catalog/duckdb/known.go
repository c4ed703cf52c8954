package duckdb

import (
	"context"
	"database/sql"
	"encoding/hex"

	"github.com/tallycat/tallycat/services/catalog"
)

// knownIDs is which streams, schemas and keys the database holds, kept in
// the writer's memory so that the planner's questions about things that
// cannot exist (most of a batch of new shapes) cost no query. The store is
// its file's only writer, so the sets are exact once loaded; a write that
// rolls back after adding its ids makes the writer forget them all and
// load them again at its next write (see RecordObservations), as a key it
// added would be written as held, and its flags with it.
// 100k streams and schemas take about 8 MB.
type knownIDs struct {
	streams, schemas map[[16]byte]struct{}
	keys             map[string]struct{}
}

// preloadKnown reads the ids into s.known under the writer lock, unless a
// write has already: Open starts it in a goroutine, so that start-up does
// not wait for it and the first write, which would otherwise read them
// (0.2 s on the 100k-schema catalog), usually need not. A failure leaves
// the reading to the first write, which reports it.
func (s *Store) preloadKnown() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.known != nil || s.closed {
		return
	}
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if k, err := loadKnown(ctx, conn); err == nil {
		s.known = k
	}
}

// loadKnown reads the ids; the writer calls it at its first write when
// preloadKnown has not.
func loadKnown(ctx context.Context, conn *sql.Conn) (*knownIDs, error) {
	k := &knownIDs{streams: map[[16]byte]struct{}{}, schemas: map[[16]byte]struct{}{}, keys: map[string]struct{}{}}
	for _, q := range []struct {
		query string
		add   func(string)
	}{
		{`SELECT DISTINCT stream_id FROM schema_streams`, func(id string) { k.streams[raw(id)] = struct{}{} }},
		{`SELECT schema_id FROM schemas`, func(id string) { k.schemas[raw(id)] = struct{}{} }},
		{`SELECT schema_key FROM schema_keys`, func(key string) { k.keys[key] = struct{}{} }},
	} {
		err := scanRows(ctx, conn, q.query, nil, func(rows *sql.Rows) error {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			q.add(v)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return k, nil
}

// add records what a plan writes.
func (k *knownIDs) add(p *catalog.Plan) {
	for _, sw := range p.Schemas {
		k.schemas[raw(sw.ID)] = struct{}{}
		k.keys[sw.Key] = struct{}{}
	}
	for _, st := range p.Streams {
		k.streams[raw(st.ID)] = struct{}{}
	}
}

// newKeys are the plan's keys the database does not hold, asked before
// add records the plan.
func (k *knownIDs) newKeys(p *catalog.Plan) map[string]bool {
	out := map[string]bool{}
	for _, kw := range p.Keys {
		if _, ok := k.keys[kw.Key]; !ok {
			out[kw.Key] = true
		}
	}
	return out
}

// raw is the 16 bytes of a 32-hex-digit id; anything else (never made by
// the catalog) keys as its first 16 bytes.
func raw(id string) [16]byte {
	var b [16]byte
	if _, err := hex.Decode(b[:], []byte(id)); err != nil {
		copy(b[:], id)
	}
	return b
}

// filter keeps the ids that may exist: all of them when nothing is known.
func filter(ids []string, set map[[16]byte]struct{}, known bool) []string {
	if !known {
		return ids
	}
	var out []string
	for _, id := range ids {
		if _, ok := set[raw(id)]; ok {
			out = append(out, id)
		}
	}
	return out
}

func (k *knownIDs) streamSet() map[[16]byte]struct{} {
	if k == nil {
		return nil
	}
	return k.streams
}

func (k *knownIDs) schemaSet() map[[16]byte]struct{} {
	if k == nil {
		return nil
	}
	return k.schemas
}
