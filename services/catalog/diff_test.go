package catalog_test

import (
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

func field(name string, src tallycatv1.FieldSource, vt tallycatv1.ValueType) catalog.Field {
	return catalog.Field{Name: name, Source: src, Type: vt}
}

func TestDiff(t *testing.T) {
	base := catalog.Schema{Key: "m", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "ms", Monotonic: true,
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE,
		Fields:      []catalog.Field{field("host", Resource, String), field("code", DataPoint, Int), field("gone", DataPoint, String)}}
	target := catalog.Schema{Key: "m", Type: tallycatv1.MetricType_METRIC_TYPE_SUM, Unit: "s", Monotonic: true,
		Temporality: tallycatv1.Temporality_TEMPORALITY_CUMULATIVE,
		Fields:      []catalog.Field{field("host", DataPoint, String), field("code", DataPoint, String), field("new", DataPoint, String)}}
	d := catalog.Diff(base, target)
	if len(d.Added) != 1 || d.Added[0].Name != "new" {
		t.Errorf("added = %v, want new", d.Added)
	}
	if len(d.Removed) != 1 || d.Removed[0].Name != "gone" {
		t.Errorf("removed = %v, want gone", d.Removed)
	}
	if len(d.Changed) != 2 || d.Changed[0].Name != "code" || d.Changed[1].Name != "host" ||
		d.Changed[1].Base.Source != Resource || d.Changed[1].Target.Source != DataPoint {
		t.Errorf("changed = %v, want code (type) and host (source)", d.Changed)
	}
	if len(d.MetadataChanges) != 1 || d.MetadataChanges[0].Property != "unit" || d.MetadataChanges[0].Base != "ms" || d.MetadataChanges[0].Target != "s" {
		t.Errorf("metadata = %v, want unit ms→s", d.MetadataChanges)
	}
	if d.Identical {
		t.Error("different schemas reported identical")
	}
	if same := catalog.Diff(base, base); !same.Identical {
		t.Errorf("a schema differs from itself: %v", same)
	}
}

func TestPageTokens(t *testing.T) {
	fp := catalog.Fingerprint("query", "sort")
	tok := catalog.EncodePageToken(200, fp)
	if off, err := catalog.DecodePageToken(tok, fp); err != nil || off != 200 {
		t.Errorf("decode = %d, %v; want 200", off, err)
	}
	if _, err := catalog.DecodePageToken(tok, catalog.Fingerprint("other")); catalog.ErrorCode(err) != catalog.EINVALID {
		t.Errorf("token for another filter = %v, want invalid", err)
	}
	if _, err := catalog.DecodePageToken("!!", fp); catalog.ErrorCode(err) != catalog.EINVALID {
		t.Errorf("garbage token = %v, want invalid", err)
	}
}
