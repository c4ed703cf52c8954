package consumers

import (
	"fmt"
	"strings"
)

// ReadPersesDashboard reads a Perses dashboard, YAML or JSON: a
// `kind: Dashboard` as Perses' API and percli write it, or a
// `kind: PersesDashboard` of the Perses operator. Its queries are its
// panels' PrometheusTimeSeriesQuery specs and its variables'
// PrometheusPromQLVariable and PrometheusLabelValuesVariable specs.
func ReadPersesDashboard(source string, b []byte) (Consumer, error) {
	roots, err := parseDocument(source, b)
	if err != nil {
		return Consumer{}, err
	}
	if len(roots) != 1 {
		return Consumer{}, &SourceError{Source: source, Err: fmt.Errorf("%d documents, want one dashboard", len(roots))}
	}
	return readPersesDashboard(source, roots[0])
}

// persesSpec returns a Perses dashboard's spec and its path, or nil.
func persesSpec(root *node) (*node, string) {
	switch root.get("kind").str() {
	case "Dashboard":
		if s := root.get("spec"); s.get("panels") != nil {
			return s, "spec"
		}
	case "PersesDashboard":
		if s := root.get("spec").get("config"); s.isObject() {
			return s, "spec.config"
		}
		if s := root.get("spec"); s.get("panels") != nil {
			return s, "spec"
		}
	}
	return nil, ""
}

func readPersesDashboard(source string, root *node) (Consumer, error) {
	spec, path := persesSpec(root)
	if spec == nil {
		return Consumer{}, &SourceError{Source: source, Line: root.Line(), Err: ErrUnknownFormat}
	}
	meta := root.get("metadata")
	project := meta.get("project").str()
	if project == "" {
		project = meta.get("namespace").str()
	}
	c := Consumer{
		Kind:   Dashboard,
		Format: PersesDashboard,
		Source: source,
		UID:    strings.Trim(project+"/"+meta.get("name").str(), "/"),
		Title:  spec.get("display").get("name").str(),
		Folder: project,
	}
	if c.Title == "" {
		c.Title = meta.get("name").str()
	}
	g := &grafana{source: source, c: &c, vars: persesVariables(spec)}
	for i, v := range spec.get("variables").list() {
		g.persesVariable(v, fmt.Sprintf("%s.variables[%d]", path, i))
	}
	rows := persesRows(spec)
	for i, key := range spec.get("panels").keys {
		p := spec.get("panels").vals[i]
		title := p.get("spec").get("display").get("name").str()
		if row := rows[key]; row != "" {
			title = row + " / " + title
		}
		for j, q := range p.get("spec").get("queries").list() {
			plugin := q.get("spec").get("plugin")
			qpath := fmt.Sprintf("%s.panels.%s.spec.queries[%d].spec.plugin.spec.query", path, key, j)
			if kind := plugin.get("kind").str(); kind != "PrometheusTimeSeriesQuery" {
				g.skip(kind)
				continue
			}
			expr := plugin.get("spec").get("query")
			raw := expr.scalar()
			if strings.TrimSpace(raw) == "" {
				continue
			}
			g.add(Query{Panel: title, Path: qpath, Line: expr.Line(),
				Datasource: plugin.get("spec").get("datasource").get("name").str(), Raw: raw}, raw)
		}
	}
	return c, nil
}

// persesRows maps each panel key to the title of the grid that lays it
// out (`#/spec/panels/0_0`).
func persesRows(spec *node) map[string]string {
	out := map[string]string{}
	for _, l := range spec.get("layouts").list() {
		title := l.get("spec").get("display").get("title").str()
		for _, it := range l.get("spec").get("items").list() {
			ref := it.get("content").get("$ref").str()
			if i := strings.LastIndex(ref, "/"); i >= 0 && title != "" {
				out[ref[i+1:]] = title
			}
		}
	}
	return out
}

// persesVariables collects the values Perses variables are given: a text
// variable's value, a list variable's default.
func persesVariables(spec *node) *variables {
	v := &variables{values: map[string][]string{}, dsTypes: map[string]string{}}
	for _, tv := range spec.get("variables").list() {
		s := tv.get("spec")
		name := s.get("name").str()
		var vals []string
		if val := s.get("value").scalar(); val != "" {
			vals = []string{val}
		}
		def := s.get("defaultValue")
		for _, it := range def.list() {
			vals = append(vals, it.scalar())
		}
		if d := def.scalar(); d != "" {
			vals = append(vals, d)
		}
		if vals = concrete(vals); len(vals) > 0 && name != "" {
			v.values[name] = vals
		}
	}
	return v
}

// persesVariable reads a list variable's Prometheus query: a PromQL
// expression, or the series selectors whose label values it lists.
func (g *grafana) persesVariable(v *node, path string) {
	s := v.get("spec")
	plugin := s.get("plugin")
	spec := plugin.get("spec")
	panel := "variable " + s.get("name").str()
	ds := spec.get("datasource").get("name").str()
	switch plugin.get("kind").str() {
	case "PrometheusPromQLVariable":
		expr := spec.get("expr")
		q := Query{Panel: panel, Path: path + ".spec.plugin.spec.expr", Line: expr.Line(), Datasource: ds, Raw: expr.scalar()}
		if l := spec.get("labelName").str(); l != "" {
			q.GroupLabels = []string{l}
		}
		if strings.TrimSpace(q.Raw) != "" {
			g.add(q, q.Raw)
		}
	case "PrometheusLabelValuesVariable", "PrometheusLabelNamesVariable":
		var labels []string
		if l := spec.get("labelName").str(); l != "" {
			labels = []string{l}
		}
		for i, m := range spec.get("matchers").list() {
			q := Query{Panel: panel, Path: fmt.Sprintf("%s.spec.plugin.spec.matchers[%d]", path, i),
				Line: m.Line(), Datasource: ds, Raw: m.scalar(), GroupLabels: labels}
			if strings.TrimSpace(q.Raw) != "" {
				g.add(q, q.Raw)
			}
		}
	}
}
