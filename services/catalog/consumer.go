package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Consumer is a dashboard or an alerting or recording rule as a sync
// stored it: what was read of it from its source, its queries as written.
// What the queries read is worked out when the consumers are read against
// the catalog (the consumers package), never stored, so that a new metric,
// a renamed one or a better parser changes the answer without a sync.
type Consumer struct {
	// ID is ConsumerID(Origin, Source, UID).
	ID string
	// Origin is the set of consumers one sync replaces: a folder, a
	// Grafana, a Prometheus.
	Origin string
	// Kind is dashboard, alert_rule or recording_rule; Format the form it
	// was read from (grafana_dashboard, grafana_alert_rules,
	// prometheus_rules, perses_dashboard).
	Kind   string
	Format string
	// Source is the file or URL it was read from, UID what identifies it
	// there across syncs.
	Source string
	UID    string
	Title  string
	Folder string
	// Body is what it runs and what reading it noted.
	Body ConsumerBody
	// SyncedAt is when a sync first stored it or last changed it.
	SyncedAt time.Time
}

// ConsumerBody is the part of a consumer a sync may change besides its
// names, kept by the stores as one JSON document.
type ConsumerBody struct {
	Queries []ConsumerQuery `json:"queries,omitempty"`
	// Skipped counts the queries on other datasources, by type.
	Skipped map[string]int `json:"skipped,omitempty"`
	// Notes say what could not be read and why, without being errors.
	Notes []string `json:"notes,omitempty"`
}

// ConsumerQuery is one PromQL query of a consumer, as read.
type ConsumerQuery struct {
	Panel      string `json:"panel,omitempty"`
	RefID      string `json:"ref_id,omitempty"`
	Path       string `json:"path,omitempty"`
	Line       int    `json:"line,omitempty"`
	Datasource string `json:"datasource,omitempty"`
	// Raw is the expression as written, Expr the one to parse (template
	// variables substituted).
	Raw  string `json:"raw,omitempty"`
	Expr string `json:"expr"`
	// GroupLabels are labels a template variable's query lists the values
	// of: read as `by` labels.
	GroupLabels []string `json:"group_labels,omitempty"`
}

// ConsumerID is a consumer's id: the first 16 bytes of the SHA-256 of its
// origin, source and uid, each length-prefixed, as 32 hex digits. The
// origin is part of it so that two syncs reading the same file (a CI step
// and the catalog's own pull) keep a consumer each instead of overwriting
// each other's.
func ConsumerID(origin, source, uid string) string {
	var buf []byte
	for _, s := range []string{origin, source, uid} {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		buf = append(buf, s...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}

// Digest says whether two versions of a consumer differ in anything a sync
// stores: its names and its body.
func (c Consumer) Digest() string {
	b, _ := json.Marshal(struct {
		Kind, Format, Title, Folder string
		Body                        ConsumerBody
	}{c.Kind, c.Format, c.Title, c.Folder, c.Body})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// ConsumerSync is what a sync of one origin brings: every consumer the
// origin has now, and the sources it could not read this time.
type ConsumerSync struct {
	Origin    string
	Consumers []Consumer
	// Unreadable are sources of the origin that could not be read: their
	// stored consumers are kept, neither updated nor taken for deleted.
	Unreadable []string
	At         time.Time
}

// ConsumerSyncResult counts what a sync did.
type ConsumerSyncResult struct {
	Added, Updated, Removed, Unchanged, Kept int
}

// StoredConsumer is what a store knows of a stored consumer when it plans
// a sync: enough to tell whether it changed or went away.
type StoredConsumer struct {
	ID, Source, Digest string
}

// ConsumerSyncPlan is what a store writes for a sync: the consumers to
// insert or replace (each with its ID, SyncedAt and digest set) and the
// ids to delete.
type ConsumerSyncPlan struct {
	Upsert  []Consumer
	Digests []string
	Delete  []string
	Result  ConsumerSyncResult
}

// PlanConsumerSync decides what a sync changes, given the consumers the
// store holds for the origin: a new id is added, a changed digest updated
// (its SyncedAt moves), an unchanged one left alone, and a stored id the
// sync does not bring is deleted unless its source is unreadable. It
// returns EINVALID for two consumers with one id (one source and uid),
// naming them.
func PlanConsumerSync(s ConsumerSync, stored []StoredConsumer) (ConsumerSyncPlan, error) {
	have := make(map[string]StoredConsumer, len(stored))
	for _, c := range stored {
		have[c.ID] = c
	}
	var plan ConsumerSyncPlan
	seen := make(map[string]int, len(s.Consumers))
	for i, c := range s.Consumers {
		c.Origin = s.Origin
		c.ID = ConsumerID(s.Origin, c.Source, c.UID)
		if j, dup := seen[c.ID]; dup {
			return ConsumerSyncPlan{}, Errorf(EINVALID, "consumers[%d] and consumers[%d] are one consumer: source %q, uid %q", j, i, c.Source, c.UID)
		}
		seen[c.ID] = i
		digest := c.Digest()
		old, ok := have[c.ID]
		switch {
		case !ok:
			plan.Result.Added++
		case old.Digest != digest:
			plan.Result.Updated++
		default:
			plan.Result.Unchanged++
			continue
		}
		c.SyncedAt = s.At
		plan.Upsert = append(plan.Upsert, c)
		plan.Digests = append(plan.Digests, digest)
	}
	unreadable := make(map[string]bool, len(s.Unreadable))
	for _, src := range s.Unreadable {
		unreadable[src] = true
	}
	for _, c := range stored {
		if _, ok := seen[c.ID]; ok {
			continue
		}
		if unreadable[c.Source] {
			plan.Result.Kept++
			continue
		}
		plan.Delete = append(plan.Delete, c.ID)
		plan.Result.Removed++
	}
	return plan, nil
}

// ConsumerBreak is a query of a dashboard or rule that a change of a
// metric's schema breaks: it reads an attribute the new schema lacks, or a
// name the new schema no longer gives. Version proposals and the timeline
// name them.
type ConsumerBreak struct {
	ConsumerID string
	Kind       string
	Title      string
	Folder     string
	Source     string
	UID        string
	Panel      string
	RefID      string
	Path       string
	Line       int
	Expr       string
	// FindingID is what the query would then read wrong
	// (consumer_missing_metric or consumer_missing_attribute), Message
	// says it in words; Metric and Label are the name and label it reads,
	// and Uses how the query uses the label, most telling first (filter,
	// by, on, include, function: promql.Use).
	FindingID string
	Message   string
	Metric    string
	Label     string
	Uses      []string
}
