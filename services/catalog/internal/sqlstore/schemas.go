package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// SchemaReader is a store as GetSchemas and ListSchemas read it: each
// method reads the schemas it selects into a new set (NewSchemaSet), the
// schema rows first (SchemaSet.SchemaRead), then their current versions
// (SchemaSet.ScanCurrentVersion) and the rest of their rows
// (SchemaSet.RowReads), in the store's SQL.
type SchemaReader interface {
	// SchemasByID reads the schemas with the given ids, of which there
	// is at least one.
	SchemasByID(ctx context.Context, ids []string) (*SchemaSet, error)
	// SchemasOfKey reads key's current schemas, or all of them with
	// includeSuperseded; known is false when key was never seen, and
	// what was read is then dropped.
	SchemasOfKey(ctx context.Context, key string, includeSuperseded bool) (known bool, x *SchemaSet, err error)
}

// GetSchemas implements catalog.Store.GetSchemas on r.
func GetSchemas(ctx context.Context, r SchemaReader, ids ...string) ([]catalog.Schema, error) {
	if len(ids) == 0 {
		return []catalog.Schema{}, nil
	}
	x, err := r.SchemasByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("get schemas: %w", err)
	}
	read, _ := x.Finish()
	byID := make(map[string]catalog.Schema, len(read))
	for _, sc := range read {
		byID[sc.ID] = sc
	}
	out := make([]catalog.Schema, len(ids))
	for i, id := range ids {
		sc, ok := byID[id]
		if !ok {
			return nil, catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", id)
		}
		out[i] = sc
	}
	return out, nil
}

// ListSchemas implements catalog.Store.ListSchemas on r.
func ListSchemas(ctx context.Context, r SchemaReader, key string, includeSuperseded bool) ([]catalog.Schema, error) {
	known, x, err := r.SchemasOfKey(ctx, key, includeSuperseded)
	if err != nil {
		return nil, fmt.Errorf("list schemas of %s: %w", catalog.DescribeKey(key), err)
	}
	if !known {
		return nil, catalog.Errorf(catalog.ENOTFOUND, "no %s has been seen", catalog.DescribeKey(key))
	}
	out, _ := x.Finish()
	return out, nil
}

// SchemaSet collects, from a store's reads, the schemas a read selects and
// the rows their figures are worked out from (SchemaFacts.Apply), which
// Finish puts together.
//
// The schema rows come first; the rows after them are kept only for
// schemas that were read, since a store whose reads take snapshots of
// their own (PostgreSQL's batch) may see rows of a schema written between
// them. Once the schema rows are in, the other reads may run at once, each
// on a goroutine of its own (as DuckDB's do), but no read alongside itself:
// each keeps to its own part of the set.
type SchemaSet struct {
	schemas  []catalog.Schema
	facts    map[string]*SchemaFacts
	versions map[string]*catalog.Version
	seqs     map[string]int64
	// instances finds an instance in its schema's facts; its fields,
	// which may be read before it, wait in fields until Finish.
	instances map[instanceOf]int
	fields    []instanceField
}

// instanceOf names an instance's entry on a schema.
type instanceOf struct{ schema, producer string }

// instanceField is a resource or scope field of an instance on a schema.
type instanceField struct {
	of    instanceOf
	field catalog.PairField
}

// Loaded is what a schema's figures were worked out from, and its counted
// variants, most data points first.
type Loaded struct {
	Facts    *SchemaFacts
	Variants []catalog.Variant
}

// NewSchemaSet returns an empty set, ready for its schema rows.
func NewSchemaSet() *SchemaSet {
	return &SchemaSet{facts: map[string]*SchemaFacts{}, versions: map[string]*catalog.Version{}, seqs: map[string]int64{},
		instances: map[instanceOf]int{}}
}

// IDs are the ids of the schemas read, in the order they were read.
func (x *SchemaSet) IDs() []string {
	ids := make([]string, len(x.schemas))
	for i, sc := range x.schemas {
		ids[i] = sc.ID
	}
	return ids
}

// StreamIDs are the ids of the streams read of the set's schemas, each
// once, in the order read: what their cost rows are read by.
func (x *SchemaSet) StreamIDs() []string {
	var ids []string
	seen := map[string]bool{}
	for _, sc := range x.schemas {
		for _, st := range x.facts[sc.ID].Streams {
			if !seen[st.StreamID] {
				seen[st.StreamID] = true
				ids = append(ids, st.StreamID)
			}
		}
	}
	return ids
}

// A SetRead is one read of a schema set: the start of its query, to its
// WHERE, which the store ends with its condition that selects the set's
// schemas (on schema_id, or for the schema rows on any of their columns),
// and the method that takes its rows.
type SetRead struct {
	Query string
	Scan  func(Row) error
}

