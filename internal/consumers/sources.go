package consumers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The prefixes of origins: each names the set of consumers one sync of
// one source replaces.
const (
	FilesOrigin      = "files:"
	GrafanaOrigin    = "grafana:"
	PrometheusOrigin = "prometheus:"
)

// Sources are the places consumers are read from: what `tallycat
// consumers check` and `sync` are given, and what the catalog pulls.
type Sources struct {
	// Dashboards and Rules are files and folders of any format (ReadPath
	// tells each file's format by its content; the two are kept apart for
	// the people who name them).
	Dashboards []string
	Rules      []string
	// GrafanaURL is a Grafana whose dashboards and alert rules are read
	// with GrafanaToken.
	GrafanaURL   string
	GrafanaToken string
	// PrometheusURL is a Prometheus whose /api/v1/rules is read with
	// PrometheusToken (empty sends none).
	PrometheusURL   string
	PrometheusToken string
	// AllowEmpty takes an API that answers with no consumer at all for
	// one that has none. Without it that answer fails the batch
	// (ErrEmptyAnswer): a Grafana token that sees no folder gets a search
	// of 200 and an empty list, and a sync of that batch would remove
	// every stored consumer of the Grafana.
	AllowEmpty bool
	// HTTP is the client for the APIs; nil uses one with a two-minute
	// timeout.
	HTTP *http.Client
}

// Empty reports whether no source is given.
func (s Sources) Empty() bool {
	return len(s.Dashboards)+len(s.Rules) == 0 && s.GrafanaURL == "" && s.PrometheusURL == ""
}

// Batch is what one origin gave: its consumers, and what of it could not
// be read. A sync replaces the origin's stored consumers with Consumers,
// keeping those of the Unreadable sources.
type Batch struct {
	// Origin is "files:" and the path as given, cleaned; "grafana:" or
	// "prometheus:" and the URL without a trailing slash.
	Origin    string
	Consumers []Consumer
	// Ignored are the files of none of the formats.
	Ignored []string
	// Errors say what could not be read: each document (a *SourceError
	// naming the file, the JSON path and the line), a folder, or the API.
	Errors []error
	// Unreadable are the sources among Errors that name their consumers'
	// Source exactly: the files that could not be read, Grafana's alert
	// rules when the token may not read them. Their stored consumers are
	// to be kept, not taken for deleted.
	Unreadable []string
	// Warnings are what was left unread without being an error: Grafana's
	// alert rules with a token that may not read them, or a Grafana older
	// than the API that lists them.
	Warnings []string
	// Failed is set when more than files could not be read: an API that
	// failed (nothing of it is read: an API is read whole), a folder that
	// could not be walked, a path that is gone. A failed batch must not be
	// synced: the consumers it could not see would be taken for deleted.
	Failed bool
}

// ErrEmptyAnswer is the error of an API origin (Grafana, Prometheus)
// that answered with no consumer at all, when Sources.AllowEmpty is not
// set: an answer a token that may see nothing gets too.
var ErrEmptyAnswer = errors.New("it answered with no dashboard and no rule, as it answers a token that may see none; its stored consumers are kept")

// FromFiles reports whether the batch was read from files and folders.
func (b Batch) FromFiles() bool { return strings.HasPrefix(b.Origin, FilesOrigin) }

// Err joins the batch's errors, nil when there are none.
func (b Batch) Err() error { return errors.Join(b.Errors...) }

// Read reads every source, a batch per origin in the order given: each
// file or folder (a path given twice is read once), then Grafana, then
// Prometheus.
func (s Sources) Read(ctx context.Context) []Batch {
	httpClient := s.HTTP
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 2 * time.Minute}
	}
	var out []Batch
	seen := map[string]bool{}
	for _, p := range append(append([]string(nil), s.Dashboards...), s.Rules...) {
		p = filepath.Clean(p)
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, readFiles(p))
	}
	if s.GrafanaURL != "" {
		g := &GrafanaClient{URL: s.GrafanaURL, Token: s.GrafanaToken, HTTP: httpClient}
		b := readGrafana(ctx, g)
		if !b.Failed && len(b.Consumers) == 0 && !s.AllowEmpty {
			b.Errors, b.Failed = []error{fmt.Errorf("reading Grafana at %s: %w", s.GrafanaURL, ErrEmptyAnswer)}, true
		}
		out = append(out, b)
	}
	if s.PrometheusURL != "" {
		p := &PrometheusClient{URL: s.PrometheusURL, Token: s.PrometheusToken, HTTP: httpClient}
		b := Batch{Origin: PrometheusOrigin + strings.TrimRight(s.PrometheusURL, "/")}
		rules, err := p.Rules(ctx)
		switch {
		case err != nil:
			b.Errors, b.Failed = []error{fmt.Errorf("reading Prometheus' rules at %s: %w", s.PrometheusURL, err)}, true
		case len(rules) == 0 && !s.AllowEmpty:
			b.Errors, b.Failed = []error{fmt.Errorf("reading Prometheus' rules at %s: %w", s.PrometheusURL, ErrEmptyAnswer)}, true
		}
		b.Consumers = rules
		out = append(out, b)
	}
	return out
}

