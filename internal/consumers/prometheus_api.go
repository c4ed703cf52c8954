package consumers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// PrometheusClient reads the alerting and recording rules a Prometheus
// (or Thanos, Mimir, VictoriaMetrics' vmalert) serves at /api/v1/rules.
type PrometheusClient struct {
	// URL is the server's root, such as http://prometheus:9090.
	URL string
	// Token is sent as a bearer token; empty sends none.
	Token string
	// HTTP is the client to use; nil uses http.DefaultClient.
	HTTP *http.Client
}

// Rules reads every rule the server evaluates. Each is a consumer whose
// source is the rule file the server names, as when the file itself is
// read, so that a rule says where to fix it. It is not the same stored
// consumer as the file's: a stored consumer's id includes its origin
// (catalog.ConsumerID), and a sync from the API is another origin than
// one from the files.
func (c *PrometheusClient) Rules(ctx context.Context) ([]Consumer, error) {
	u := strings.TrimRight(c.URL, "/") + "/api/v1/rules"
	b, err := fetch(ctx, c.HTTP, u, c.Token)
	if err != nil {
		return nil, err
	}
	return ReadPrometheusRulesAPI(u, b)
}

// ReadPrometheusRulesAPI reads a /api/v1/rules response
// (`data.groups[].rules[]`, each with a `type`, a `name` and a `query`).
func ReadPrometheusRulesAPI(source string, b []byte) ([]Consumer, error) {
	root, err := parseJSON(b)
	if err != nil {
		return nil, &SourceError{Source: source, Err: err}
	}
	if st := root.get("status").str(); st != "success" {
		return nil, &SourceError{Source: source, Path: "status", Err: fmt.Errorf("status %q: %s", st, root.get("error").str())}
	}
	var out []Consumer
	for i, g := range root.get("data").get("groups").list() {
		group := g.get("name").str()
		file := g.get("file").str()
		if file == "" {
			file = source
		}
		seen := map[string]int{}
		for j, r := range g.get("rules").list() {
			path := fmt.Sprintf("data.groups[%d].rules[%d]", i, j)
			c := Consumer{Format: PrometheusRules, Source: file, Folder: group, Title: r.get("name").str()}
			switch r.get("type").str() {
			case "alerting":
				c.Kind = AlertRule
			case "recording":
				c.Kind = RecordingRule
			default:
				return nil, &SourceError{Source: source, Path: path + ".type", Err: fmt.Errorf("rule type %q", r.get("type").str())}
			}
			c.UID = group + "/" + c.Title
			if n := seen[c.Title]; n > 0 {
				c.UID += fmt.Sprintf("#%d", n+1)
			}
			seen[c.Title]++
			q := Query{Panel: c.Title, Path: path + ".query", Raw: r.get("query").scalar()}
			q.Expr = q.Raw
			q.analyze()
			c.Queries = []Query{q}
			out = append(out, c)
		}
	}
	return out, nil
}
