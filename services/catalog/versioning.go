package catalog

import (
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// The rules of versioning, which every store applies inside the
// transaction that records a change (see Store.AssignVersion and
// Store.SetVersionStatus): one version per key, a status only on a
// versioned schema, and asking again for what is so changes nothing.

// CheckAssign applies the rules of assigning version c to a schema of key
// whose current version is cur (nil when it has none), when holder is the
// other schema of the key that holds or held that version (empty when
// none). It returns ECONFLICT when the version is taken, and unchanged
// when the schema already has exactly that version, status and reason:
// asking again changes nothing.
func CheckAssign(key string, c VersionChange, holder string, cur *Version) (unchanged bool, err error) {
	if holder != "" {
		return false, Errorf(ECONFLICT, "version %s of %s is already held by schema %s", c.Version, DescribeKey(key), holder)
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

// ForAssign returns c as Store.AssignVersion records it: active unless a status
// is given.
func (c VersionChange) ForAssign() VersionChange {
	if c.Status == tallycatv1.VersionStatus_VERSION_STATUS_UNSPECIFIED {
		c.Status = tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE
	}
	return c
}

// Stamp returns at, or now when at is zero, in UTC to the microsecond: the
// time a change (a version, a dismissal) is recorded with, as both stores
// keep it, so that what is read back equals what was written.
func Stamp(at, now time.Time) time.Time {
	if at.IsZero() {
		at = now
	}
	return at.UTC().Truncate(time.Microsecond)
}
