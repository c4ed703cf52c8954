package consumers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// GrafanaClient reads dashboards and alert rules from Grafana's HTTP API
// with a service account token (Viewer is enough for dashboards; alert
// rules need the alerting provisioning read permission).
type GrafanaClient struct {
	// URL is Grafana's root, such as https://grafana.example.com.
	URL string
	// Token is sent as a bearer token; empty sends none.
	Token string
	// HTTP is the client to use; nil uses http.DefaultClient.
	HTTP *http.Client
}

// maxResponse bounds one API response: the largest dashboards are a few
// megabytes.
const maxResponse = 64 << 20

// get fetches one API path and returns its body, or an error naming the
// URL and the status.
func (c *GrafanaClient) get(ctx context.Context, path string) ([]byte, error) {
	return fetch(ctx, c.HTTP, strings.TrimRight(c.URL, "/")+path, c.Token)
}

func fetch(ctx context.Context, client *http.Client, u, token string) ([]byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if len(b) > maxResponse {
		return nil, fmt.Errorf("GET %s: the response is larger than %d bytes", u, maxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{URL: u, Status: resp.StatusCode, Body: strings.TrimSpace(string(b[:min(len(b), 200)]))}
	}
	return b, nil
}

// HTTPError is an API answering other than 200.
type HTTPError struct {
	URL    string
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: %d %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Body)
}

// searchPage is how many dashboards one search asks for.
const searchPage = 1000

// Dashboards reads every dashboard Grafana's search lists, each by its
// uid, with the library panels they use and the datasource types the
// token may read. Any failure fails the whole read: a sync that missed a
// dashboard would take it for deleted.
func (c *GrafanaClient) Dashboards(ctx context.Context) ([]Consumer, error) {
	opts := Options{Datasources: c.datasources(ctx)}
	library := map[string][]byte{}
	opts.LibraryPanel = func(uid string) ([]byte, error) {
		if b, ok := library[uid]; ok {
			return b, nil
		}
		b, err := c.get(ctx, "/api/library-elements/"+url.PathEscape(uid))
		if err == nil {
			library[uid] = b
		}
		return b, err
	}
	var out []Consumer
	for page := 1; ; page++ {
		b, err := c.get(ctx, fmt.Sprintf("/api/search?type=dash-db&limit=%d&page=%d", searchPage, page))
		if err != nil {
			return nil, err
		}
		var hits []struct {
			UID         string `json:"uid"`
			FolderTitle string `json:"folderTitle"`
		}
		if err := json.Unmarshal(b, &hits); err != nil {
			return nil, fmt.Errorf("%s/api/search: %w", c.URL, err)
		}
		for _, h := range hits {
			dc, err := c.dashboard(ctx, h.UID, h.FolderTitle, opts)
			if err != nil {
				return nil, err
			}
			out = append(out, dc)
		}
		if len(hits) < searchPage {
			return out, nil
		}
	}
}

func (c *GrafanaClient) dashboard(ctx context.Context, uid, folder string, opts Options) (Consumer, error) {
	path := "/api/dashboards/uid/" + url.PathEscape(uid)
	b, err := c.get(ctx, path)
	if err != nil {
		return Consumer{}, err
	}
	opts.Folder = folder
	source := strings.TrimRight(c.URL, "/") + "/d/" + uid
	dc, err := ReadGrafanaDashboard(source, b, opts)
	if err != nil {
		return Consumer{}, err
	}
	apiLines(&dc)
	return dc, nil
}

// apiLines clears the lines of queries read from an API response: they
// are lines of a response nobody sees.
func apiLines(c *Consumer) {
	for i := range c.Queries {
		c.Queries[i].Line = 0
	}
}

// datasources maps the datasources' names and uids to their types. A
// token that may not list them gets none, and panels are then told by
// their own datasource objects, as Grafana 8.3 and later write them.
func (c *GrafanaClient) datasources(ctx context.Context) map[string]string {
	b, err := c.get(ctx, "/api/datasources")
	if err != nil {
		return nil
	}
	var ds []struct {
		UID  string `json:"uid"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &ds) != nil {
		return nil
	}
	out := map[string]string{}
	for _, d := range ds {
		out[d.UID], out[d.Name] = d.Type, d.Type
	}
	return out
}

// AlertRules reads Grafana-managed alert and recording rules from the
// provisioning API.
func (c *GrafanaClient) AlertRules(ctx context.Context) ([]Consumer, error) {
	path := "/api/v1/provisioning/alert-rules"
	b, err := c.get(ctx, path)
	if err != nil {
		return nil, err
	}
	// A Grafana without alert rules answers an empty list: no rules, not
	// a document of an unknown format.
	var list []json.RawMessage
	if json.Unmarshal(b, &list) == nil && len(list) == 0 {
		return nil, nil
	}
	rules, err := ReadGrafanaAlertRules(strings.TrimRight(c.URL, "/")+path, b, Options{Datasources: c.datasources(ctx)})
	if err != nil {
		return nil, err
	}
	for i := range rules {
		apiLines(&rules[i])
	}
	return rules, nil
}
