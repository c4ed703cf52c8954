-- What a list of keys says of each that its summary did not hold, kept by
-- the writer beside it, so that a list reads a column rather than every
-- stream of its keys (the largest part of a list's time at 100k schemas):
-- whether the key's current schemas disagree (catalog.Diverges), and
-- whether TallyCat's own services alone sent it (catalog.IsSelf of every
-- stream: the keys the lists leave out of a team's). The migration's Go
-- step works both out for every key held (fillKeyFlags).
ALTER TABLE schema_keys ADD COLUMN IF NOT EXISTS diverging BOOLEAN DEFAULT false;
ALTER TABLE schema_keys ADD COLUMN IF NOT EXISTS self_only BOOLEAN DEFAULT false;
