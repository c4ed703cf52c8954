-- What a list of keys says of each that its summary did not hold, kept by
-- the writer beside it, so that a list reads a column rather than every
-- stream of its keys: whether the key's current schemas disagree
-- (catalog.Diverges), and whether TallyCat's own services alone sent it
-- (catalog.IsSelf of every stream: the keys the lists leave out of a
-- team's). The migration's Go step works both out for every key held
-- (fillKeyFlags).
ALTER TABLE schema_keys ADD COLUMN diverging BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE schema_keys ADD COLUMN self_only BOOLEAN NOT NULL DEFAULT false;