// SchemaRead is the read of the set's schema rows, which comes first. A
// schema's counts and whether it is superseded come from its streams
// (SchemaFacts.Apply), not from its own row.
func (x *SchemaSet) SchemaRead() SetRead {
	return SetRead{`SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description, first_seen, last_seen,
		span_kind, by_scope, name_examples FROM schemas WHERE `, x.scanSchema}
}

// RowReads are the reads of the rows of the set's schemas, after
// SchemaRead, but for their versions (see ScanCurrentVersion): data point fields,
// streams, variants as each stream sent them, and instances with their
// releases and their resource and scope fields.
func (x *SchemaSet) RowReads() []SetRead {
	return []SetRead{
		{`SELECT schema_id, name, value_type, source, event_name FROM schema_fields WHERE `, x.scanField},
		{`SELECT schema_id, stream_id, description, superseded_by, service_namespace, service_name, service_version,
			data_point_count, last_seen, error_count FROM schema_streams WHERE `, x.scanStream},
		{`SELECT schema_id, stream_id, variant_id, attributes, data_point_count, first_seen, last_seen
			FROM variants WHERE `, x.scanVariant},
		{`SELECT schema_id, producer_id, service_namespace, service_name, service_version, first_seen, last_seen
			FROM schema_producers WHERE `, x.scanInstance},
		{`SELECT schema_id, producer_id, source, name, value_type FROM producer_fields WHERE `, x.scanInstanceField},
	}
}

func (x *SchemaSet) scanSchema(r Row) error {
	var sc catalog.Schema
	var mt, temp, kind Enum
	var examples string
	if err := r.Scan(&sc.ID, &sc.Key, &mt, &sc.Unit, &temp, &sc.Monotonic, &sc.Description, &sc.FirstSeen, &sc.LastSeen,
		&kind, &sc.ByScope, &examples); err != nil {
		return err
	}
	sc.Type, sc.Temporality, sc.SpanKind = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp), schemaid.SpanKind(kind)
	sc.Signal, sc.Name = catalog.ParseStoredKey(sc.Key)
	var err error
	if sc.NameExamples, err = catalog.DecodeNames(examples); err != nil {
		return err
	}
	x.schemas = append(x.schemas, sc)
	x.facts[sc.ID] = &SchemaFacts{}
	return nil
}

// ScanCurrentVersion takes a version row of the set's schemas, selected as
// schema_id, seq, version, status, reason, actor, assigned_at from
// schema_versions: a schema's current version is its row with the highest
// seq, whichever rows of its history a store selects.
func (x *SchemaSet) ScanCurrentVersion(r Row) error {
	var v catalog.Version
	var seq int64
	var status Enum
	if err := r.Scan(&v.SchemaID, &seq, &v.Version, &status, &v.Reason, &v.Actor, &v.AssignedAt); err != nil {
		return err
	}
	if prev, ok := x.seqs[v.SchemaID]; x.facts[v.SchemaID] != nil && (!ok || seq > prev) {
		x.seqs[v.SchemaID] = seq
		v.Status = tallycatv1.VersionStatus(status)
		x.versions[v.SchemaID] = &v
	}
	return nil
}

func (x *SchemaSet) scanField(r Row) error {
	var id, event string
	var a schemaid.Attribute
	var vt, src Enum
	if err := r.Scan(&id, &a.Key, &vt, &src, &event); err != nil {
		return err
	}
	a.Type, a.Event = tallycatv1.ValueType(vt), schemaid.MakeEventName(event)
	var ok bool
	if a.Source, ok = catalog.ShapeSource(tallycatv1.FieldSource(src)); !ok {
		return fmt.Errorf("schema %s: field %q of source %d", id, a.Key, src)
	}
	if f := x.facts[id]; f != nil {
		f.Union = append(f.Union, a)
	}
	return nil
}

func (x *SchemaSet) scanStream(r Row) error {
	var id string
	var st SchemaStream
	if err := r.Scan(&id, &st.StreamID, &st.Description, &st.SupersededBy, &st.Release.ServiceNamespace, &st.Release.ServiceName,
		&st.Release.ServiceVersion, &st.DataPoints, &st.LastSeen, &st.Errors); err != nil {
		return err
	}
	if f := x.facts[id]; f != nil {
		f.Streams = append(f.Streams, st)
	}
	return nil
}

func (x *SchemaSet) scanVariant(r Row) error {
	var id, attrs string
	var v VariantRow
	if err := r.Scan(&id, &v.StreamID, &v.ID, &attrs, &v.DataPoints, &v.FirstSeen, &v.LastSeen); err != nil {
		return err
	}
	f := x.facts[id]
	if f == nil {
		return nil
	}
	var err error
	if v.Attributes, err = catalog.DecodeAttributes(attrs); err != nil {
		return err
	}
	f.Variants = append(f.Variants, v)
	return nil
}

