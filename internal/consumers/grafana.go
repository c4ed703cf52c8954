package consumers

import (
	"fmt"
	"strings"
)

// ReadGrafanaDashboard reads one Grafana dashboard's JSON: the model as a
// file holds it, as Grafana exports it for sharing (with __inputs and
// __elements), or as /api/dashboards/uid/UID answers (under "dashboard").
func ReadGrafanaDashboard(source string, b []byte, opts Options) (Consumer, error) {
	root, err := parseJSON(b)
	if err != nil {
		return Consumer{}, &SourceError{Source: source, Err: err}
	}
	return readGrafanaDashboard(source, root, opts)
}

func isGrafanaDashboard(root *node) bool {
	if d := root.get("dashboard"); d.isObject() {
		root = d
	}
	return root.get("panels") != nil || root.get("rows") != nil ||
		(root.get("schemaVersion") != nil && root.get("title") != nil)
}

// grafana reads one dashboard.
type grafana struct {
	source string
	opts   Options
	vars   *variables
	c      *Consumer
	// elements are an exported dashboard's library panels, by uid.
	elements *node
}

func readGrafanaDashboard(source string, root *node, opts Options) (Consumer, error) {
	prefix := ""
	if d := root.get("dashboard"); d.isObject() {
		if f := root.get("meta").get("folderTitle").str(); f != "" && opts.Folder == "" {
			opts.Folder = f
		}
		root, prefix = d, "dashboard."
	}
	if !isGrafanaDashboard(root) {
		return Consumer{}, &SourceError{Source: source, Line: root.Line(), Err: ErrUnknownFormat}
	}
	c := Consumer{
		Kind:   Dashboard,
		Format: GrafanaDashboard,
		Source: source,
		UID:    root.get("uid").str(),
		Title:  root.get("title").str(),
		Folder: opts.Folder,
	}
	if c.UID == "" {
		c.UID = source
	}
	g := &grafana{source: source, opts: opts, c: &c, elements: root.get("__elements")}
	g.vars = grafanaVariables(root)
	g.templating(root.get("templating").get("list"), prefix+"templating.list")
	g.panels(root.get("panels"), prefix+"panels", "")
	for i, row := range root.get("rows").list() {
		// Before schema 16 panels sat in rows; each row's panels inherit
		// nothing from it but its title.
		title := row.get("title").str()
		g.panels(row.get("panels"), fmt.Sprintf("%srows[%d].panels", prefix, i), title)
	}
	return c, nil
}

// grafanaVariables collects the values a dashboard gives its variables.
func grafanaVariables(root *node) *variables {
	v := &variables{values: map[string][]string{}, dsTypes: map[string]string{}}
	for _, in := range root.get("__inputs").list() {
		if in.get("type").str() == "datasource" {
			v.dsTypes[in.get("name").str()] = in.get("pluginId").str()
		}
	}
	for _, tv := range root.get("templating").get("list").list() {
		name := tv.get("name").str()
		if name == "" {
			continue
		}
		typ := tv.get("type").str()
		if typ == "datasource" {
			v.dsTypes[name] = tv.get("query").str()
			continue
		}
		v.values[name] = variableValues(tv, typ)
	}
	return v
}

// variableValues is what a variable holds when the dashboard says: its
// current value when that is concrete, a constant's or textbox's query,
// an interval's or custom list's first option.
func variableValues(tv *node, typ string) []string {
	var vals []string
	cur := tv.get("current").get("value")
	if items := cur.list(); items != nil {
		for _, it := range items {
			vals = append(vals, it.scalar())
		}
	} else if s := cur.scalar(); s != "" {
		vals = []string{s}
	}
	vals = concrete(vals)
	if len(vals) > 0 {
		return vals
	}
	switch typ {
	case "constant", "textbox":
		if q := tv.get("query").scalar(); q != "" {
			return []string{q}
		}
	case "interval", "custom":
		for _, o := range strings.Split(tv.get("query").scalar(), ",") {
			if o = strings.TrimSpace(o); o != "" && o != "auto" {
				return []string{o}
			}
		}
	}
	return nil
}

// concrete drops the values that stand for "all" or nothing.
func concrete(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v != "" && v != "$__all" && v != "All" && !strings.HasPrefix(v, "$") {
			out = append(out, v)
		}
	}
	return out
}

// templating reads the variables' own queries: a label_values(metric,
// label) reads the metric and the label as surely as a panel does.
func (g *grafana) templating(list *node, path string) {
	for i, tv := range list.list() {
		if tv.get("type").str() != "query" {
			continue
		}
		ref, _ := g.datasource(tv.get("datasource"))
		qn := tv.get("query")
		qpath := fmt.Sprintf("%s[%d].query", path, i)
		if qn.isObject() {
			qn, qpath = qn.get("query"), qpath+".query"
		}
		raw := qn.str()
		if raw == "" {
			continue
		}
		if !isPromQL(ref, true) {
			g.skip(ref.typ)
			continue
		}
		expr, labels := variableQuery(raw)
		if expr == "" {
			continue
		}
		q := Query{Panel: "variable " + tv.get("name").str(), Path: qpath, Line: qn.Line(),
			Datasource: ref.name, Raw: raw, GroupLabels: labels}
		g.add(q, expr)
	}
}

