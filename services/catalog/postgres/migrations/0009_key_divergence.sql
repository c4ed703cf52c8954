-- Whether a key's current schemas disagree (catalog.Diverges), kept by
-- the writer beside the key's summary: a list of keys read it from every
-- stream of its page's keys before, and the "diverging only" list read
-- every stream. The migration's Go step works it out for every key held
-- (fillDivergence).
ALTER TABLE schema_keys ADD COLUMN diverging BOOLEAN NOT NULL DEFAULT false;
