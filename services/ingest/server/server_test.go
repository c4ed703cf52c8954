package server

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogURLList: --catalog-url takes one URL or a comma-separated
// list; an empty entry or one that is not a base URL stops the start,
// naming the entry.
func TestCatalogURLList(t *testing.T) {
	for _, tc := range []struct {
		flag string
		want []string
		err  string // a part of the error; "" for none
	}{
		{flag: "http://cat:8080", want: []string{"http://cat:8080"}},
		{flag: "http://a:8080, https://b/, http://c:8080/tallycat", want: []string{"http://a:8080", "https://b", "http://c:8080/tallycat"}},
		{flag: "http://a:8080,", err: `entry 2 of "http://a:8080," is empty`},
		{flag: ",http://a:8080", err: "entry 1 of"},
		{flag: "http://a:8080,,http://b:8080", err: "entry 2 of"},
		{flag: "", err: "entry 1 of"},
		{flag: "http://a:8080,b:8080", err: `entry 2, "b:8080", is not an http:// or https:// URL`},
		{flag: "http://a:8080,cat.internal", err: `entry 2, "cat.internal"`},
		{flag: "ftp://a", err: `entry 1, "ftp://a"`},
		{flag: "http://", err: `entry 1, "http://"`},
		{flag: "http://a:8080,http://%zz", err: `entry 2, "http://%zz"`},
		{flag: "http://a:8080?x=1", err: "query or fragment"},
		{flag: "http://a:8080,http://a:8080/", err: `entry 2, "http://a:8080", is listed twice`},
	} {
		m := &Main{Config: DefaultConfig()}
		err := m.ParseFlags([]string{"--catalog-url", tc.flag})
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.flag, err)
		case tc.err == "" && !slices.Equal(m.Config.CatalogURLs, tc.want):
			t.Errorf("%q: %q, want %q", tc.flag, m.Config.CatalogURLs, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--catalog-url")):
			t.Errorf("%q: error %v, want one naming --catalog-url and saying %s", tc.flag, err, tc.err)
		}
	}
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags(nil); err != nil || !slices.Equal(m.Config.CatalogURLs, []string{"http://127.0.0.1:8080"}) {
		t.Errorf("default: %q, %v", m.Config.CatalogURLs, err)
	}
}
