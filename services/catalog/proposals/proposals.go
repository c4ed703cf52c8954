package proposals

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/tallycat/tallycat/services/catalog"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// AutoVersionActor is the actor recorded on versions TallyCat accepted by
// itself (see AcceptProposals).
const AutoVersionActor = "tallycat"

// Breaker names the dashboard and rule queries a change of a schema from
// base to target breaks; consumers.Service is one.
type Breaker interface {
	Breaks(ctx context.Context, base, target catalog.Schema) ([]catalog.ConsumerBreak, error)
}

// Option changes how proposals are made.
type Option func(*options)

type options struct {
	breaker Breaker
}

// WithBreaker has every proposal name the consumers its change breaks
// (Proposal.Breaks, and a reason per consumer) and makes such a proposal
// major, whatever the change alone would be: a version that breaks a
// dashboard is not compatible for the people reading it, and
// auto-versioning up to minor must not accept it. A nil b names none.
func WithBreaker(b Breaker) Option {
	return func(o *options) { o.breaker = b }
}

func optionsOf(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// ListProposals returns the versions proposed for the current, unversioned
// schemas of one schema (schemaID), of one key (schemaKey, a stored key:
// see catalog.StoredKey) or, with neither, of every key of every signal
// that has versions, ordered by key, then schema id. They are computed from what the store holds.
//
// A schema S gets a proposal relative to a versioned schema B of its key
// when a release that produced B moved to S, or when another release (a
// different service.version, first seen no earlier) of a service that
// produced B produces S. Of several such B, the one whose release was seen
// most recently is the base. No proposal is made when S differs from B in
// nothing ClassifyChange counts. With WithBreaker, a proposal whose change
// breaks a dashboard or rule query is major and names them. It returns
// ENOTFOUND for a schema or metric name that does not exist.
func ListProposals(ctx context.Context, store catalog.Store, schemaKey, schemaID string, opts ...Option) ([]Proposal, error) {
	o := optionsOf(opts)
	var keys []string
	switch {
	case schemaID != "":
		s, err := store.GetSchemas(ctx, schemaID)
		if err != nil {
			return nil, err
		}
		if schemaKey != "" && s[0].Key != schemaKey {
			return nil, nil
		}
		keys = []string{s[0].Key}
	case schemaKey != "":
		keys = []string{schemaKey}
	default:
		all, _, err := store.ListSchemaKeys(ctx, catalog.KeyFilter{Signals: catalog.AllSignals})
		if err != nil {
			return nil, err
		}
		for _, k := range all {
			if k.Versioned {
				keys = append(keys, k.Key)
			}
		}
	}
	dismissed, err := dismissedSet(ctx, store, keys)
	if err != nil {
		return nil, err
	}
	var out []Proposal
	for _, k := range keys {
		ps, err := keyProposals(ctx, store, k, schemaID, o)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !dismissed[[2]string{p.SchemaID, p.ProposedVersion}] {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// dismissedSet returns the dismissed (schema id, version) pairs that can
// concern proposals of keys: of the one key when there is one, of every key
// otherwise.
func dismissedSet(ctx context.Context, store catalog.Store, keys []string) (map[[2]string]bool, error) {
	key := ""
	if len(keys) == 1 {
		key = keys[0]
	}
	ds, err := store.ListDismissals(ctx, key)
	if err != nil {
		return nil, err
	}
	set := make(map[[2]string]bool, len(ds))
	for _, d := range ds {
		set[[2]string{d.SchemaID, d.Version}] = true
	}
	return set, nil
}

// keyProposals returns the proposals of one metric name, of one schema
// only when only is set.
func keyProposals(ctx context.Context, store catalog.Store, key, only string, o options) ([]Proposal, error) {
	schemas, err := store.ListSchemas(ctx, key, true)
	if err != nil {
		return nil, err
	}
	// Most keys, most of the time, have no current unversioned schema (or
	// no versioned one): they are settled from the list, without reading
	// each schema's releases.
	wanted := schemas[:0:0]
	var haveBase, haveTarget bool
	for _, s := range schemas {
		versioned := s.CurrentVersion != nil
		if !versioned && (s.Superseded || (only != "" && s.ID != only)) {
			continue
		}
		haveBase, haveTarget = haveBase || versioned, haveTarget || !versioned
		wanted = append(wanted, s)
	}
	if !haveBase || !haveTarget {
		return nil, nil
	}
	var bases, targets []*catalog.SchemaDetail
	for _, s := range wanted {
		versioned := s.CurrentVersion != nil
		d, err := store.GetSchema(ctx, s.ID, tallycatv1.Window_WINDOW_UNSPECIFIED)
		if err != nil {
			return nil, err
		}
		if versioned {
			bases = append(bases, d)
		} else {
			targets = append(targets, d)
		}
	}
	history, err := store.ListVersions(ctx, "", key)
	if err != nil {
		return nil, err
	}
	taken := make(map[string]bool, len(history))
	for _, v := range history {
		taken[v.Version] = true
	}
	var out []Proposal
	for _, t := range targets {
		b := baseOf(t, bases)
		if b == nil {
			continue
		}
		level, reasons := ClassifyChange(b.Schema, t.Schema)
		var breaks []catalog.ConsumerBreak
		if level != tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED && o.breaker != nil {
			if breaks, err = o.breaker.Breaks(ctx, b.Schema, t.Schema); err != nil {
				return nil, fmt.Errorf("what the change of %s from schema %s to %s breaks: %w", key, b.Schema.ID, t.Schema.ID, err)
			}
			if len(breaks) > 0 {
				level = tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR
				reasons = append(reasons, catalog.DescribeBreaks(breaks)...)
			}
		}
		next, ok := ProposeVersion(b.Schema.CurrentVersion.Version, level, taken)
		if !ok {
			continue
		}
		out = append(out, Proposal{
			SchemaID: t.Schema.ID, SchemaKey: key, BaseSchemaID: b.Schema.ID, BaseVersion: b.Schema.CurrentVersion.Version,
			ProposedVersion: next, Level: level, Reasons: reasons, Breaks: breaks,
		})
	}
	slices.SortFunc(out, func(a, b Proposal) int { return cmp.Compare(a.SchemaID, b.SchemaID) })
	return out, nil
}

// baseOf picks the versioned schema target's proposal is relative to, or
// nil when no release links them (see ListProposals).
func baseOf(target *catalog.SchemaDetail, bases []*catalog.SchemaDetail) *catalog.SchemaDetail {
	var best *catalog.SchemaDetail
	var bestSeen time.Time
	consider := func(b *catalog.SchemaDetail, seen time.Time) {
		if best == nil || seen.After(bestSeen) ||
			(seen.Equal(bestSeen) && b.Schema.CurrentVersion.AssignedAt.After(best.Schema.CurrentVersion.AssignedAt)) {
			best, bestSeen = b, seen
		}
	}
	for _, b := range bases {
		for _, rb := range b.Releases {
			// A release that moved off b and is on target now: straight
			// there, or through schemas between (a release that grew twice
			// before anyone looked).
			if rb.SupersededBy == target.Schema.ID || (rb.SupersededBy != "" && slices.ContainsFunc(target.Releases, func(rt catalog.Release) bool {
				return rt.ReleaseIdentity == rb.ReleaseIdentity && rt.SupersededBy == ""
			})) {
				consider(b, rb.LastSeen)
				continue
			}
			for _, rt := range target.Releases {
				if rt.ServiceName == rb.ServiceName && rt.ServiceNamespace == rb.ServiceNamespace &&
					rt.ServiceVersion != rb.ServiceVersion && !rt.FirstSeen.Before(rb.FirstSeen) {
					consider(b, rb.LastSeen)
					break
				}
			}
		}
	}
	return best
}

// AcceptProposal assigns version to the schema as Store.AssignVersion does,
// recorded with actor, when it is the version the schema's proposal names
// now (made with opts, as ListProposals lists it). Asking again once
// accepted returns the version as it is. It returns EFAILEDPRECONDITION
// when the schema has no proposal of that version, and the errors of
// Store.AssignVersion.
func AcceptProposal(ctx context.Context, store catalog.Store, schemaID, version, actor string, opts ...Option) (catalog.Version, error) {
	ps, err := ListProposals(ctx, store, "", schemaID, opts...)
	if err != nil {
		return catalog.Version{}, err
	}
	if !slices.ContainsFunc(ps, func(p Proposal) bool { return p.ProposedVersion == version }) {
		if s, err := store.GetSchemas(ctx, schemaID); err == nil && s[0].CurrentVersion != nil && s[0].CurrentVersion.Version == version {
			return *s[0].CurrentVersion, nil
		}
		return catalog.Version{}, catalog.Errorf(catalog.EFAILEDPRECONDITION, "schema %s has no proposal of version %s: list the proposals again", schemaID, version)
	}
	return store.AssignVersion(ctx, catalog.VersionChange{
		SchemaID: schemaID, Version: version, Status: tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE, Actor: actor,
	})
}

// DismissProposal records, with actor and reason, that version is not
// wanted for the schema, when it is the version the schema's proposal
// names now (made with opts, as ListProposals lists it); the proposal is then no longer listed or auto-accepted.
// Dismissing it again is no error. It returns EFAILEDPRECONDITION when the
// schema has no proposal of that version, and ENOTFOUND for an unknown
// schema.
func DismissProposal(ctx context.Context, store catalog.Store, schemaID, version, actor, reason string, opts ...Option) error {
	s, err := store.GetSchemas(ctx, schemaID)
	if err != nil {
		return err
	}
	ds, err := store.ListDismissals(ctx, s[0].Key)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(ds, func(d catalog.Dismissal) bool { return d.SchemaID == schemaID && d.Version == version }) {
		return nil
	}
	ps, err := ListProposals(ctx, store, "", schemaID, opts...)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ps, func(p Proposal) bool { return p.ProposedVersion == version }) {
		return catalog.Errorf(catalog.EFAILEDPRECONDITION, "schema %s has no proposal of version %s: list the proposals again", schemaID, version)
	}
	return store.DismissProposal(ctx, catalog.Dismissal{
		SchemaID: schemaID, SchemaKey: s[0].Key, Version: version, Reason: reason, Actor: actor, // At: the store's clock
	})
}

// AcceptProposals accepts, with the actor AutoVersionActor, every proposal
// (made with opts: see WithBreaker) whose change level is upTo or lower,
// and returns the versions it assigned; CHANGE_LEVEL_UNSPECIFIED accepts
// none. A proposal that cannot
// be accepted (its version was taken meanwhile) does not stop the others;
// the errors are returned together.
func AcceptProposals(ctx context.Context, store catalog.Store, upTo tallycatv1.ChangeLevel, opts ...Option) ([]catalog.Version, error) {
	if upTo == tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED {
		return nil, nil
	}
	ps, err := ListProposals(ctx, store, "", "", opts...)
	if err != nil {
		return nil, err
	}
	var out []catalog.Version
	var errs []error
	for _, p := range ps {
		if p.Level > upTo {
			continue
		}
		v, err := store.AssignVersion(ctx, catalog.VersionChange{
			SchemaID: p.SchemaID, Version: p.ProposedVersion, Status: tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE, Actor: AutoVersionActor,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("accept version %s of schema %s: %w", p.ProposedVersion, p.SchemaID, err))
			continue
		}
		out = append(out, v)
	}
	return out, errors.Join(errs...)
}

// ParseAutoVersion reads the --auto-version flag: off (or empty), patch,
// minor or major, the highest change level accepted by itself.
func ParseAutoVersion(s string) (tallycatv1.ChangeLevel, error) {
	switch s {
	case "", "off":
		return tallycatv1.ChangeLevel_CHANGE_LEVEL_UNSPECIFIED, nil
	case "patch":
		return tallycatv1.ChangeLevel_CHANGE_LEVEL_PATCH, nil
	case "minor":
		return tallycatv1.ChangeLevel_CHANGE_LEVEL_MINOR, nil
	case "major":
		return tallycatv1.ChangeLevel_CHANGE_LEVEL_MAJOR, nil
	}
	return 0, catalog.Errorf(catalog.EINVALID, "auto-version %q: want off, patch, minor or major", s)
}
