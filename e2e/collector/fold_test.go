//go:build collector

package collector

import (
	"bufio"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// What TestCollectorDropsWhatNobodyReads sends itself to see the unused
// attributes folded, and reads back from the debug exporter.

// checkoutRequests and checkoutQueue are a counter and a gauge the test
// sends itself, each with a data point attribute its rule reads (route)
// and one it does not (pod).
const (
	checkoutRequests = "e2e.checkout.requests"
	checkoutQueue    = "e2e.checkout.queue.depth"
)

// postCheckoutRequests posts, OTLP/JSON, checkoutRequests' points of one
// moment: 3 and 4 requests on /cart from pods a and b, 5 on /pay from a;
// and checkoutQueue's, with the same attributes and values;
// as release 1.0.0-NAME of e2e-checkout, so that the catalog shows a new
// schema when a Collector drops the pod.
func postCheckoutRequests(t *testing.T, httpAddr, name string) {
	t.Helper()
	now, start := time.Now().UnixNano(), time.Now().Add(-time.Minute).UnixNano()
	point := func(route, pod string, n int) string {
		return fmt.Sprintf(`{"attributes": [{"key": "route", "value": {"stringValue": %q}}, {"key": "pod", "value": {"stringValue": %q}}],
			"startTimeUnixNano": "%d", "timeUnixNano": "%d", "asInt": "%d"}`, route, pod, start, now, n)
	}
	body := fmt.Sprintf(`{"resourceMetrics": [{"resource": {"attributes": [
		{"key": "service.name", "value": {"stringValue": "e2e-checkout"}},
		{"key": "service.version", "value": {"stringValue": "1.0.0-%s"}}]},
	  "scopeMetrics": [{"scope": {"name": "e2e"}, "metrics": [{"name": %[2]q, "unit": "{request}",
		"sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [%[4]s]}},
		{"name": %[3]q, "unit": "{request}", "gauge": {"dataPoints": [%[4]s]}}]}]}]}`,
		name, checkoutRequests, checkoutQueue, point("/cart", "a", 3)+", "+point("/cart", "b", 4)+", "+point("/pay", "a", 5))
	resp, err := http.Post("http://"+httpAddr+"/v1/metrics", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("posting %s: %s", checkoutRequests, resp.Status)
	}
}

// debugSumPoints reads, from the debug exporter's detailed output, the
// integer points of the metric named name: by their attributes as
// "k=v,k=v" in the order printed, their values. A second point with the
// same attributes is kept as another entry, its key suffixed with "#2" and
// so on, so that duplicates show.
func debugSumPoints(log, name string) map[string]int64 {
	out := map[string]int64{}
	attr := regexp.MustCompile(`^\s+-> (.+?): [A-Za-z]+\((.*)\)$`)
	value := regexp.MustCompile(`^Value: (-?\d+)$`)
	var in, inAttributes bool
	var attrs []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, "-> Name: "):
			in = strings.TrimSpace(strings.SplitN(line, "-> Name: ", 2)[1]) == name
		case !in:
		case strings.HasPrefix(line, "NumberDataPoints #"):
			inAttributes, attrs = false, nil
		case strings.TrimSpace(line) == "Data point attributes:":
			inAttributes, attrs = true, nil
		case inAttributes && attr.MatchString(line):
			m := attr.FindStringSubmatch(line)
			attrs = append(attrs, m[1]+"="+m[2])
		case value.MatchString(strings.TrimSpace(line)):
			inAttributes = false
			var v int64
			fmt.Sscan(value.FindStringSubmatch(strings.TrimSpace(line))[1], &v)
			key := strings.Join(attrs, ",")
			for i := 2; ; i++ {
				if _, dup := out[key]; !dup {
					break
				}
				key = fmt.Sprintf("%s#%d", strings.Join(attrs, ","), i)
			}
			out[key] = v
		default:
			inAttributes = false
		}
	}
	return out
}

// keptAttributes reads, from the generated processors' header, the
// unused attributes kept and on which metric: "unused: keeps A, B on
// KEY, that ...".
func keptAttributes(processors string) map[string][]string {
	out := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?m)^#   unused: keeps (.+?) on (\S+), that `).FindAllStringSubmatch(processors, -1) {
		out[m[2]] = append(out[m[2]], strings.Split(m[1], ", ")...)
	}
	return out
}
