package catalog

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"
)

// Page tokens are opaque to clients: an offset and a fingerprint of the
// request's filter. The fingerprint turns a token reused with another filter
// into a clear error instead of a silently wrong page.

// DefaultPageSize is the page size when a request leaves it at zero.
const DefaultPageSize = 100

type pageToken struct {
	Offset      int    `json:"o"`
	Fingerprint uint64 `json:"f"`
}

// Fingerprint hashes the parts of a request that a page token is bound to.
func Fingerprint(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// EncodePageToken returns the token for the page that starts at offset.
func EncodePageToken(offset int, fingerprint uint64) string {
	b, _ := json.Marshal(pageToken{Offset: offset, Fingerprint: fingerprint})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodePageToken returns the offset of a token, 0 for the empty token, or
// EINVALID when the token is malformed or was issued for another filter.
func DecodePageToken(token string, fingerprint uint64) (int, error) {
	if token == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var t pageToken
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil || t.Offset < 0 {
		return 0, Errorf(EINVALID, "page_token: not a token this server issued")
	}
	if t.Fingerprint != fingerprint {
		return 0, Errorf(EINVALID, "page_token: issued for a different filter or sort; start again without a token")
	}
	return t.Offset, nil
}