func (g *grafana) skip(typ string) {
	if typ == "" {
		typ = "unknown"
	}
	if g.c.Skipped == nil {
		g.c.Skipped = map[string]int{}
	}
	g.c.Skipped[typ]++
}

// add substitutes a query's variables, parses it and keeps it.
func (g *grafana) add(q Query, expr string) {
	var unresolved []string
	q.Expr, unresolved = g.vars.substitute(expr)
	q.analyze()
	switch {
	case q.Error != "":
		q.Error = unresolvedError(unresolved, q.Error)
	case len(unresolved) > 0:
		g.c.Notes = append(g.c.Notes, fmt.Sprintf("%s: read with a stand-in for %s, which the dashboard gives no value",
			q.Path, strings.Join(unresolved, ", ")))
	}
	g.c.Queries = append(g.c.Queries, q)
}

// panels reads a list of panels; row is the title of the row they are in.
// In a dashboard's own list the panels after a row are that row's: an
// open row is followed by its panels, a collapsed one holds them.
func (g *grafana) panels(list *node, path, row string) {
	for i, p := range list.list() {
		ppath := fmt.Sprintf("%s[%d]", path, i)
		if p.get("type").str() == "row" {
			row = p.get("title").str()
			g.panels(p.get("panels"), ppath+".panels", row)
			continue
		}
		g.panel(p, ppath, row)
	}
}

func (g *grafana) panel(p *node, path, row string) {
	title := p.get("title").str()
	if lib := p.get("libraryPanel"); lib.isObject() && p.get("targets") == nil {
		g.library(lib, path, row, title)
		return
	}
	if title == "" {
		// An untitled panel (a table, a stat) is named by its id, so that
		// a finding can still say which panel.
		if id := p.get("id").scalar(); id != "" {
			title = "panel " + id
		}
	}
	if row != "" {
		title = row + " / " + title
	}
	panelDS, _ := g.datasource(p.get("datasource"))
	for j, t := range p.get("targets").list() {
		ref := panelDS
		if tds, ok := g.datasource(t.get("datasource")); ok && (tds.typ != "" || ref.typ == "" || ref.typ == "mixed") {
			ref = tds
		}
		expr := t.get("expr")
		if !isPromQL(ref, expr != nil) {
			g.skip(ref.typ)
			continue
		}
		raw := expr.str()
		if strings.TrimSpace(raw) == "" {
			// An empty target is an unfinished one, not a query.
			continue
		}
		g.add(Query{
			Panel:      title,
			RefID:      t.get("refId").str(),
			Path:       fmt.Sprintf("%s.targets[%d].expr", path, j),
			Line:       expr.Line(),
			Datasource: ref.name,
			Raw:        raw,
		}, raw)
	}
	// Some panels nest panels without being rows (old singlestat repeats).
	if p.get("panels") != nil {
		g.panels(p.get("panels"), path+".panels", row)
	}
}

// library reads a library panel: from the dashboard's __elements when it
// was exported with them, else through the LibraryPanel option.
func (g *grafana) library(lib *node, path, row, title string) {
	uid := lib.get("uid").str()
	if el := g.elements.get(uid); el.isObject() {
		if model := el.get("model"); model.isObject() {
			g.libraryModel(model, fmt.Sprintf("__elements.%s.model", uid), row, title)
			return
		}
	}
	if g.opts.LibraryPanel != nil && uid != "" {
		b, err := g.opts.LibraryPanel(uid)
		if err == nil {
			var model *node
			if model, err = parseJSON(b); err == nil {
				if r := model.get("result"); r.isObject() {
					model = r
				}
				if m := model.get("model"); m.isObject() {
					model = m
				}
				g.libraryModel(model, "library panel "+uid, row, title)
				return
			}
		}
		g.c.Notes = append(g.c.Notes, fmt.Sprintf("%s: library panel %q (%s): %v", path, lib.get("name").str(), uid, err))
		return
	}
	g.c.Notes = append(g.c.Notes, fmt.Sprintf("%s: library panel %q (%s) is not in the dashboard and was not looked up", path, lib.get("name").str(), uid))
}

func (g *grafana) libraryModel(model *node, path, row, title string) {
	if title == "" {
		title = model.get("title").str()
	}
	// The library panel's own title wins over an empty instance title;
	// its datasource is its own.
	wrapped := &node{kind: kindObject}
	for i, k := range model.keys {
		if k == "title" || k == "libraryPanel" {
			continue
		}
		wrapped.keys, wrapped.vals = append(wrapped.keys, k), append(wrapped.vals, model.vals[i])
	}
	wrapped.keys = append(wrapped.keys, "title")
	wrapped.vals = append(wrapped.vals, &node{kind: kindString, text: title})
	g.panel(wrapped, path, row)
}
