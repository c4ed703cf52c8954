package proposals_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/proposals"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

const (
	patch = tallycatv1.ChangeLevel_CHANGE_LEVEL_PATCH
	minor = tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR
	major = tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR
	none  = tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED
)

func field(name string, src tallycatv1.FieldSource, vt tallycatv1.ValueType) catalog.Field {
	return catalog.Field{Name: name, Source: src, Type: vt}
}

func withPresence(f catalog.Field, p tallycatv1.FieldPresence) catalog.Field {
	f.Presence = p
	return f
}

func TestClassifyChange(t *testing.T) {
	base := catalog.Schema{
		Key: "cart.checkouts", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "{checkout}", Monotonic: true,
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE, Description: "Checkouts.",
		Fields: []catalog.Field{withPresence(field("cart.items", DataPoint, Int), Always), field("host.name", Resource, String)},
	}
	with := func(edit func(*catalog.Schema)) catalog.Schema {
		s := base
		s.Fields = slices.Clone(base.Fields)
		edit(&s)
		return s
	}
	for _, tc := range []struct {
		name    string
		target  catalog.Schema
		level   tallycatv1.ChangeLevel
		reasons []string
	}{
		{"identical", base, none, nil},
		{"resource attribute only", with(func(s *catalog.Schema) { s.Fields = append(s.Fields, field("k8s.pod.name", Resource, String)) }), none, nil},
		{"optional attribute", with(func(s *catalog.Schema) {
			s.Fields = append(s.Fields, withPresence(field("cart.coupon", DataPoint, Bool), Sometimes))
		}), minor, []string{"added optional attribute cart.coupon (bool)"}},
		{"always-present attribute", with(func(s *catalog.Schema) {
			s.Fields = append(s.Fields, withPresence(field("region", DataPoint, String), Always))
		}), major, []string{"added always-present attribute region (string)"}},
		{"removed attribute", with(func(s *catalog.Schema) { s.Fields = s.Fields[1:] }), major, []string{"removed attribute cart.items (int)"}},
		{"value type", with(func(s *catalog.Schema) { s.Fields[0].Type = String }), major,
			[]string{"changed the value type of attribute cart.items from int to string"}},
		{"unit", with(func(s *catalog.Schema) { s.Unit = "1" }), major, []string{`changed the unit from "{checkout}" to "1"`}},
		{"instrument", with(func(s *catalog.Schema) { s.Type = tallycatv1.MetricType_METRIC_TYPE_GAUGE }), major,
			[]string{`changed the instrument from "sum" to "gauge"`, `changed the temporality from "cumulative" to none`, `changed the monotonicity from "true" to none`}},
		{"monotonicity", with(func(s *catalog.Schema) { s.Monotonic = false }), major, []string{`changed the monotonicity from "true" to "false"`}},
		{"temporality", with(func(s *catalog.Schema) { s.Temporality = tallycatv1.Temporality_TEMPORALITY_DELTA }), major,
			[]string{`changed the temporality from "cumulative" to "delta"`}},
		{"description", with(func(s *catalog.Schema) { s.Description = "Completed checkouts." }), patch,
			[]string{`changed the description from "Checkouts." to "Completed checkouts."`}},
		{"optional attribute and description", with(func(s *catalog.Schema) {
			s.Description = ""
			s.Fields = append(s.Fields, withPresence(field("cart.coupon", DataPoint, String), Sometimes))
		}), minor, []string{"added optional attribute cart.coupon (string)", `changed the description from "Checkouts." to ""`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			level, reasons := proposals.ClassifyChange(base, tc.target)
			if level != tc.level || !slices.Equal(reasons, tc.reasons) {
				t.Errorf("ClassifyChange = %v %q, want %v %q", level, reasons, tc.level, tc.reasons)
			}
		})
	}
}

