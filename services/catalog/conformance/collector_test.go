package conformance

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"

	"gopkg.in/yaml.v3"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/glob"
	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
)

const collectorPolicy = `
rules:
  - name: no-personal-data
    banned_attributes: ["user.email", "*.password"]
  - name: shop-no-session
    metrics: ["shop.*", "cart.size"]
    banned_attributes: ["session.id"]
  - name: checkout-shop
    metrics: ["shop.*"]
    services: [checkout, "pay*"]
    banned_attributes: ["card.number"]
  - name: no-debug-metrics
    banned_metrics: ["debug.*", "tmp.gauge"]
  - name: user-id-cardinality
    max_distinct_values: {attribute: "user.*", max: 1000}
`

type parsedCollector struct {
	Processors struct {
		Transform struct {
			ErrorMode        string           `yaml:"error_mode"`
			MetricStatements []statementGroup `yaml:"metric_statements"`
		} `yaml:"transform/tallycat"`
		Filter struct {
			ErrorMode        string   `yaml:"error_mode"`
			MetricConditions []string `yaml:"metric_conditions"`
		} `yaml:"filter/tallycat"`
	} `yaml:"processors"`
}

func generate(t *testing.T, policy string, findings []Finding, opts CollectorOptions) (parsedCollector, string) {
	t.Helper()
	rules, err := ParsePolicy([]byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	out, err := CollectorConfig(rules, findings, opts)
	if err != nil {
		t.Fatal(err)
	}
	var p parsedCollector
	dec := yaml.NewDecoder(strings.NewReader(string(out)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("the generated YAML does not parse: %v\n%s", err, out)
	}
	return p, string(out)
}

// TestCollectorConfigEnforcesPolicies: exact keys are deleted by name,
// globs by an anchored regular expression, in the rule's scope; banned
// metrics are filtered; the comment shows the pipeline.
func TestCollectorConfigEnforcesPolicies(t *testing.T) {
	p, out := generate(t, collectorPolicy, nil, CollectorOptions{})
	tr := p.Processors.Transform
	if tr.ErrorMode != "ignore" || len(tr.MetricStatements) != 3 {
		t.Fatalf("transform: %+v\n%s", tr, out)
	}
	want := []statementGroup{
		{Context: "datapoint", Statements: []string{
			`delete_key(datapoint.attributes, "user.email")`,
			`delete_matching_keys(datapoint.attributes, "^.*\\.password$")`,
		}},
		{Context: "datapoint", Conditions: []string{`IsMatch(metric.name, "^shop\\..*$")`, `metric.name == "cart.size"`},
			Statements: []string{`delete_key(datapoint.attributes, "session.id")`}},
		{Context: "datapoint",
			Conditions: []string{`IsMatch(metric.name, "^shop\\..*$") and (resource.attributes["service.name"] == "checkout" or IsMatch(resource.attributes["service.name"], "^pay.*$"))`},
			Statements: []string{`delete_key(datapoint.attributes, "card.number")`}},
	}
	for i, g := range want {
		if !slices.Equal(g.Conditions, tr.MetricStatements[i].Conditions) || !slices.Equal(g.Statements, tr.MetricStatements[i].Statements) || tr.MetricStatements[i].Context != g.Context {
			t.Errorf("group %d:\n got %+v\nwant %+v", i, tr.MetricStatements[i], g)
		}
	}
	if got := p.Processors.Filter.MetricConditions; !slices.Equal(got, []string{`IsMatch(metric.name, "^debug\\..*$") or metric.name == "tmp.gauge"`}) {
		t.Errorf("filter: %q", got)
	}
	if !strings.Contains(out, "processors: [filter/tallycat, transform/tallycat, batch]") {
		t.Errorf("no pipeline comment:\n%s", out)
	}
	// Without the option, caps delete nothing.
	if strings.Contains(out, "user.id") {
		t.Errorf("a cap without --cardinality-caps:\n%s", out)
	}
}

// TestCollectorConfigCaps: with the option, an attribute whose finding
// says it broke a cap is deleted from that metric only.
func TestCollectorConfigCaps(t *testing.T) {
	rules, _ := ParsePolicy([]byte(collectorPolicy))
	j := builtinJudge(t)
	j.Policies = rules
	user := dp("user.id", tallycatv1.ValueType_VALUE_TYPE_STRING)
	user.Distinct = 5000
	few := dp("user.tier", tallycatv1.ValueType_VALUE_TYPE_STRING)
	few.Distinct = 3
	findings := j.Key([]catalog.Judged{{Schema: catalog.Schema{ID: "l", Key: "shop.logins", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "1", Fields: []catalog.Field{user, few}}}})
	p, out := generate(t, collectorPolicy, findings, CollectorOptions{CardinalityCaps: true})
	groups := p.Processors.Transform.MetricStatements
	last := groups[len(groups)-1]
	if len(groups) != 4 || !slices.Equal(last.Conditions, []string{`metric.name == "shop.logins"`}) ||
		!slices.Equal(last.Statements, []string{`delete_key(datapoint.attributes, "user.id")`}) {
		t.Errorf("caps:\n%s", out)
	}
}

// TestCollectorConfigEmpty: no rules still gives both processors, passing
// everything, so a pipeline naming them keeps working.
func TestCollectorConfigEmpty(t *testing.T) {
	p, out := generate(t, "", nil, CollectorOptions{})
	if p.Processors.Transform.ErrorMode != "ignore" || p.Processors.Filter.ErrorMode != "ignore" ||
		len(p.Processors.Transform.MetricStatements)+len(p.Processors.Filter.MetricConditions) != 0 {
		t.Errorf("empty:\n%s", out)
	}
}

// TestGlobRegexpAgreesWithGlob: the regular expression matches what the
// judge's glob matches.
func TestGlobRegexpAgreesWithGlob(t *testing.T) {
	globs := []string{"user.email", "*.password", "enduser.*", "a?c", "[a-c]x", "[^a]y", `x\*y`, "http.*.duration", "a+b(c)"}
	names := []string{"user.email", "userxemail", "db.password", "password", "a.b.password", "enduser.id", "enduser", "abc", "a.c", "ac",
		"bx", "dx", "by", "ay", "x*y", "xzy", "http.server.request.duration", "http.duration", "a+b(c)", "aab(c)"}
	for _, g := range globs {
		re := regexp.MustCompile(globRegexp(g))
		for _, n := range names {
			if re.MatchString(n) != glob.Match(g, n) {
				t.Errorf("glob %q on %q: regexp %s says %v, glob %v", g, n, re, re.MatchString(n), glob.Match(g, n))
			}
		}
	}
}

// TestCollectorConfigSpansAndLogs: a rule covering spans and logs deletes
// its banned attributes from spans, span events and log records, in its
// services' scope, and the comment wires the transform processor into the
// traces and logs pipelines; a rule for metrics alone writes neither.
func TestCollectorConfigSpansAndLogs(t *testing.T) {
	const policy = `
rules:
  - name: no-personal-data
    signals: [metrics, spans, logs]
    banned_attributes: ["user.email", "*.password"]
  - name: checkout-spans
    signals: [spans]
    services: [checkout]
    banned_attributes: ["card.number"]
  - name: metrics-only
    banned_attributes: ["session.id"]
`
	rules, err := ParsePolicy([]byte(policy))
	if err != nil {
		t.Fatal(err)
	}
	out, err := CollectorConfig(rules, nil, CollectorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Processors struct {
			Transform transformConfig `yaml:"transform/tallycat"`
			Filter    filterConfig    `yaml:"filter/tallycat"`
		} `yaml:"processors"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(out)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("the generated YAML does not parse: %v\n%s", err, out)
	}
	personal := []string{`delete_key(%s.attributes, "user.email")`, `delete_matching_keys(%s.attributes, "^.*\\.password$")`}
	in := func(ctx string, stmts []string) []string {
		var o []string
		for _, s := range stmts {
			o = append(o, strings.ReplaceAll(s, "%s", ctx))
		}
		return o
	}
	checkoutOnly := []string{`resource.attributes["service.name"] == "checkout"`}
	tr := p.Processors.Transform
	wantMetric := []statementGroup{
		{Context: "datapoint", Statements: in("datapoint", personal)},
		{Context: "datapoint", Statements: []string{`delete_key(datapoint.attributes, "session.id")`}},
	}
	wantTrace := []statementGroup{
		{Context: "span", Statements: in("span", personal)},
		{Context: "spanevent", Statements: in("spanevent", personal)},
		{Context: "span", Conditions: checkoutOnly, Statements: []string{`delete_key(span.attributes, "card.number")`}},
		{Context: "spanevent", Conditions: checkoutOnly, Statements: []string{`delete_key(spanevent.attributes, "card.number")`}},
	}
	wantLog := []statementGroup{{Context: "log", Statements: in("log", personal)}}
	for _, c := range []struct {
		name      string
		got, want []statementGroup
	}{{"metric", tr.MetricStatements, wantMetric}, {"trace", tr.TraceStatements, wantTrace}, {"log", tr.LogStatements, wantLog}} {
		if !slices.EqualFunc(c.got, c.want, func(a, b statementGroup) bool {
			return a.Context == b.Context && slices.Equal(a.Conditions, b.Conditions) && slices.Equal(a.Statements, b.Statements)
		}) {
			t.Errorf("%s statements:\n got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}
	for _, want := range []string{"#       traces:\n#         receivers: [otlp]\n#         processors: [transform/tallycat, batch]",
		"#       logs:\n#         receivers: [otlp]\n#         processors: [transform/tallycat, batch]",
		"#   no-personal-data: deletes span and span event attributes user.email, *.password\n",
		"#   no-personal-data: deletes log record attributes user.email, *.password\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}

	// Without a rule for spans or logs, neither statements nor pipelines.
	_, metricsOnly := generate(t, collectorPolicy, nil, CollectorOptions{})
	for _, absent := range []string{"trace_statements", "log_statements", "traces:", "logs:"} {
		if strings.Contains(metricsOnly, absent) {
			t.Errorf("%s in the configuration of a policy for metrics alone:\n%s", absent, metricsOnly)
		}
	}
}

// TestCollectorConfigCapsMetricsOnly: a cap finding on a span is not a
// metric's, so it writes no statement selecting a metric by its name.
func TestCollectorConfigCapsMetricsOnly(t *testing.T) {
	rules, err := ParsePolicy([]byte("rules:\n  - name: cap\n    signals: [metrics, spans]\n    max_distinct_values: {attribute: user.id, max: 10}\n"))
	if err != nil {
		t.Fatal(err)
	}
	found := []Finding{{ID: FindingPolicyViolation, Attribute: "user.id", Expected: "at most 10 distinct values",
		Message: "policy cap: too many", SchemaKey: catalog.StoredKey(schemaid.Span, "GET /users")}}
	out, err := CollectorConfig(rules, found, CollectorOptions{CardinalityCaps: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "user.id") {
		t.Errorf("a span's cap in the configuration:\n%s", out)
	}
}

// TestCollectorConfigDropsUnused: the metrics no dashboard or rule reads
// are filtered one condition each, after the policies' conditions, and the
// attributes no query on a read metric uses are deleted from that metric
// only, each line saying why, then the points they told apart added up on
// that metric, for its types only; the order is fixed whatever order they
// come in, so that a regenerated file diffs only where what is read
// changed.
func TestCollectorConfigDropsUnused(t *testing.T) {
	opts := CollectorOptions{
		DropMetrics: []string{"system.paging.faults", "otelcol_process_uptime", "system.paging.faults"},
		DeleteAttributes: map[string][]string{
			"system.network.io":   {"direction", "device"},
			"system.memory.usage": {"state"},
			"system.cpu.time":     nil,
		},
		MetricTypes: map[string][]tallycatv1.MetricType{
			"system.network.io":   {Sum},
			"system.memory.usage": {Histogram, Sum},
			"system.cpu.time":     {Sum},
		},
	}
	p, out := generate(t, collectorPolicy, nil, opts)
	wantConds := []string{`IsMatch(metric.name, "^debug\\..*$") or metric.name == "tmp.gauge"`,
		`metric.name == "otelcol_process_uptime"`, `metric.name == "system.paging.faults"`}
	if got := p.Processors.Filter.MetricConditions; !slices.Equal(got, wantConds) {
		t.Errorf("filter:\n got %q\nwant %q", got, wantConds)
	}
	groups := p.Processors.Transform.MetricStatements
	if len(groups) != 7 {
		t.Fatalf("%d statement groups, want the policies' 3 and 2 for each metric with unused attributes:\n%s", len(groups), out)
	}
	wantGroups := []statementGroup{
		{Context: "datapoint", Conditions: []string{`metric.name == "system.memory.usage"`},
			Statements: []string{`delete_key(datapoint.attributes, "state")`}},
		{Context: "metric", Conditions: []string{`metric.name == "system.memory.usage" and (metric.type == METRIC_DATA_TYPE_HISTOGRAM or metric.type == METRIC_DATA_TYPE_SUM)`},
			Statements: []string{`aggregate_on_attributes("sum")`}},
		{Context: "datapoint", Conditions: []string{`metric.name == "system.network.io"`},
			Statements: []string{`delete_key(datapoint.attributes, "device")`, `delete_key(datapoint.attributes, "direction")`}},
		{Context: "metric", Conditions: []string{`metric.name == "system.network.io" and metric.type == METRIC_DATA_TYPE_SUM`},
			Statements: []string{`aggregate_on_attributes("sum")`}},
	}
	for i, g := range wantGroups {
		got := groups[3+i]
		if got.Context != g.Context || !slices.Equal(got.Conditions, g.Conditions) || !slices.Equal(got.Statements, g.Statements) {
			t.Errorf("group %d:\n got %+v\nwant %+v", 3+i, got, g)
		}
	}
	for _, want := range []string{
		"      - metric.name == \"system.paging.faults\" # no dashboard or rule reads it\n",
		"          - delete_key(datapoint.attributes, \"device\") # no dashboard or rule reading this metric uses it\n",
		"          - aggregate_on_attributes(\"sum\") # adds up the points the deletes above left alike (same attributes and timestamp)\n",
		"#   unused: drops 2 metrics no dashboard or rule reads\n",
		"#   unused: deletes 3 data point attributes, on 2 metrics, that no dashboard or rule reading their metric uses, adding up the points they told apart\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// The policies' own lines say nothing of consumers.
	for _, line := range strings.Split(out, "\n") {
		if (strings.Contains(line, "debug") || strings.Contains(line, "user.email")) && strings.Contains(line, "dashboard") {
			t.Errorf("a policy's line blames the dashboards: %s", line)
		}
	}

	// The same things to drop, given in another order, write the same bytes.
	rules, err := ParsePolicy([]byte(collectorPolicy))
	if err != nil {
		t.Fatal(err)
	}
	shuffled := CollectorOptions{
		DropMetrics:      []string{"system.paging.faults", "system.paging.faults", "otelcol_process_uptime"},
		DeleteAttributes: map[string][]string{"system.memory.usage": {"state"}, "system.network.io": {"device", "direction", "device"}},
		MetricTypes:      map[string][]tallycatv1.MetricType{"system.network.io": {Sum}, "system.memory.usage": {Sum, Histogram, Sum}},
	}
	for range 5 {
		again, err := CollectorConfig(rules, nil, shuffled)
		if err != nil || string(again) != out {
			t.Fatalf("another order gives another configuration (%v):\n%s\nthen\n%s", err, out, again)
		}
	}
}

// TestCollectorConfigKeepsWhatDoesNotFold: an unused attribute of a gauge,
// a summary, a metric one of whose schemas is one of those, or a metric of
// unknown type is kept, since its points cannot be added up, and the
// header says so and why; an exponential histogram folds by adding, as a
// sum and a histogram do.
func TestCollectorConfigKeepsWhatDoesNotFold(t *testing.T) {
	p, out := generate(t, "", nil, CollectorOptions{
		DeleteAttributes: map[string][]string{
			"queue.depth": {"queue.name"}, "rpc.latency": {"peer"}, "pool.size": {"pool", "zone"},
			"cache.hits": {"shard"}, "rpc.size": {"peer"},
		},
		MetricTypes: map[string][]tallycatv1.MetricType{
			"queue.depth": {Gauge}, "rpc.latency": {SummaryMetric}, "pool.size": {Sum, Gauge},
			"rpc.size": {ExpHistogram},
		},
	})
	groups := p.Processors.Transform.MetricStatements
	if len(groups) != 2 || groups[0].Conditions[0] != `metric.name == "rpc.size"` ||
		groups[1].Conditions[0] != `metric.name == "rpc.size" and metric.type == METRIC_DATA_TYPE_EXPONENTIAL_HISTOGRAM` {
		t.Fatalf("want rpc.size alone deleted from and folded:\n%s", out)
	}
	for _, want := range []string{
		"#   unused: deletes 1 data point attribute, on 1 metric, that no dashboard or rule reading their metric uses, adding up the points they told apart\n",
		"#   unused: keeps shard on cache.hits, that no dashboard or rule reading it uses: its data type is not known\n",
		"#   unused: keeps pool, zone on pool.size, that no dashboard or rule reading it uses: one of its current schemas is a gauge, whose points have no one right fold",
		"#   unused: keeps queue.name on queue.depth, that no dashboard or rule reading it uses: it is a gauge, whose points have no one right fold " +
			"(adding is wrong for most gauges; max, min and mean each answer another question)\n",
		"#   unused: keeps peer on rpc.latency, that no dashboard or rule reading it uses: it is a summary, whose quantiles do not fold\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, kept := range []string{"queue.name", "pool", "zone", "shard", `"rpc.latency"`} {
		if strings.Contains(out, `"`+strings.Trim(kept, `"`)+`"`) {
			t.Errorf("%s, on a metric that does not fold, is in a statement:\n%s", kept, out)
		}
	}
}

// TestCollectorConfigDropsExactKeys: a key to drop or delete is matched as
// itself, never as a glob, whatever characters it holds; an empty key is
// refused, naming what it was given with.
func TestCollectorConfigDropsExactKeys(t *testing.T) {
	p, out := generate(t, "", nil, CollectorOptions{DropMetrics: []string{"queue.*"},
		DeleteAttributes: map[string][]string{"jobs[1]": {"a?b"}}, MetricTypes: map[string][]tallycatv1.MetricType{"jobs[1]": {Sum}}})
	conds := p.Processors.Filter.MetricConditions
	groups := p.Processors.Transform.MetricStatements
	if len(conds) != 1 || len(groups) != 2 || len(groups[0].Conditions) != 1 || len(groups[0].Statements) != 1 {
		t.Fatalf("unexpected configuration:\n%s", out)
	}
	exprString := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"\)?$`)
	for _, c := range []struct {
		expr, key string
		others    []string
	}{
		{conds[0], "queue.*", []string{"queue.depth", "queue."}},
		{groups[0].Conditions[0], "jobs[1]", []string{"jobs1", "jobs]"}},
		{groups[0].Statements[0], "a?b", []string{"axb", "ab"}},
	} {
		m := exprString.FindStringSubmatch(c.expr)
		if m == nil {
			t.Errorf("no string in %s", c.expr)
			continue
		}
		s := strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(m[1])
		matches := func(name string) bool {
			if strings.Contains(c.expr, "==") || strings.HasPrefix(c.expr, "delete_key(") {
				return s == name
			}
			return regexp.MustCompile(s).MatchString(name)
		}
		if !matches(c.key) {
			t.Errorf("%s does not match %q", c.expr, c.key)
		}
		for _, o := range c.others {
			if matches(o) {
				t.Errorf("%s matches %q, not only %q", c.expr, o, c.key)
			}
		}
	}

	for _, opts := range []CollectorOptions{{DropMetrics: []string{""}}, {DeleteAttributes: map[string][]string{"m": {""}}}} {
		if _, err := CollectorConfig(nil, nil, opts); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("%+v: %v, want an error naming the empty key", opts, err)
		}
	}
}
