package otlp

import (
	"bytes"
	"sync"
)

// Request bodies are the ingest's only large allocations (165 kB for the
// yardstick's 1,000 points): taking them from a pool keeps the garbage
// collector, and the write barriers it turns on, out of the hot path.
var bodies sync.Pool

// maxPooledBody bounds the buffers kept for reuse, so that one huge request
// does not stay resident.
const maxPooledBody = 4 << 20

// getBody returns an empty buffer with room for at least n bytes.
func getBody(n int) *bytes.Buffer {
	b, _ := bodies.Get().(*bytes.Buffer)
	if b == nil {
		b = new(bytes.Buffer)
	}
	b.Grow(n)
	return b
}

// putBody gives a buffer back once nothing refers to its bytes any more:
// an ingest.Request's Proto is valid only during Consume.
func putBody(b *bytes.Buffer) {
	if b == nil || b.Cap() > maxPooledBody {
		return
	}
	b.Reset()
	bodies.Put(b)
}
