package conformance

import (
	"slices"
	"strings"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
)

const examplePolicy = `
rules:
  - name: no-personal-data
    banned_attributes: ["user.email", "*.password"]
  - name: user-id-cardinality
    level: improvement
    max_distinct_values: {attribute: user.id, max: 1000}
  - name: shop-names
    metrics: ["shop.*"]
    metric_name: "^shop\\.[a-z_.]+$"
    no_unit_in_name: true
    allowed_units: ["{item}", "s"]
  - name: checkout-env
    services: [checkout]
    required_attributes: [deployment.environment.name]
  - name: durations-are-histograms
    metrics: ["*.duration"]
    allowed_instruments: [histogram]
`

// TestPolicyViolationsAreFindings: each kind of rule, in and out of its
// scope, at its level.
func TestPolicyViolationsAreFindings(t *testing.T) {
	rules, err := ParsePolicy([]byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	j := builtinJudge(t)
	j.Policies = rules
	user := dp("user.id", String)
	user.Distinct = 5000
	logins := catalog.Schema{ID: "l", Key: "shop.logins_total", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Monotonic: true, Unit: "{login}",
		Fields: []catalog.Field{dp("user.email", String), user, dp("db.password", String)}}
	duration := catalog.Schema{ID: "d", Key: "shop.checkout.duration", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "s"}
	checkout := []catalog.ReleaseIdentity{{ServiceName: "checkout", ServiceVersion: "1.0.0"}}
	var got []string
	for _, f := range j.Key([]catalog.Judged{{Schema: logins, Releases: checkout}, {Schema: duration}}) {
		if f.ID == FindingPolicyViolation {
			rule, _, _ := strings.Cut(strings.TrimPrefix(f.Message, "policy "), ":")
			got = append(got, strings.TrimPrefix(f.Level.String(), "FINDING_LEVEL_")+" "+f.SchemaID+" "+rule+" "+f.Attribute)
		}
	}
	slices.Sort(got)
	want := []string{
		"IMPROVEMENT l user-id-cardinality user.id",
		"VIOLATION d durations-are-histograms ",
		"VIOLATION l checkout-env deployment.environment.name",
		"VIOLATION l no-personal-data db.password",
		"VIOLATION l no-personal-data user.email",
		"VIOLATION l shop-names ", // the unit
		"VIOLATION l shop-names ", // "total" in the name
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("policy findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestBadPoliciesAreNamed: a broken file is refused, naming the rule.
func TestBadPoliciesAreNamed(t *testing.T) {
	for name, c := range map[string]struct{ yaml, names string }{
		"no name":         {"rules:\n  - banned_attributes: [x]\n", "rule 1"},
		"twice":           {"rules:\n  - name: a\n    banned_attributes: [x]\n  - name: a\n    banned_attributes: [y]\n", `"a"`},
		"bad regexp":      {"rules:\n  - name: names\n    metric_name: \"([\"\n", `"names"`},
		"bad level":       {"rules:\n  - name: lvl\n    level: loud\n    banned_attributes: [x]\n", `"lvl"`},
		"checks nothing":  {"rules:\n  - name: empty\n    metrics: [x]\n", `"empty"`},
		"bad instrument":  {"rules:\n  - name: inst\n    allowed_instruments: [meter]\n", `"inst"`},
		"unknown setting": {"rules:\n  - name: typo\n    baned_attributes: [x]\n", "baned_attributes"},
		"cap without max": {"rules:\n  - name: cap\n    max_distinct_values: {attribute: user.id}\n", `"cap"`},
		"negative cost":   {"rules:\n  - name: money\n    max_monthly_cost: -1\n", `"money"`},
		"infinite cost":   {"rules:\n  - name: sky\n    max_monthly_cost: .inf\n", `"sky"`},
	} {
		_, err := ParsePolicy([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s: %v, want an error naming %s", name, err, c.names)
		}
	}
}

// TestBannedMetricsAreFindings: a banned metric name is a violation.
func TestBannedMetricsAreFindings(t *testing.T) {
	rules, err := ParsePolicy([]byte("rules:\n  - name: no-debug\n    banned_metrics: [\"debug.*\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	j := builtinJudge(t)
	j.Policies = rules
	var got []string
	for _, f := range j.Key([]catalog.Judged{{Schema: catalog.Schema{ID: "d", Key: "debug.queue", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "1"}}}) {
		if f.ID == FindingPolicyViolation {
			got = append(got, f.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "policy no-debug: metric debug.queue is banned") {
		t.Errorf("banned metric findings: %q", got)
	}
}

// TestMonthlyCostCap: a schema estimated above the cap is a violation, one
// below it is not, and a cap without a price model is refused at start.
func TestMonthlyCostCap(t *testing.T) {
	rules, err := ParsePolicy([]byte("rules:\n  - name: budget\n    max_monthly_cost: 50\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPolicyPrices(rules, catalog.Prices{}); err == nil || !strings.Contains(err.Error(), `"budget"`) {
		t.Errorf("a cost cap without prices = %v, want an error naming the rule", err)
	}
	if err := CheckPolicyPrices(rules, catalog.Prices{PerMillionSpans: 2, PerGBLogs: 1}); err == nil {
		t.Error("a metric cost cap with only span and log prices was accepted: it could never be judged")
	}
	prices := catalog.Prices{PerThousandSeriesMonth: 10}
	if err := CheckPolicyPrices(rules, prices); err != nil {
		t.Errorf("a cost cap with prices = %v", err)
	}
	j := builtinJudge(t)
	j.Policies = rules
	costed := func(id string, series uint64) catalog.Judged {
		c := catalog.Cost{Series: series}
		c.Monthly = prices.Monthly(c)
		return catalog.Judged{Schema: catalog.Schema{ID: id, Key: "shop.orders", Type: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "{order}", Cost: &c}}
	}
	var got []string
	for _, f := range j.Key([]catalog.Judged{costed("dear", 6000), costed("cheap", 4000)}) {
		if f.ID == FindingPolicyViolation {
			got = append(got, f.SchemaID+": "+f.Message)
		}
	}
	if want := []string{"dear: policy budget: shop.orders costs an estimated 60.00 a month, more than 50.00"}; !slices.Equal(got, want) {
		t.Errorf("cost findings = %q, want %q", got, want)
	}
}

const signalPolicy = `
rules:
  - name: no-personal-data
    signals: [metrics, spans, logs]
    banned_attributes: ["user.email", "*.password"]
  - name: checkout-env
    signals: [spans, logs]
    services: [checkout]
    required_attributes: [deployment.environment.name]
  - name: shop-names
    signals: [metrics, spans]
    metric_name: "^shop\\."
  - name: metrics-only
    banned_attributes: [session.id]
`

// TestPoliciesOnSpansAndLogs: a rule covering spans and logs finds a banned
// attribute on a span's own attributes, an event's and a link's, and on a
// log record's own (not on its body keys); a required attribute is looked
// for among the item's own and its resource's, not its events'; metric
// checks and rules that cover metrics alone say nothing of them.
func TestPoliciesOnSpansAndLogs(t *testing.T) {
	rules, err := ParsePolicy([]byte(signalPolicy))
	if err != nil {
		t.Fatal(err)
	}
	j := builtinJudge(t)
	j.Policies = rules
	checkout := []catalog.ReleaseIdentity{{ServiceName: "checkout", ServiceVersion: "1.0.0"}}
	policyFindings := func(fs []Finding) []string {
		var got []string
		for _, f := range fs {
			if f.ID == FindingPolicyViolation {
				got = append(got, f.SchemaID+" "+f.Attribute+": "+f.Message)
			}
		}
		slices.Sort(got)
		return got
	}

	span := catalog.Schema{ID: "s", Key: catalog.StoredKey(schemaid.Span, "GET /users"), Signal: schemaid.Span, Name: "GET /users",
		Fields: []catalog.Field{
			dp("user.email", String), dp("session.id", String),
			{Name: "", Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "login"},
			{Name: "db.password", Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "login", Type: String},
			{Name: "deployment.environment.name", Source: tallycatv1.FieldSource_FIELD_SOURCE_EVENT, Event: "login", Type: String},
			{Name: "user.email", Source: tallycatv1.FieldSource_FIELD_SOURCE_LINK, Type: String},
			{Name: "user.email", Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, Type: String},
		}}
	got := policyFindings(j.SpanKey([]catalog.Judged{{Schema: span, Releases: checkout}}))
	want := []string{
		`s db.password: policy no-personal-data: attribute db.password of event login is banned from span "GET /users"`,
		`s deployment.environment.name: policy checkout-env: attribute deployment.environment.name is required on span "GET /users"`,
		`s user.email: policy no-personal-data: attribute user.email is banned from span "GET /users"`,
		`s user.email: policy no-personal-data: attribute user.email of a link is banned from span "GET /users"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("span policy findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}

	logEvent := catalog.Schema{ID: "l", Key: catalog.StoredKey(schemaid.Log, "app.login"), Signal: schemaid.Log, Name: "app.login",
		Fields: []catalog.Field{
			dp("db.password", String), dp("session.id", String),
			{Name: "body.user.email", Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY, Type: String},
			{Name: "deployment.environment.name", Source: tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, Type: String},
		}}
	got = policyFindings(j.LogKey([]catalog.Judged{{Schema: logEvent, Releases: checkout}}))
	want = []string{`l db.password: policy no-personal-data: attribute db.password is banned from log event "app.login"`}
	if !slices.Equal(got, want) {
		t.Errorf("log policy findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, f := range j.LogKey([]catalog.Judged{{Schema: logEvent, Releases: checkout}}) {
		if f.ID == FindingPolicyViolation && (f.Signal() != schemaid.Log || f.Level != tallycatv1.FindingLevel_FINDING_LEVEL_VIOLATION) {
			t.Errorf("filed as %s at %s, want a log's violation", f.Signal(), f.Level)
		}
	}

	// Out of the services' scope, the required attribute is not asked for.
	other := []catalog.ReleaseIdentity{{ServiceName: "search", ServiceVersion: "1.0.0"}}
	for _, f := range j.SpanKey([]catalog.Judged{{Schema: span, Releases: other}}) {
		if strings.Contains(f.Message, "checkout-env") {
			t.Errorf("a rule scoped to checkout judged search: %s", f.Message)
		}
	}
}

// TestSignalsInPolicies: signals names only metrics, spans and logs; a
// rule for spans or logs has no metric scope, nor only metric checks.
func TestSignalsInPolicies(t *testing.T) {
	for name, c := range map[string]struct{ yaml, names string }{
		"unknown signal":       {"rules:\n  - name: sig\n    signals: [traces]\n    banned_attributes: [x]\n", `"traces"`},
		"metric scope on span": {"rules:\n  - name: scoped\n    signals: [metrics, spans]\n    metrics: [shop.*]\n    banned_attributes: [x]\n", "metrics scopes"},
		"metric check on log":  {"rules:\n  - name: units\n    signals: [logs]\n    allowed_units: [s]\n", "allowed_units"},
		"banned metric on log": {"rules:\n  - name: bm\n    signals: [logs]\n    banned_metrics: [x]\n", "banned_metrics"},
	} {
		_, err := ParsePolicy([]byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s: %v, want an error naming %s", name, err, c.names)
		}
	}
	rules, err := ParsePolicy([]byte("rules:\n  - name: all\n    signals: [metrics, spans, logs]\n    metric_name: \"^shop\\\\.\"\n    banned_attributes: [x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := rules[0]; !r.covers(schemaid.Metric) || !r.covers(schemaid.Span) || !r.covers(schemaid.Log) {
		t.Errorf("signals: %v", r.Signals)
	}
	if r := (PolicyRule{}); !r.covers(schemaid.Metric) || r.covers(schemaid.Span) || r.covers(schemaid.Log) {
		t.Error("a rule without signals covers more than metrics")
	}
}
