package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tallycat/tallycat/services/catalog/api"
)

func TestUIHandler(t *testing.T) {
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<html>app</html>")},
		"assets/app-abc1.js": {Data: []byte("console.log(1)")},
	}
	srv := httptest.NewServer(api.UIHandler(files))
	defer srv.Close()
	for _, tc := range []struct {
		path, want string
		status     int
		cache      string
	}{
		{"/", "app", 200, "no-cache"},
		{"/metrics/http.server.request.duration", "app", 200, "no-cache"}, // a route with dots
		{"/schemas/0123", "app", 200, "no-cache"},
		{"/assets/app-abc1.js", "console.log", 200, "immutable"},
		{"/assets/missing.js", "404", 404, ""},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) || !strings.Contains(resp.Header.Get("Cache-Control"), tc.cache) {
			t.Errorf("%s: %d %q (Cache-Control %q); want %d with %q", tc.path, resp.StatusCode, b, resp.Header.Get("Cache-Control"), tc.status, tc.want)
		}
	}
}
