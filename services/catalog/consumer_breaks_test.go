package catalog_test

import (
	"slices"
	"testing"

	"github.com/tallycat/tallycat/services/catalog"
)

// A break is worded from how its query uses the label, whatever its
// message says: the message is for people and may be worded anew.
func TestDescribeBreaksWordsTheUses(t *testing.T) {
	breaks := []catalog.ConsumerBreak{
		{ConsumerID: "a", Kind: "dashboard", Title: "Host metrics", Panel: "CPU by state", Label: "state", Uses: []string{"by", "filter"},
			Message: "the panel would lose its state series"},
		{ConsumerID: "a", Kind: "dashboard", Title: "Host metrics", Panel: "Idle", Label: "state", Uses: []string{"filter"}},
		{ConsumerID: "b", Kind: "alert_rule", Title: "Busy", Panel: "Busy", Label: "cpu", Uses: []string{"function"}},
		{ConsumerID: "c", Kind: "recording_rule", Title: "cpu:rate", Panel: "cpu:rate", Metric: "system_cpu_time_seconds_total"},
	}
	want := []string{
		`breaks dashboard "Host metrics" (panel "CPU by state", groups by state; panel "Idle", filters on state)`,
		`breaks alert rule "Busy" (reads cpu)`,
		`breaks recording rule "cpu:rate" (reads system_cpu_time_seconds_total)`,
	}
	if got := catalog.DescribeBreaks(breaks); !slices.Equal(got, want) {
		t.Errorf("DescribeBreaks =\n%q\nwant\n%q", got, want)
	}
}