// readFiles reads one file or folder. A file that cannot be read is
// Unreadable (its consumers' Source is that file); anything else that
// cannot be read (the path itself, a subfolder) fails the batch, since
// the files it would hold are unknown.
func readFiles(path string) Batch {
	set := ReadPath(path, Options{})
	b := Batch{Origin: FilesOrigin + path, Consumers: set.Consumers, Ignored: set.Ignored, Errors: set.Errors}
	for _, err := range set.Errors {
		var se *SourceError
		if errors.As(err, &se) && se.Source != "" {
			if info, statErr := os.Stat(se.Source); statErr == nil && info.Mode().IsRegular() {
				b.Unreadable = append(b.Unreadable, se.Source)
				continue
			}
		}
		b.Failed = true
	}
	return b
}

// readGrafana reads a Grafana's dashboards and alert rules. Any failure
// fails the batch, but for alert rules the token may not read (403) or a
// Grafana without the provisioning API (404): that is a warning, the
// dashboards are read, and the stored alert rules are kept.
func readGrafana(ctx context.Context, g *GrafanaClient) Batch {
	b := Batch{Origin: GrafanaOrigin + strings.TrimRight(g.URL, "/")}
	ds, err := g.Dashboards(ctx)
	if err != nil {
		b.Errors, b.Failed = []error{fmt.Errorf("reading Grafana's dashboards at %s: %w", g.URL, err)}, true
		return b
	}
	rules, err := g.AlertRules(ctx)
	var he *HTTPError
	switch {
	case errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound):
		b.Warnings = append(b.Warnings, fmt.Sprintf("Grafana's alert rules were not read (%d %s): the token needs alert rules' provisioning read permission, or Grafana predates that API; its dashboards were read",
			he.Status, http.StatusText(he.Status)))
		b.Unreadable = append(b.Unreadable, he.URL)
	case err != nil:
		b.Errors, b.Failed = []error{fmt.Errorf("reading Grafana's alert rules at %s: %w", g.URL, err)}, true
		return b
	}
	b.Consumers = append(ds, rules...)
	return b
}

// StoredConsumer is what the guard on removals needs of a consumer a
// catalog keeps: the origin it was synced under, its source and its uid.
type StoredConsumer struct{ Origin, Source, UID string }

// FewConsumers is the size of an origin below which a sync may remove
// most of it. A sync that would remove every stored consumer of its
// origin is always refused (RefuseRemovals): an empty folder, a checkout
// of the wrong branch, a volume mounted empty, a token that lost its
// folders all look like that. From FewConsumers on, a sync that would
// remove more than half of the origin is refused too (a partial mount, a
// token that lost some folders). Below it, removing two dashboards of
// three is ordinary editing: refusing it would make --prune a habit, and
// a flag given every time guards nothing.
const FewConsumers = 10

// Removals counts the stored consumers of b's origin (held) and those a
// sync of b would remove (removed): the ones b does not bring again whose
// source it could read, as catalog.PlanConsumerSync decides.
func (b Batch) Removals(stored []StoredConsumer) (removed, held int) {
	brought := make(map[[2]string]bool, len(b.Consumers))
	for _, c := range b.Consumers {
		brought[[2]string{c.Source, c.UID}] = true
	}
	for _, c := range stored {
		if c.Origin != b.Origin {
			continue
		}
		held++
		if !brought[[2]string{c.Source, c.UID}] && !slices.Contains(b.Unreadable, c.Source) {
			removed++
		}
	}
	return removed, held
}

// RefuseRemovals returns why a sync of b must not run without pruning
// asked for, or nil when it may: it would remove every stored consumer of
// the origin, or more than half of an origin of FewConsumers or more.
func (b Batch) RefuseRemovals(stored []StoredConsumer) error {
	removed, held := b.Removals(stored)
	switch {
	case removed == 0:
		return nil
	case removed == held:
		return fmt.Errorf("%s: not synced: it would remove all %d consumers the catalog keeps of it (%d read now), as an empty folder or a token that sees nothing would",
			b.Origin, held, len(b.Consumers))
	case held >= FewConsumers && 2*removed > held:
		return fmt.Errorf("%s: not synced: it would remove %d of the %d consumers the catalog keeps of it (%d read now), more than half",
			b.Origin, removed, held, len(b.Consumers))
	}
	return nil
}
