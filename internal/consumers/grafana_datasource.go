package consumers

import (
	"strings"
)

// promTypes are the datasource plugins whose queries are PromQL.
var promTypes = map[string]bool{
	"prometheus":                          true,
	"grafana-amazonprometheus-datasource": true,
	"grafana-azureprometheus-datasource":  true,
	"victoriametrics-metrics-datasource":  true,
}

// Grafana's special datasources, by the uid or name a panel gives them.
var specialDatasources = map[string]string{
	"-- Grafana --":   "grafana",
	"grafana":         "grafana",
	"-- Mixed --":     "mixed",
	"-- Dashboard --": "dashboard",
	"__expr__":        "__expr__",
}

// guessByName tells a datasource's type from its name when nothing else
// does: a panel of an old dashboard that names "Loki" or "tempo-prod".
var guessByName = []string{"loki", "tempo", "jaeger", "zipkin", "elasticsearch", "opensearch",
	"influx", "graphite", "mysql", "postgres", "mssql", "clickhouse", "cloudwatch", "pyroscope", "testdata"}

// dsRef is a datasource reference resolved as far as it can be.
type dsRef struct {
	// name is the reference as written: a uid, a name or a variable.
	name string
	// typ is its plugin type, "" when unknown: the default datasource, or
	// a name no map resolves.
	typ string
}

// datasource resolves a panel's, a target's or a variable's datasource:
// a string (a name, a variable, a special one) or an object with a type
// and a uid (Grafana 8.3 and later).
func (g *grafana) datasource(n *node) (dsRef, bool) {
	if n == nil || n.kind == kindNull {
		return dsRef{}, false
	}
	if n.isObject() {
		uid := n.get("uid").scalar()
		typ := n.get("type").str()
		if strings.Contains(typ, "$") {
			typ = g.vars.dsTypes[varName(typ)]
		}
		if special, ok := specialDatasources[uid]; ok {
			return dsRef{name: uid, typ: special}, true
		}
		if typ == "datasource" {
			// {"type": "datasource", "uid": "grafana"} and its kind.
			return dsRef{name: uid, typ: "grafana"}, true
		}
		if typ == "" {
			return g.named(uid), uid != ""
		}
		return dsRef{name: uid, typ: typ}, true
	}
	s := n.str()
	if s == "" {
		return dsRef{}, false
	}
	return g.named(s), true
}

// named resolves a datasource given by name, uid or variable.
func (g *grafana) named(s string) dsRef {
	ref := dsRef{name: s}
	if special, ok := specialDatasources[s]; ok {
		ref.typ = special
		return ref
	}
	if strings.Contains(s, "$") || strings.HasPrefix(s, "[[") {
		ref.typ = g.vars.dsTypes[varName(s)]
		return ref
	}
	if t, ok := g.opts.Datasources[s]; ok {
		ref.typ = t
		return ref
	}
	lower := strings.ToLower(s)
	for _, t := range guessByName {
		if strings.Contains(lower, t) {
			ref.typ = t
			return ref
		}
	}
	if strings.Contains(lower, "prometheus") || strings.Contains(lower, "mimir") || strings.Contains(lower, "thanos") {
		ref.typ = "prometheus"
	}
	return ref
}

// varName is the variable a reference names: $ds, ${ds}, ${ds:raw}, [[ds]].
func varName(ref string) string {
	if loc := varRef.FindStringSubmatchIndex(ref); loc != nil {
		name, _ := refName(ref, loc)
		return name
	}
	return ref
}

// isPromQL decides whether a query on ref is PromQL. A reference of
// unknown type (the default datasource, a name no map resolves) is taken
// for Prometheus when the query has an `expr`: most dashboards that name
// no datasource were written for a Prometheus default.
func isPromQL(ref dsRef, hasExpr bool) bool {
	if ref.typ == "" {
		return hasExpr
	}
	return promTypes[ref.typ]
}
