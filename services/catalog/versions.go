package catalog

// The rules of versioning, which every store applies inside the transaction
// that writes the change.

// CheckAssign applies the rules of assigning version c to a schema of key
// whose current version is cur (nil when it has none), when holder is the
// other schema of the key that holds or held that version (empty when
// none). It returns ECONFLICT when the version is taken, and unchanged
// when the schema already has exactly that version, status and reason:
// asking again changes nothing.
func CheckAssign(key string, c VersionChange, holder string, cur *Version) (unchanged bool, err error) {
	if holder != "" {
		return false, Errorf(ECONFLICT, "version %s of metric %q is already held by schema %s", c.Version, key, holder)
	}
	return cur != nil && cur.Version == c.Version && cur.Status == c.Status && cur.Reason == c.Reason, nil
}

// CheckStatus applies the rules of changing the status of a schema's
// current version cur: EFAILEDPRECONDITION without a version, unchanged
// when status and reason are already so.
func CheckStatus(c VersionChange, cur *Version) (unchanged bool, err error) {
	if cur == nil {
		return false, Errorf(EFAILEDPRECONDITION, "schema %s has no version yet: assign one first", c.SchemaID)
	}
	return cur.Status == c.Status && cur.Reason == c.Reason, nil
}
