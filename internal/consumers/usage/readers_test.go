package usage_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/consumers/usage"
)

// Each query that reads a key says which attributes it names, so that a
// metric's page can show who reads what; a query whose every label reaches
// its result reads them all. Consumers carry their catalog id into the
// findings and the readers.
func TestReaderUses(t *testing.T) {
	cs := doc(t, "rules.yml", `
groups:
  - name: host
    rules:
      - record: a
        expr: sum by (direction) (rate(system_network_io_bytes_total{device="eth0"}[5m]))
      - record: b
        expr: rate(system_network_io_bytes_total[5m])
      - record: c
        expr: sum without (device) (rate(system_network_io_bytes_total[5m]))
`)
	for i := range cs {
		cs[i].ID = "id-" + cs[i].Title
	}
	r := usage.Check(cs, hostmetrics(t), usage.Options{})
	var io *usage.KeyUse
	for i := range r.Used {
		if r.Used[i].Key == "system.network.io" {
			io = &r.Used[i]
		}
	}
	if io == nil || len(io.Readers) != 3 || len(io.ReaderUses) != 3 {
		t.Fatalf("io read by %+v", io)
	}
	got := map[string]string{}
	for i, rd := range io.Readers {
		got[rd.Consumer.ID] = strings.Join(io.ReaderUses[i].Attributes, ",")
		if io.ReaderUses[i].AllAttributes != (rd.Consumer.ID == "id-b") {
			t.Errorf("%s: all attributes %v, want it for b alone", rd.Consumer.ID, io.ReaderUses[i].AllAttributes)
		}
	}
	want := map[string]string{"id-a": "device,direction", "id-b": "device,direction", "id-c": "direction"}
	for id, attrs := range want {
		if got[id] != attrs {
			t.Errorf("%s reads %q, want %q", id, got[id], attrs)
		}
	}
}

// Dropping an unused attribute saves the series it splits: with 12 series
// and 2 distinct values of protocol, taken as independent of the other
// attributes, 6 series are left and 6 saved. Without figures nothing is
// claimed.
func TestSeriesSavedByAnUnusedAttribute(t *testing.T) {
	metrics := hostmetrics(t)
	for i, m := range metrics {
		if m.Key != "system.network.connections" {
			continue
		}
		s := &metrics[i].Schemas[0]
		s.Series = 12
		for j := range s.Fields {
			if s.Fields[j].Key == "protocol" {
				s.Fields[j].Distinct = 2
			}
		}
	}
	cs := doc(t, "rules.yml", `
groups:
  - name: host
    rules:
      - record: c
        expr: sum by (state) (system_network_connections)
      - record: d
        expr: sum by (direction) (rate(system_network_io_bytes_total[5m]))
`)
	r := usage.Check(cs, metrics, usage.Options{})
	saved := map[string]uint64{}
	for _, f := range r.Findings {
		if f.ID == usage.UnusedAttribute {
			saved[f.Key+"|"+f.Attribute] = f.SeriesSaved
			if f.SeriesSaved > 0 && !strings.Contains(f.Message, "independent") {
				t.Errorf("the message does not say the estimate's assumption: %s", f.Message)
			}
		}
	}
	if saved["system.network.connections|protocol"] != 6 {
		t.Errorf("protocol saves %d series, want 6 (12 - 12/2)", saved["system.network.connections|protocol"])
	}
	if v, ok := saved["system.network.io|device"]; !ok || v != 0 {
		t.Errorf("device, without figures: saved %d (listed %v), want listed with none", v, ok)
	}
	if keys := slices.Collect(func(yield func(string) bool) {
		for k := range saved {
			if !yield(k) {
				return
			}
		}
	}); len(keys) != 2 {
		t.Errorf("unused attributes %v, want protocol and device", keys)
	}
}

// A query that does not parse may read any metric it names: each key one
// of whose Prometheus names is a name of its text (an identifier, or a
// quoted UTF-8 name) counts as read with every attribute, so that it is
// neither unused_metric nor has unused_attribute, and dropping them
// (collector-config --drop-unused) cannot break the query once it is
// fixed. A metric it does not name is still unused.
func TestUnparsedQueryReadsWhatItNames(t *testing.T) {
	cs := doc(t, "rules.yml", `
groups:
  - name: host
    rules:
      - alert: Broken
        expr: sum by (direction) (rate(system_network_io_bytes_total[5m]) >
      - alert: BrokenUTF8
        expr: 'rate({"system.cpu.time", state="idle"}[5m]) >'
`)
	r := usage.Check(cs, hostmetrics(t), usage.Options{})
	if r.Stats.Unparsed != 2 {
		t.Fatalf("stats %+v, want both queries unparsed", r.Stats)
	}
	for _, f := range r.Findings {
		if (f.ID == usage.UnusedMetric || f.ID == usage.UnusedAttribute) && (f.Key == "system.network.io" || f.Key == "system.cpu.time") {
			t.Errorf("%s on %s %s, which a query that does not parse names", f.ID, f.Key, f.Attribute)
		}
	}
	if got := of(r, usage.UnusedMetric); !slices.Contains(got, "|system.network.packets||") {
		t.Errorf("unused metrics %v, want system.network.packets, which neither query names", got)
	}
	if keys := usage.Needed(cs, hostmetrics(t), usage.Options{}); !slices.Equal(keys, []string{"system.cpu.time", "system.network.io"}) {
		t.Errorf("needed keys %v, want the two the queries name", keys)
	}
}
