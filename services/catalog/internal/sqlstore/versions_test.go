package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// fakeVersions is one schema "s1" of key "k" in memory, as a store's
// versioning SQL would show it, with what the flows wrote.
type fakeVersions struct {
	now        time.Time
	holder     string
	current    *catalog.Version
	fail       error
	appended   []tallycatv1.SchemaEventKind
	dismissals []catalog.Dismissal
}

func (f *fakeVersions) WriteVersions(ctx context.Context, fn func(sqlstore.VersionTx) error) error {
	return fn(f)
}
func (f *fakeVersions) Now() time.Time { return f.now }

func (f *fakeVersions) KeyOf(ctx context.Context, id string) (string, error) {
	if id != "s1" {
		return "", catalog.Errorf(catalog.ENOTFOUND, "schema %s not found", id)
	}
	return "k", f.fail
}
func (f *fakeVersions) Holder(ctx context.Context, key, version, id string) (string, error) {
	return f.holder, nil
}
func (f *fakeVersions) Current(ctx context.Context, id string) (*catalog.Version, error) {
	return f.current, nil
}
func (f *fakeVersions) Append(ctx context.Context, key string, v catalog.Version, kind tallycatv1.SchemaEventKind) error {
	f.current, f.appended = &v, append(f.appended, kind)
	return nil
}
func (f *fakeVersions) Dismiss(ctx context.Context, key string, d catalog.Dismissal) error {
	d.SchemaKey = key
	f.dismissals = append(f.dismissals, d)
	return nil
}

// TestVersioningFlows holds the rules every store applies to a version
// change: the defaults and stamp of what is written, what is refused, and
// that asking again writes nothing.
func TestVersioningFlows(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	f := &fakeVersions{now: now}

	v, err := sqlstore.AssignVersion(ctx, f, catalog.VersionChange{SchemaID: "s1", Version: "1.0.0", Actor: "ana"})
	if err != nil || v.Status != tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE || !v.AssignedAt.Equal(now.Truncate(time.Microsecond)) ||
		v.AssignedAt.Location() != time.UTC {
		t.Fatalf("assign: %+v, %v", v, err)
	}
	if again, err := sqlstore.AssignVersion(ctx, f, catalog.VersionChange{SchemaID: "s1", Version: "1.0.0"}); err != nil || again != v || len(f.appended) != 1 {
		t.Fatalf("asking again: %+v, %v, %d rows", again, err, len(f.appended))
	}
	deprecated := tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED
	if v, err := sqlstore.SetVersionStatus(ctx, f, catalog.VersionChange{SchemaID: "s1", Status: deprecated}); err != nil ||
		v.Version != "1.0.0" || v.Status != deprecated || f.appended[1] != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_STATUS_CHANGED {
		t.Fatalf("status: %+v, %v", v, err)
	}

	f.holder = "s2"
	if _, err := sqlstore.AssignVersion(ctx, f, catalog.VersionChange{SchemaID: "s1", Version: "2.0.0"}); catalog.ErrorCode(err) != catalog.ECONFLICT {
		t.Fatalf("a held version: %v", err)
	}
	f.current = nil
	if _, err := sqlstore.SetVersionStatus(ctx, f, catalog.VersionChange{SchemaID: "s1", Status: deprecated}); catalog.ErrorCode(err) != catalog.EFAILEDPRECONDITION {
		t.Fatalf("no version yet: %v", err)
	}
	if err := sqlstore.DismissProposal(ctx, f, catalog.Dismissal{SchemaID: "nope"}); catalog.ErrorCode(err) != catalog.ENOTFOUND ||
		strings.HasPrefix(err.Error(), "dismiss proposal") {
		t.Fatalf("an unknown schema: %v", err)
	}
	if err := sqlstore.DismissProposal(ctx, f, catalog.Dismissal{SchemaID: "s1", SchemaKey: "other", Version: "2.0.0"}); err != nil ||
		f.dismissals[0].SchemaKey != "k" || !f.dismissals[0].At.Equal(now.Truncate(time.Microsecond)) {
		t.Fatalf("dismiss: %v, %+v", err, f.dismissals)
	}
	f.fail = errors.New("disk on fire")
	if err := sqlstore.DismissProposal(ctx, f, catalog.Dismissal{SchemaID: "s1"}); err == nil || err.Error() != "dismiss proposal: disk on fire" {
		t.Fatalf("a database's error: %v", err)
	}
}
