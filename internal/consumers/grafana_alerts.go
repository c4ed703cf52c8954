package consumers

import (
	"fmt"
	"strings"
)

// ReadGrafanaAlertRules reads Grafana-managed alert rules: a provisioning
// file (`apiVersion: 1`, `groups[].rules[]`, YAML or JSON, as Grafana's
// export writes it) or the list /api/v1/provisioning/alert-rules answers.
// Each rule is a consumer; its queries are its `data[].model.expr` on
// Prometheus datasources, and its expressions (`__expr__`: reduce,
// threshold, math) are skipped and counted.
func ReadGrafanaAlertRules(source string, b []byte, opts Options) ([]Consumer, error) {
	roots, err := parseDocument(source, b)
	if err != nil {
		return nil, err
	}
	var out []Consumer
	for _, root := range roots {
		cs, err := readGrafanaAlertRules(source, root, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

func isGrafanaAlertRules(root *node) bool {
	if items := root.list(); items != nil {
		return len(items) > 0 && items[0].get("data") != nil && items[0].get("condition") != nil
	}
	for _, g := range root.get("groups").list() {
		for _, r := range g.get("rules").list() {
			return r.get("data") != nil
		}
	}
	return false
}

func readGrafanaAlertRules(source string, root *node, opts Options) ([]Consumer, error) {
	if !isGrafanaAlertRules(root) {
		return nil, &SourceError{Source: source, Line: root.Line(), Err: ErrUnknownFormat}
	}
	var out []Consumer
	if items := root.list(); items != nil {
		// The API's list: each rule names its folder and group.
		for i, r := range items {
			folder := strings.Trim(r.get("folderUID").str()+" / "+r.get("ruleGroup").str(), " /")
			out = append(out, grafanaRule(source, r, fmt.Sprintf("[%d]", i), folder, opts))
		}
		return out, nil
	}
	for i, g := range root.get("groups").list() {
		folder := strings.Trim(g.get("folder").str()+" / "+g.get("name").str(), " /")
		for j, r := range g.get("rules").list() {
			out = append(out, grafanaRule(source, r, fmt.Sprintf("groups[%d].rules[%d]", i, j), folder, opts))
		}
	}
	return out, nil
}

func grafanaRule(source string, r *node, path, folder string, opts Options) Consumer {
	c := Consumer{
		Kind:   AlertRule,
		Format: GrafanaAlertRules,
		Source: source,
		UID:    r.get("uid").str(),
		Title:  r.get("title").str(),
		Folder: folder,
	}
	if r.get("record").isObject() {
		c.Kind = RecordingRule
	}
	if c.UID == "" {
		c.UID = folder + "/" + c.Title
	}
	g := &grafana{source: source, opts: opts, c: &c, vars: &variables{}}
	for k, d := range r.get("data").list() {
		model := d.get("model")
		dsUID := d.get("datasourceUid").scalar()
		ref, ok := g.datasource(model.get("datasource"))
		if !ok || ref.typ == "" {
			ref = g.named(dsUID)
		}
		if dsUID == "__expr__" || ref.typ == "__expr__" {
			g.skip("__expr__")
			continue
		}
		expr := model.get("expr")
		if !isPromQL(ref, expr != nil) {
			g.skip(ref.typ)
			continue
		}
		raw := expr.scalar()
		if strings.TrimSpace(raw) == "" {
			continue
		}
		g.add(Query{
			Panel:      c.Title,
			RefID:      d.get("refId").str(),
			Path:       fmt.Sprintf("%s.data[%d].model.expr", path, k),
			Line:       expr.Line(),
			Datasource: ref.name,
			Raw:        raw,
		}, raw)
	}
	return c
}
