package proposals_test

import (
	"slices"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/proposals"
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