func TestProposeVersion(t *testing.T) {
	for _, tc := range []struct {
		base  string
		level tallycatv1.ChangeLevel
		taken []string
		want  string
	}{
		{"1.2.3", patch, nil, "1.2.4"},
		{"1.2.3", minor, nil, "1.3.0"},
		{"1.2.3", major, nil, "2.0.0"},
		{"0.1.0", minor, nil, "0.2.0"},
		{"2.0.0-rc.1+build.5", minor, nil, "2.1.0"},
		{"1.2.3", minor, []string{"1.3.0", "1.4.0"}, "1.5.0"},
		{"1.2.3", none, nil, ""},
		{"v1.2", major, nil, ""},
	} {
		taken := make(map[string]bool)
		for _, v := range tc.taken {
			taken[v] = true
		}
		got, ok := proposals.ProposeVersion(tc.base, tc.level, taken)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("ProposeVersion(%s, %v, %v) = %q, %v, want %q", tc.base, tc.level, tc.taken, got, ok, tc.want)
		}
	}
}

func TestParseAutoVersion(t *testing.T) {
	for in, want := range map[string]tallycatv1.ChangeLevel{"": none, "off": none, "patch": patch, "minor": minor, "major": major} {
		if got, err := proposals.ParseAutoVersion(in); err != nil || got != want {
			t.Errorf("ParseAutoVersion(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := proposals.ParseAutoVersion("all"); catalog.ErrorCode(err) != catalog.EINVALID {
		t.Errorf("ParseAutoVersion(all) = %v, want EINVALID", err)
	}
}

// fakeBreaker breaks what breaks says for a target schema id, and records
// the (base, target) ids it was asked about.
type fakeBreaker struct {
	breaks map[string][]catalog.ConsumerBreak
	err    error
	asked  [][2]string
}

func (f *fakeBreaker) Breaks(_ context.Context, base, target catalog.Schema) ([]catalog.ConsumerBreak, error) {
	f.asked = append(f.asked, [2]string{base.ID, target.ID})
	return f.breaks[target.ID], f.err
}

// TestListProposalsBreaks: a change that alone is minor (release 2.0.0
// adds an optional attribute) is major once it breaks a dashboard, and
// says which, one reason per consumer; without a breaker, or when nothing
// breaks, it stays minor; auto-versioning up to minor then accepts nothing.
func TestListProposalsBreaks(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, catalog.CostConfig{})
	cpu, state, logical := catalogtest.Str("cpu"), catalogtest.Str("state"), catalogtest.Int("system.cpu.logical_number")
	v1 := catalogtest.Observation("system.cpu.time", "host", catalogtest.T0, cpu, state)
	v2 := func(attrs ...schemaid.Attribute) catalog.Observation {
		o := catalogtest.Observation("system.cpu.time", "host", catalogtest.T0.Add(time.Hour), attrs...)
		o.Producer.ServiceVersion = "2.0.0"
		o.Normalize()
		return o
	}
	if _, err := store.RecordObservations(ctx, "v1", []catalog.Observation{v1}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AssignVersion(ctx, catalog.VersionChange{SchemaID: v1.VariantID, Version: "1.0.0", Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	res, err := store.RecordObservations(ctx, "v2", []catalog.Observation{v2(cpu, state), v2(cpu, state, logical)})
	if err != nil {
		t.Fatal(err)
	}
	target := res.SchemaIDs[1]
	optional := "added optional attribute system.cpu.logical_number (int)"

	ps, err := proposals.ListProposals(ctx, store, "system.cpu.time", "")
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListProposals without a breaker = %+v, %v; want one", ps, err)
	}
	if p := ps[0]; p.SchemaID != target || p.Level != minor || p.ProposedVersion != "1.1.0" || !slices.Equal(p.Reasons, []string{optional}) || p.Breaks != nil {
		t.Errorf("without a breaker: %+v, want minor 1.1.0 for %s, %q, no breaks", p, target, optional)
	}

	nothing := &fakeBreaker{}
	ps, err = proposals.ListProposals(ctx, store, "system.cpu.time", "", proposals.WithBreaker(nothing))
	if err != nil || len(ps) != 1 || ps[0].Level != minor || ps[0].ProposedVersion != "1.1.0" || len(ps[0].Reasons) != 1 {
		t.Errorf("with a breaker breaking nothing: %+v, %v; want minor 1.1.0", ps, err)
	}
	if want := [][2]string{{v1.VariantID, target}}; !slices.Equal(nothing.asked, want) {
		t.Errorf("breaker asked about %v, want %v (the base and the target)", nothing.asked, want)
	}

	const groups = "groups by state, which no attribute of system.cpu.time gives"
	breaks := []catalog.ConsumerBreak{
		{ConsumerID: "d1", Kind: "dashboard", Title: "Host metrics", Panel: "CPU by state", FindingID: "consumer_missing_attribute",
			Message: groups, Metric: "system_cpu_time_seconds_total", Label: "state", Uses: []string{"by"}, Expr: `sum by (state) (rate(system_cpu_time_seconds_total[5m]))`},
		{ConsumerID: "r1", Kind: "alert_rule", Title: "CPUSaturated", Panel: "CPUSaturated", FindingID: "consumer_missing_attribute",
			Message: "filters on state, which no attribute of system.cpu.time gives", Metric: "system_cpu_time_seconds_total", Label: "state", Uses: []string{"filter"}},
		{ConsumerID: "d1", Kind: "dashboard", Title: "Host metrics", Panel: "Idle", FindingID: "consumer_missing_attribute",
			Message: "filters on state, which no attribute of system.cpu.time gives", Metric: "system_cpu_time_seconds_total", Label: "state", Uses: []string{"filter"}},
		{ConsumerID: "d1", Kind: "dashboard", Title: "Host metrics", Panel: "CPU by state", FindingID: "consumer_missing_attribute",
			Message: groups, Metric: "system_cpu_time_seconds_total", Label: "state", Uses: []string{"by"}, RefID: "B"},
	}
	breaker := &fakeBreaker{breaks: map[string][]catalog.ConsumerBreak{target: breaks}}
	ps, err = proposals.ListProposals(ctx, store, "system.cpu.time", "", proposals.WithBreaker(breaker))
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListProposals with a breaker = %+v, %v; want one", ps, err)
	}
	wantReasons := []string{optional,
		`breaks dashboard "Host metrics" (panel "CPU by state", groups by state; panel "Idle", filters on state)`,
		`breaks alert rule "CPUSaturated" (filters on state)`}
	if p := ps[0]; p.Level != major || p.ProposedVersion != "2.0.0" || !slices.Equal(p.Reasons, wantReasons) || !reflect.DeepEqual(p.Breaks, breaks) {
		t.Errorf("with breaks: level %v, version %s, reasons %q, breaks %+v; want major 2.0.0, %q, the breaks", p.Level, p.ProposedVersion, p.Reasons, p.Breaks, wantReasons)
	}

	if _, err := proposals.AcceptProposal(ctx, store, target, "1.1.0", "bob", proposals.WithBreaker(breaker)); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Errorf("accepting 1.1.0 of a change that breaks a dashboard = %v, want EFAILEDPRECONDITION", err)
	}
	if vs, err := proposals.AcceptProposals(ctx, store, minor, proposals.WithBreaker(breaker)); err != nil || len(vs) != 0 {
		t.Errorf("auto-versioning up to minor accepted %+v, %v; want none: the change breaks a dashboard", vs, err)
	}

	failing := &fakeBreaker{err: errors.New("consumers unreadable")}
	if _, err := proposals.ListProposals(ctx, store, "system.cpu.time", "", proposals.WithBreaker(failing)); err == nil || !strings.Contains(err.Error(), "consumers unreadable") || !strings.Contains(err.Error(), target) {
		t.Errorf("ListProposals with a failing breaker = %v, want its error naming schema %s", err, target)
	}
	if vs, err := proposals.AcceptProposals(ctx, store, minor, proposals.WithBreaker(failing)); err == nil || len(vs) != 0 {
		t.Errorf("auto-versioning with a failing breaker accepted %+v, %v; want nothing and the error", vs, err)
	}
}
