package conformance

import (
	"strings"
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// TestDropUnusedSavesWhatTheConfigWrites: the savings DropUnused reports
// are those of exactly what the configuration it sets up drops and folds:
// a metric named twice is dropped and counted once, an attribute named
// twice deleted and counted once, a gauge's attribute is kept and not
// counted, and an attribute of a dropped metric is neither deleted nor
// counted; the monthly saving adds the priced metrics only.
func TestDropUnusedSavesWhatTheConfigWrites(t *testing.T) {
	price := 1.5
	u := Unused{
		Metrics: []UnusedMetric{
			{Key: "app.debug", Series: 10, DataPointsPerMinute: 2, MonthlyCost: &price},
			{Key: "app.debug", Series: 10, DataPointsPerMinute: 2, MonthlyCost: &price},
			{Key: "app.trace", Series: 5, DataPointsPerMinute: 1},
		},
		Attributes: []UnusedAttribute{
			{Key: "app.requests", Attribute: "pod", SeriesSaved: 7},
			{Key: "app.requests", Attribute: "pod", SeriesSaved: 7},
			{Key: "app.requests", Attribute: "node", SeriesSaved: 3},
			{Key: "app.queue", Attribute: "pod", SeriesSaved: 100},
			{Key: "app.debug", Attribute: "host", SeriesSaved: 50},
		},
		Types: map[string][]tallycatv1.MetricType{"app.requests": {tallycatv1.MetricType_METRIC_TYPE_SUM},
			"app.queue": {tallycatv1.MetricType_METRIC_TYPE_GAUGE}, "app.debug": {tallycatv1.MetricType_METRIC_TYPE_SUM}},
	}
	opts, s, err := DropUnused(CollectorOptions{CardinalityCaps: true}, u)
	if err != nil {
		t.Fatal(err)
	}
	if !opts.CardinalityCaps {
		t.Error("DropUnused lost the options it was given")
	}
	p, out := generate(t, "", nil, opts)
	deletes := 0
	for _, g := range p.Processors.Transform.MetricStatements {
		for _, st := range g.Statements {
			if strings.HasPrefix(st, "delete_key(") {
				deletes++
			}
		}
	}
	if len(p.Processors.Filter.MetricConditions) != s.MetricsDropped || deletes != s.AttributesDeleted {
		t.Errorf("the configuration drops %d metrics and deletes %d attributes, the savings say %d and %d:\n%s",
			len(p.Processors.Filter.MetricConditions), deletes, s.MetricsDropped, s.AttributesDeleted, out)
	}
	want := UnusedSavings{MetricsDropped: 2, AttributesDeleted: 2, SeriesSaved: 10 + 5 + 7 + 3, DataPointsPerMonthSaved: 3 * catalog.MinutesAMonth}
	if s.MetricsDropped != want.MetricsDropped || s.AttributesDeleted != want.AttributesDeleted || s.SeriesSaved != want.SeriesSaved ||
		s.DataPointsPerMonthSaved != want.DataPointsPerMonthSaved || s.MonthlySaving == nil || *s.MonthlySaving != price {
		t.Errorf("savings %+v (monthly %v), want %+v and %v a month", s, s.MonthlySaving, want, price)
	}
	if !strings.Contains(out, "keeps pod on app.queue") || strings.Contains(out, `"host"`) {
		t.Errorf("want app.queue's pod kept and app.debug's host untouched:\n%s", out)
	}

	// Nothing priced: no monthly figure, not a zero one.
	_, s, err = DropUnused(CollectorOptions{}, Unused{Metrics: []UnusedMetric{{Key: "app.trace", Series: 5}}})
	if err != nil || s.MonthlySaving != nil || s.MetricsDropped != 1 {
		t.Errorf("unpriced: %+v, %v", s, err)
	}
	if _, _, err := DropUnused(CollectorOptions{}, Unused{Attributes: []UnusedAttribute{{Key: "m"}}}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("an empty attribute key: %v, want an error", err)
	}
}
