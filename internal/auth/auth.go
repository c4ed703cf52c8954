// Package auth holds bearer tokens from a file and checks requests against
// them. Both services use it: the catalog to guard changes (and reads, if
// asked), the ingest to guard its OTLP receivers.
package auth

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"strings"

	"connectrpc.com/connect"
)

// Tokens is a set of named bearer tokens. The name of the token a request
// carries is who made the request: it becomes the actor of version changes.
type Tokens struct {
	names  []string
	hashes [][sha256.Size]byte
}

// Load reads a token file: one `name:token` a line; blank lines and lines
// starting with # are ignored. Names must be unique, tokens at least 16
// characters, so that a typo does not leave a guessable token in place.
func Load(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	t := &Tokens{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, token, ok := strings.Cut(line, ":")
		name, token = strings.TrimSpace(name), strings.TrimSpace(token)
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("token file %s line %d: want name:token", path, n)
		case len(token) < 16:
			return nil, fmt.Errorf("token file %s line %d: the token of %q is shorter than 16 characters", path, n, name)
		case seen[name]:
			return nil, fmt.Errorf("token file %s line %d: %q is named twice", path, n, name)
		}
		seen[name] = true
		t.names = append(t.names, name)
		t.hashes = append(t.hashes, sha256.Sum256([]byte(token)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("token file %s: %w", path, err)
	}
	if len(t.names) == 0 {
		return nil, fmt.Errorf("token file %s holds no token", path)
	}
	return t, nil
}

// Identify returns the name of the token in an Authorization header value
// ("Bearer <token>"). It compares in constant time against every token
// (hashes, so lengths leak nothing either), whichever matches.
func (t *Tokens) Identify(authorization string) (string, bool) {
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	h := sha256.Sum256([]byte(strings.TrimSpace(token)))
	found := -1
	for i := range t.hashes {
		if subtle.ConstantTimeCompare(h[:], t.hashes[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return t.names[found], true
}

// ReadToken reads a file holding one token, for a client's own credential.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty", path)
	}
	return tok, nil
}

// BearerToken is a client interceptor that sends token on every request.
func BearerToken(token string) connect.Interceptor {
	return connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, req)
		}
	})
}
