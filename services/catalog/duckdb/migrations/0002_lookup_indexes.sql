-- Point lookups by schema id. DuckDB uses an index for an equality or a
-- constant IN list on its leading column only when the index is on that
-- column, so the composite primary keys do not serve them.
CREATE INDEX schema_fields_by_schema ON schema_fields (schema_id);
CREATE INDEX producer_fields_by_schema ON producer_fields (schema_id);
CREATE INDEX schema_scopes_by_schema ON schema_scopes (schema_id);
CREATE INDEX schema_producers_by_schema ON schema_producers (schema_id);
