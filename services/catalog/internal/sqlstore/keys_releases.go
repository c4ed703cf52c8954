package sqlstore

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// What each release of a service sends, signal by signal: the Producers
// page's answer to "what did this deploy add or stop sending?". A release
// sent a key when any of its instances produced a schema of it (the
// schema_producers rows), so a release that moved to a larger schema of a
// key still counts the key once; the service's own counts are the keys
// any of its instances produced, which is what ListSchemaKeys filtered to
// the service lists.

// ReleaseKeyReader reads, in the store's SQL, a service's releases and the
// keys they sent.
type ReleaseKeyReader interface {
	// ServiceReleases reads a page of the releases of the service named
	// service, ordered by their first first seen, latest first (the order
	// they were deployed in, newest first), then by namespace and version
	// byte by byte, selected as service_namespace,
	// service_version, the count of its instances, their first first
	// seen and last last seen, and the count of the distinct keys its
	// instances produced whose schema_keys.signal is metric, span and
	// log, in that order.
	ServiceReleases(ctx context.Context, service string, offset, limit int, each func(Row) error) error
	// ServiceKeys reads how many distinct keys the service's instances
	// produced, one row per signal that has any, selected as
	// schema_keys.signal and the count.
	ServiceKeys(ctx context.Context, service string, each func(Row) error) error
}

// ListServiceReleases implements catalog.Store.ListServiceReleases on r.
func ListServiceReleases(ctx context.Context, r ReleaseKeyReader, service string, offset, limit int) (catalog.ServiceReleases, error) {
	var out catalog.ServiceReleases
	err := r.ServiceReleases(ctx, service, offset, LimitOf(limit), func(row Row) error {
		rel := catalog.ServiceRelease{ReleaseIdentity: catalog.ReleaseIdentity{ServiceName: service}}
		err := row.Scan(&rel.ServiceNamespace, &rel.ServiceVersion, &rel.Instances, &rel.FirstSeen, &rel.LastSeen,
			&rel.Keys.Metrics, &rel.Keys.Spans, &rel.Keys.Logs)
		out.Releases = append(out.Releases, rel)
		return err
	})
	if err == nil {
		err = r.ServiceKeys(ctx, service, func(row Row) error {
			var signal Enum
			var n int
			if err := row.Scan(&signal, &n); err != nil {
				return err
			}
			switch tallycatv1.Signal(signal) {
			case tallycatv1.Signal_SIGNAL_METRIC:
				out.Keys.Metrics = n
			case tallycatv1.Signal_SIGNAL_SPAN:
				out.Keys.Spans = n
			case tallycatv1.Signal_SIGNAL_LOG:
				out.Keys.Logs = n
			default:
				return fmt.Errorf("keys of unknown signal %d", signal)
			}
			return nil
		})
	}
	if err != nil {
		return catalog.ServiceReleases{}, fmt.Errorf("list service releases: %w", err)
	}
	return out, nil
}

// ListServiceReleases implements catalog.Store.ListServiceReleases; the
// flows of the other reads are in flows.go.
func (f Flows) ListServiceReleases(ctx context.Context, service string, offset, limit int) (catalog.ServiceReleases, error) {
	return ListServiceReleases(ctx, f.d, service, offset, limit)
}