func (x *SchemaSet) scanInstance(r Row) error {
	var id string
	var in InstanceRow
	if err := r.Scan(&id, &in.ProducerID, &in.Release.ServiceNamespace, &in.Release.ServiceName, &in.Release.ServiceVersion,
		&in.FirstSeen, &in.LastSeen); err != nil {
		return err
	}
	if f := x.facts[id]; f != nil {
		x.instances[instanceOf{id, in.ProducerID}] = len(f.Instances)
		f.Instances = append(f.Instances, in)
	}
	return nil
}

func (x *SchemaSet) scanInstanceField(r Row) error {
	var of instanceOf
	var pf catalog.PairField
	var src, vt Enum
	if err := r.Scan(&of.schema, &of.producer, &src, &pf.Name, &vt); err != nil {
		return err
	}
	pf.Source, pf.Type = tallycatv1.FieldSource(src), tallycatv1.ValueType(vt)
	x.fields = append(x.fields, instanceField{of, pf})
	return nil
}

// Finish works the schemas' figures out of their rows, once all reads are
// done, and returns them ordered by name, then first seen (then id), as
// ListSchemas lists them, with what each was worked out from.
func (x *SchemaSet) Finish() ([]catalog.Schema, map[string]Loaded) {
	for _, r := range x.fields {
		if i, ok := x.instances[r.of]; ok {
			in := &x.facts[r.of.schema].Instances[i]
			in.Fields = append(in.Fields, r.field)
		}
	}
	x.fields = nil
	slices.SortFunc(x.schemas, func(a, b catalog.Schema) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.ID, b.ID))
	})
	loaded := make(map[string]Loaded, len(x.schemas))
	for i := range x.schemas {
		sc := &x.schemas[i]
		f := x.facts[sc.ID]
		loaded[sc.ID] = Loaded{Facts: f, Variants: f.Apply(sc)}
		sc.CurrentVersion = x.versions[sc.ID]
		sc.Releases = SchemaReleases(f)
	}
	return x.schemas, loaded
}

// SchemaReleases are a schema's releases as its instance rows count them,
// with the schema each moved on to and its data points from its streams,
// current ones (no successor) first, then the most recently seen, then by
// name: GetSchema's releases and in its order, without their cost.
func SchemaReleases(f *SchemaFacts) []catalog.Release {
	at := map[catalog.ReleaseIdentity]int{}
	var out []catalog.Release
	for _, in := range f.Instances {
		i, ok := at[in.Release]
		if !ok {
			i = len(out)
			at[in.Release] = i
			out = append(out, catalog.Release{ReleaseIdentity: in.Release, FirstSeen: in.FirstSeen, LastSeen: in.LastSeen})
		}
		r := &out[i]
		r.Instances++
		if in.FirstSeen.Before(r.FirstSeen) {
			r.FirstSeen = in.FirstSeen
		}
		if in.LastSeen.After(r.LastSeen) {
			r.LastSeen = in.LastSeen
		}
	}
	figures := Releases(f.Streams)
	for i := range out {
		fig := figures[out[i].ReleaseIdentity]
		out[i].SupersededBy, out[i].DataPoints = fig.SupersededBy, fig.DataPoints
	}
	sortReleases(out)
	return out
}

// sortReleases orders a schema's releases as GetSchema lists them: current
// ones (no successor) first, then the most recently seen, then by name.
func sortReleases(rs []catalog.Release) {
	slices.SortFunc(rs, func(a, b catalog.Release) int {
		return cmp.Or(cmp.Compare(len(a.SupersededBy), len(b.SupersededBy)), b.LastSeen.Compare(a.LastSeen),
			cmp.Compare(a.ReleaseIdentity.String(), b.ReleaseIdentity.String()))
	})
}

// Enum is an enum column (TINYINT in DuckDB, SMALLINT in PostgreSQL) as
// the shared decoders scan it: both drivers hand a sql.Scanner the integer
// as they read it, where scanning into an int16 would make database/sql
// convert DuckDB's int8 through text, row after row.
type Enum int16

// Scan implements sql.Scanner.
func (e *Enum) Scan(src any) error {
	switch v := src.(type) {
	case int8:
		*e = Enum(v)
	case int16:
		*e = Enum(v)
	case int32:
		*e = Enum(v)
	case int64:
		*e = Enum(v)
	default:
		return fmt.Errorf("an enum column holds %T, not an integer", src)
	}
	return nil
}
