package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// DetailReader is a store as GetSchema reads it: its cost flows' clock
// and settings, and one schema's rows.
type DetailReader interface {
	CostReader
	// ReadDetail reads what Detail holds of the schema id, with its
	// cost rows (values included) since since. A schema that does not
	// exist has no schema row in the set; a store may also answer
	// ENOTFOUND.
	ReadDetail(ctx context.Context, id string, since time.Time) (*Detail, error)
}

// Detail is what a store reads of one schema for GetSchema, which works
// the rest out of it. Its Scan methods take one kind of row each and may
// run at once, each on a goroutine of its own, but no one alongside
// itself.
type Detail struct {
	// Set is the schema's set: the schema and its rows, or no schema.
	Set *SchemaSet
	// Producers are at most catalog.MaxDetailProducers of its
	// instances, the most recently seen first.
	Producers []catalog.Producer
	// Releases are its releases as its instances' rows count them
	// (ScanRelease), in any order.
	Releases []catalog.Release
	// Scopes are its instrumentation scopes in byte order (ScanScope).
	Scopes []catalog.Scope
	// Versions are its version history, latest first (ScanVersion).
	Versions []catalog.Version
	// Costs are its streams' cost rows of the window.
	Costs []catalog.CostRow
}

// ScanRelease takes a release selected as service_namespace,
// service_name, service_version, the count of its instances, the first
// first seen and the last last seen of them.
func (d *Detail) ScanRelease(r Row) error {
	var rl catalog.Release
	if err := r.Scan(&rl.ServiceNamespace, &rl.ServiceName, &rl.ServiceVersion, &rl.Instances, &rl.FirstSeen, &rl.LastSeen); err != nil {
		return err
	}
	d.Releases = append(d.Releases, rl)
	return nil
}

// ScanScope takes a scope selected as scope_name, scope_version, the first
// first seen and the last last seen of its streams.
func (d *Detail) ScanScope(r Row) error {
	var sc catalog.Scope
	if err := r.Scan(&sc.Name, &sc.Version, &sc.FirstSeen, &sc.LastSeen); err != nil {
		return err
	}
	d.Scopes = append(d.Scopes, sc)
	return nil
}

// ScanProducer takes an instance selected as ScanProducer reads it.
func (d *Detail) ScanProducer(r Row) error {
	p, err := ScanProducer(r)
	if err != nil {
		return err
	}
	d.Producers = append(d.Producers, p)
	return nil
}

// ScanVersion takes a version selected as the package's ScanVersion reads
// it.
func (d *Detail) ScanVersion(r Row) error {
	v, err := ScanVersion(r)
	if err != nil {
		return err
	}
	d.Versions = append(d.Versions, v)
	return nil
}

// GetSchema implements catalog.Store.GetSchema on r: the schema with its
// figures, its releases and instances with the schema each moved on to,
// and its cost over window w.
func GetSchema(ctx context.Context, r DetailReader, id string, w tallycatv1.Window) (*catalog.SchemaDetail, error) {
	q := QueryOf(r, w)
	rd, err := r.ReadDetail(ctx, id, q.Since())
	if err != nil {
		return nil, fmt.Errorf("get schema %s: %w", id, err)
	}
	schemas, loaded := rd.Set.Finish()
	if len(schemas) == 0 {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", id)
	}
	d := &catalog.SchemaDetail{Schema: schemas[0], Variants: loaded[id].Variants,
		Producers: rd.Producers, Releases: rd.Releases, Scopes: rd.Scopes, Versions: rd.Versions}
	streams := loaded[id].Facts.Streams
	releases := Releases(streams)
	for i := range d.Releases {
		f := releases[d.Releases[i].ReleaseIdentity]
		d.Releases[i].SupersededBy, d.Releases[i].DataPoints = f.SupersededBy, f.DataPoints
	}
	for i := range d.Producers {
		d.Producers[i].SupersededBy = releases[d.Producers[i].Release()].SupersededBy
	}
	if err := SchemaCost(d, streams, rd.Costs, q); err != nil {
		return nil, fmt.Errorf("get schema %s: %w", id, err)
	}
	// Current releases (no successor) first, then the most recently seen.
	slices.SortFunc(d.Releases, func(a, b catalog.Release) int {
		return cmp.Or(cmp.Compare(len(a.SupersededBy), len(b.SupersededBy)), b.LastSeen.Compare(a.LastSeen),
			cmp.Compare(a.ReleaseIdentity.String(), b.ReleaseIdentity.String()))
	})
	return d, nil
}

// ProducerReader is a store as ListProducers and ListServices read it, in
// its SQL.
type ProducerReader interface {
	// Producers hands each instance f selects to each, selected as
	// ScanProducer reads it: the instances of the schema or the metric
	// name f names, or of the service, or all of them; the most recently
	// seen first with f.MostRecentFirst, else by identity in byte order;
	// from f.Offset, at most f.Limit (a LIMIT). With a schema or a name,
	// first and last seen are those of the instance's emission of it;
	// otherwise the instance's own across its schemas. known is false
	// when the schema or the name f names does not exist, and what was
	// handed is then dropped.
	Producers(ctx context.Context, f catalog.ProducerFilter, each func(Row) error) (known bool, err error)
	// Services hands each service f selects (TallyCat's own left out
	// with f.ExcludeSelf, as SelfSQL tells them), by name in byte order,
	// from f.Offset, at most f.Limit (a LIMIT), to each, selected as
	// ListServices reads it: its name, counts of releases and instances,
	// the first first seen and the last last seen of them.
	Services(ctx context.Context, f catalog.ServiceFilter, each func(Row) error) error
}

// ListProducers implements catalog.Store.ListProducers on r.
func ListProducers(ctx context.Context, r ProducerReader, f catalog.ProducerFilter) ([]catalog.Producer, error) {
	f.Limit = LimitOf(f.Limit)
	var out []catalog.Producer
	known, err := r.Producers(ctx, f, func(row Row) error {
		p, err := ScanProducer(row)
		out = append(out, p)
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("list producers: %w", err)
	case known:
		return out, nil
	case f.SchemaID != "":
		return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", f.SchemaID)
	default:
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no %s has been seen", catalog.DescribeKey(f.SchemaKey))
	}
}

// ScanProducer reads an instance selected as service_name,
// service_namespace, service_version, service_instance_id, its first
// first seen and last last seen, and the count of its schemas.
func ScanProducer(r Row) (catalog.Producer, error) {
	var p catalog.Producer
	err := r.Scan(&p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID, &p.FirstSeen, &p.LastSeen, &p.SchemaCount)
	return p, err
}

// ListServices implements catalog.Store.ListServices on r.
func ListServices(ctx context.Context, r ProducerReader, f catalog.ServiceFilter) ([]catalog.Service, error) {
	var out []catalog.Service
	f.Limit = LimitOf(f.Limit)
	err := r.Services(ctx, f, func(row Row) error {
		var sv catalog.Service
		err := row.Scan(&sv.Name, &sv.Releases, &sv.Instances, &sv.FirstSeen, &sv.LastSeen)
		out = append(out, sv)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}
