package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

var procedures = []string{
	"/tallycat.v1.CatalogService/ListSchemaKeys",
	"/tallycat.v1.CatalogService/ListSchemas",
	"/tallycat.v1.CatalogService/GetSchema",
	"/tallycat.v1.CatalogService/ListProducers",
	"/tallycat.v1.CatalogService/DiffSchemas",
	"/tallycat.v1.CatalogService/ListSchemaEvents",
	"/tallycat.v1.VersioningService/AssignVersion",
	"/tallycat.v1.VersioningService/SetVersionStatus",
	"/tallycat.v1.VersioningService/ListVersions",
	"/tallycat.v1.ObservationService/RecordObservations",
	"/tallycat.v1.CatalogService/ListServices",
	"/tallycat.v1.CatalogService/ListTopSeries",
	"/tallycat.v1.CatalogService/GetSeriesHistory",
	"/tallycat.v1.CatalogService/ListServiceReleases",
}

// FuzzRPC sends arbitrary bytes, as protobuf, to every catalog procedure:
// whatever arrives, the answer is a client error or success, never an
// internal error, a panic or a hang.
func FuzzRPC(f *testing.F) {
	seed := func(i int, m proto.Message) {
		b, _ := proto.Marshal(m)
		f.Add(uint8(i), b)
	}
	seed(0, &tallycatv1.ListSchemaKeysRequest{Query: "http", PageSize: 5, MetricTypes: []tallycatv1.MetricType{1, 2}})
	seed(1, &tallycatv1.ListSchemasRequest{SchemaKey: "m"})
	seed(2, &tallycatv1.GetSchemaRequest{SchemaId: "00000000000000000000000000000000"})
	seed(3, &tallycatv1.ListProducersRequest{Filter: &tallycatv1.ListProducersRequest_ServiceName{ServiceName: "svc"}})
	seed(6, &tallycatv1.AssignVersionRequest{SchemaId: "00000000000000000000000000000000", Version: "1.0.0"})
	seed(10, &tallycatv1.ListServicesRequest{PageSize: 2})
	seed(9, &tallycatv1.RecordObservationsRequest{BatchId: "6f1c1f7e-1d2a-4c55-9a51-3f3a9e0b2b10", Observations: []*tallycatv1.Observation{obs("m", "svc")}})
	seed(9, &tallycatv1.RecordObservationsRequest{BatchId: "6f1c1f7e-1d2a-4c55-9a51-3f3a9e0b2b11", Observations: []*tallycatv1.Observation{costly("m", time.Now(), 0, 100)}})
	seed(11, &tallycatv1.ListTopSeriesRequest{Window: tallycatv1.Window_WINDOW_LAST_DAY, Limit: 3})
	seed(12, &tallycatv1.GetSeriesHistoryRequest{SchemaKey: "m"})
	seed(13, &tallycatv1.ListServiceReleasesRequest{ServiceName: "svc", PageSize: 1})
	seed(0, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{2}, Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE})
	store := storetest.Open(f, catalog.CostConfig{})
	h := apitest.NewHandler(f, store, api.Options{})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		proc := procedures[int(which)%len(procedures)]
		req := httptest.NewRequest(http.MethodPost, proc, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s answered %d: %s", proc, w.Code, w.Body)
		}
	})
}
