// Package proposals proposes the next version of a schema that changed
// against its versioned base, classifying the change as SemVer does, and
// accepts or dismisses proposals; the API's VersioningService and the
// catalog's --auto-version call it. It reads and writes the catalog only
// through catalog.Store, whose stores apply the version rules themselves.
package proposals
