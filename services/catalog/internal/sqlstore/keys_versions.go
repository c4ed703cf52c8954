package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// What a list of keys says of each beside the summaries the writer keeps:
// the versions of its schemas. They are not kept in schema_keys, which
// would need a write on every version change; the version history holds
// them, so a list reads them for its page alone. Whether a key diverges,
// and whether it is TallyCat's own, are kept there (see key_flags.go).

// KeyDetailReader reads, in the store's SQL, what a page of keys says
// beside its summaries.
type KeyDetailReader interface {
	// KeyVersions hands each schema of the listed keys that has a
	// version to each, selected as schema_key, schema_id, the version
	// and status of its history row with the highest seq, and whether
	// the schema is superseded (no current stream), in no order.
	KeyVersions(ctx context.Context, keys []string, each func(Row) error) error
}

// quote is a string literal both dialects read.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SelfSQL is a condition, in SQL both dialects read, true of a row whose
// namespace and name columns name one of TallyCat's own services
// (catalog.IsSelf). The names are the catalog's constants, written as
// literals rather than bound, so that the condition can stand in any
// query of either dialect whatever its placeholders.
func SelfSQL(namespace, name string) string {
	names := make([]string, len(catalog.SelfServices))
	for i, n := range catalog.SelfServices {
		names[i] = quote(n)
	}
	return "(" + namespace + " = " + quote(catalog.SelfNamespace) + " AND " + name + " IN (" + strings.Join(names, ", ") + "))"
}

// NotSelfKeys selects the keys a release other than TallyCat's own ever
// sent: every stream of a key, superseded or not, is a release that sent
// it, so a key is TallyCat's alone when each of its streams is. The
// migration that added schema_keys' self_only column fills it from it.
func NotSelfKeys() string {
	return `SELECT schema_key FROM schema_streams WHERE NOT ` + SelfSQL("service_namespace", "service_name")
}

// addDetails fills the summaries' versions.
func addDetails(ctx context.Context, r KeyReader, out []catalog.KeySummary) error {
	if len(out) == 0 {
		return nil
	}
	keys := make([]string, len(out))
	at := make(map[string]int, len(out))
	for i, k := range out {
		keys[i], at[k.Key] = k.Key, i
	}
	err := r.KeyVersions(ctx, keys, func(row Row) error {
		var key string
		var status Enum
		var v catalog.KeyVersion
		if err := row.Scan(&key, &v.SchemaID, &v.Version, &status, &v.Superseded); err != nil {
			return err
		}
		if i, ok := at[key]; ok {
			v.Status = tallycatv1.VersionStatus(status)
			out[i].Versions = append(out[i].Versions, v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range out {
		slices.SortFunc(out[i].Versions, func(a, b catalog.KeyVersion) int {
			return cmp.Or(CompareVersions(a.Version, b.Version), cmp.Compare(a.SchemaID, b.SchemaID))
		})
	}
	return nil
}

// CompareVersions orders SemVer versions by precedence as far as a list
// needs it: MAJOR.MINOR.PATCH as numbers, a pre-release before its
// release, and anything else (a pre-release's identifiers, a version
// that is not SemVer, which the API refuses but an older catalog may
// hold) byte by byte.
func CompareVersions(a, b string) int {
	ca, pa, _ := strings.Cut(strings.SplitN(a, "+", 2)[0], "-")
	cb, pb, _ := strings.Cut(strings.SplitN(b, "+", 2)[0], "-")
	na, nb := strings.Split(ca, "."), strings.Split(cb, ".")
	for i := 0; i < len(na) && i < len(nb); i++ {
		x, errx := strconv.ParseUint(na[i], 10, 64)
		y, erry := strconv.ParseUint(nb[i], 10, 64)
		if errx != nil || erry != nil {
			return strings.Compare(a, b)
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(na), len(nb)); c != 0 {
		return c
	}
	switch {
	case pa == pb:
		return strings.Compare(a, b)
	case pa == "":
		return 1
	case pb == "":
		return -1
	}
	return strings.Compare(pa, pb)
}
