package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
)

// A full judging is done once per cluster. The replica that leads (see
// catalog.Leader; a store that is not one has a single process, which
// leads) judges every interval and saves what it found
// (catalog.Store.SaveJudging); the others do not judge in full, they load
// the stored judging when it is newer than the one they serve and serve
// it. A replica that takes the lead, or starts as the leader, serves the
// stored judging at once and judges when the one it serves is an interval
// old: the cluster's cadence goes on where the last leader left it, and a
// restart never waits for a judging to have findings. Judging a key again
// after a schema change (RefreshKeys) stays with each replica: it is cheap,
// and only the replica that wrote the change hears of it.

// followEvery is how often a replica that does not lead asks for a newer
// stored judging, and whether it leads now, when the interval is longer:
// a question that costs one indexed row read when there is nothing newer.
const followEvery = 5 * time.Second

// Run serves findings until ctx ends, logging what goes wrong: judged in
// full every interval while this replica leads, loaded from the store
// while it does not (see above).
func (x *Findings) Run(ctx context.Context, interval time.Duration) {
	var next time.Time // when this replica judges next, while it leads
	config := x.Judge.fingerprint()
	for {
		leading := x.leads(ctx)
		if !leading || x.servedAt().IsZero() {
			if _, err := x.adoptStored(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("loading the stored judging of the catalog", "error", err)
			}
		}
		wait := min(interval, followEvery)
		switch {
		case !leading:
			next = time.Time{}
		case next.IsZero() && !x.servedAt().IsZero() && x.servedConfig() == config:
			// Taking the lead, or starting as the leader, with a judging
			// to serve: the next is due an interval after it.
			next = x.servedAt().Add(interval)
		}
		if leading && !time.Now().Before(next) {
			start := time.Now()
			if err := x.Refresh(ctx); err != nil && ctx.Err() == nil {
				slog.Warn("judging the catalog against the registries", "error", err)
			} else if ctx.Err() == nil {
				slog.Debug("judged the catalog", "took", time.Since(start))
			}
			next = time.Now().Add(interval)
		}
		if leading {
			wait = min(wait, max(time.Until(next), 0))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// leads reports whether this replica leads: always on a store that is not
// a catalog.Leader, which one process has.
func (x *Findings) leads(ctx context.Context) bool {
	l, ok := x.Store.(catalog.Leader)
	return !ok || l.Leading(ctx)
}

// servedAt is when the judging this replica serves began reading the
// catalog; zero when it serves none.
func (x *Findings) servedAt() time.Time {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.judged
}

// servedConfig is the fingerprint of the configuration the judging this
// replica serves was judged under.
func (x *Findings) servedConfig() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.config
}

// adoptStored serves the stored judging when it is newer than the one
// this replica serves and was judged under this replica's configuration,
// and reports whether it did. The keys this replica
// judged again after the stored judging began keep their own findings: it
// may not have seen their new schemas. A stored judging it cannot read (a
// newer catalog's encoding) is an error, and it keeps what it serves.
func (x *Findings) adoptStored(ctx context.Context) (bool, error) {
	x.judging.Lock()
	defer x.judging.Unlock()
	stored, err := x.Store.LoadJudging(ctx, x.servedAt())
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	j, err := decodeJudging(stored.Data)
	if err != nil {
		return false, err
	}
	if j.config != x.Judge.fingerprint() {
		// Judged under other registries, levels or policies (a restart
		// with a new registry, a replica of a rolling deploy): its
		// findings are not this replica's to serve. It judges for itself.
		return false, nil
	}
	x.mu.RLock()
	all, keys, rejudged := x.all, x.keys, x.rejudged
	x.mu.RUnlock()
	found, facts := map[string][]Finding{}, map[string]keyFacts{}
	kept := map[string]time.Time{}
	for k, at := range rejudged {
		if at.After(j.at) {
			found[k], facts[k], kept[k] = nil, keys[k], at
		}
	}
	if len(found) > 0 {
		for _, f := range all {
			if _, ok := found[f.SchemaKey]; ok {
				found[f.SchemaKey] = append(found[f.SchemaKey], f)
			}
		}
		j.all, j.keys = replaceKeys(j.all, j.keys, found, facts)
	}
	groups := groupFindings(j.all)
	x.mu.Lock()
	x.all, x.groups, x.keys, x.judged, x.total, x.rejudged, x.config = j.all, groups, j.keys, j.at, j.total, kept, j.config
	x.mu.Unlock()
	return true, nil
}

// save stores a full judging for the other replicas, when this replica
// leads; what goes wrong is logged, and the judging is served all the
// same.
func (x *Findings) save(ctx context.Context, j judging) {
	if !x.leads(ctx) {
		return
	}
	data, err := encodeJudging(j)
	if err == nil {
		err = x.Store.SaveJudging(ctx, catalog.StoredJudging{At: j.at, Data: data})
	}
	if err != nil && ctx.Err() == nil {
		slog.Warn("storing the judging of the catalog for the other replicas", "findings", len(j.all), "error", err)
	}
}

// catchUp gives a replica that serves no judging one: the stored judging,
// or else one it judges now (and saves, if it leads) rather than say all
// is well. It reports whether it judged in full.
func (x *Findings) catchUp(ctx context.Context) (bool, error) {
	adopted, err := x.adoptStored(ctx)
	if adopted {
		return false, nil
	}
	if err != nil && ctx.Err() == nil {
		slog.Warn("loading the stored judging of the catalog; judging it instead", "error", err)
	}
	if !x.servedAt().IsZero() { // judged by another caller meanwhile
		return false, nil
	}
	return true, x.Refresh(ctx)
}

// fingerprint names what findings depend on besides the catalog: the
// registries' sources, the levels, the ignore rules and the policies. A
// replica that starts leading with a stored judging made under another
// configuration (a restart with a new policy file) judges at once rather
// than at its interval.
func (j Judge) fingerprint() string {
	type rule struct {
		PolicyRule
		MetricName string // the pattern: a regexp.Regexp has no JSON
	}
	var config struct {
		Sources  []semconv.Source
		Levels   map[string]tallycatv1.FindingLevel
		Ignore   []IgnoreRule
		Policies []rule
	}
	if j.Registry != nil {
		config.Sources = j.Registry.Sources()
	}
	config.Levels, config.Ignore = j.Levels, j.Ignore
	for _, p := range j.Policies {
		r := rule{PolicyRule: p}
		if p.MetricName != nil {
			r.MetricName = p.MetricName.String()
		}
		config.Policies = append(config.Policies, r)
	}
	data, err := json.Marshal(config)
	if err != nil { // nothing in it fails to marshal; were it to, judge again
		return err.Error()
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
