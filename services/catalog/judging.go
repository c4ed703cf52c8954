package catalog

// JudgingKey is a metric key with its current schemas, as judging needs
// them.
type JudgingKey struct {
	Key     string
	Schemas []Judged
}

// Judged is what judging a schema needs: the schema with its fields (and,
// for enum-like fields, their example values) and the releases producing it.
type Judged struct {
	Schema   Schema
	Releases []ReleaseIdentity
}

// FieldCosts fills the cost figures of current schemas' fields from what
// Store.ReadFieldCosts read. It is an interface because how the figures
// are merged as the rows are read is the stores' business; what a reader
// of the catalog needs is only to apply them, schema by schema.
type FieldCosts interface {
	// Apply fills the cost figures of a current schema's fields (distinct
	// values over the window, high cardinality over the last hour,
	// example values of data point fields) as GetSchema does over the
	// same window. A superseded schema counts its streams' rows only up
	// to when each left it, which merged figures cannot tell apart: for
	// one, Apply returns EFAILEDPRECONDITION.
	Apply(s *Schema) error
}
