package infer_test

import (
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest/infer"
)

// TestBodyIsCheckedWhereItIsNotRead: the log scanner checks a body in the
// pass that collects its keys, so every part of it that pass does not read
// for keys must still be checked as proto.Unmarshal checks it: a map that
// a later member replaces, a map nested deeper than the body keys are
// followed, the keys past the limit of keys, a map without values, the
// occurrences of a key-value's fields that later ones replace. Each case
// holds one bad string there (and the same body with a good one must be
// accepted, as a list's unknown field is either way), under the default
// limits and small ones, as the reference decides.
func TestBodyIsCheckedWhereItIsNotRead(t *testing.T) {
	str := func(v string) []byte { return wireField(nil, 1, []byte(v)) }                            // AnyValue string_value
	kvp := func(k string, v []byte) []byte { return wireField(wireField(nil, 1, []byte(k)), 2, v) } // KeyValue
	list := func(kvs ...[]byte) []byte {                                                            // AnyValue kvlist_value
		var l []byte
		for _, kv := range kvs {
			l = wireField(l, 1, kv)
		}
		return wireField(nil, 6, l)
	}
	nest := func(depth int, inner []byte) []byte {
		for range depth {
			inner = list(kvp("n", inner))
		}
		return inner
	}
	cases := map[string]func(bad string) [][]byte{ // the body's occurrences
		"a map replaced by a later member": func(bad string) [][]byte { return [][]byte{list(kvp("a", str(bad))), str("text")} },
		"a map replaced in a later occurrence": func(bad string) [][]byte {
			return [][]byte{list(kvp(bad, str("x"))), append(str("x"), list(kvp("b", str("y")))...), str("z")}
		},
		"a value's map replaced": func(bad string) [][]byte {
			return [][]byte{list(kvp("a", append(list(kvp("b", str(bad))), str("s")...)))}
		},
		"a map deeper than keys are read": func(bad string) [][]byte { return [][]byte{nest(6, str(bad))} },
		"a key deeper than keys are read": func(bad string) [][]byte { return [][]byte{nest(5, list(kvp(bad, str("x"))))} },
		"keys past the limit": func(bad string) [][]byte {
			return [][]byte{list(kvp("a", str("1")), kvp("b", str("2")), kvp("c", str(bad)))}
		},
		"a key past the limit": func(bad string) [][]byte {
			return [][]byte{list(kvp("a", str("1")), kvp("b", str("2")), kvp(bad, str("3")))}
		},
		"nested keys past the limit": func(bad string) [][]byte {
			return [][]byte{list(kvp("a", list(kvp("b", str("1")), kvp("c", list(kvp("d", str(bad)))))))}
		},
		"a list's unknown field": func(bad string) [][]byte {
			return [][]byte{wireField(nil, 6, wireField(wireField(nil, 1, kvp("a", str("x"))), 2, []byte(bad)))}
		},
		"a key-value's map value replaced": func(bad string) [][]byte {
			return [][]byte{list(wireField(kvp("a", list(kvp("b", str(bad)))), 2, str("x")))}
		},
		"a key-value's key set twice":      func(bad string) [][]byte { return [][]byte{list(wireField(kvp(bad, str("x")), 1, []byte("k")))} },
		"a map without values, then a map": func(bad string) [][]byte { return [][]byte{list(kvp("a", list())), list(kvp("b", str(bad)))} },
		"an array in a map": func(bad string) [][]byte {
			return [][]byte{list(kvp("a", wireField(nil, 5, wireField(nil, 1, str(bad)))))}
		},
	}
	for name, body := range cases {
		for _, bad := range []string{"\xff", "ok"} {
			var record []byte
			for _, occ := range body(bad) {
				record = wireField(record, 5, occ)
			}
			b := inScope(record)
			logsScan.agree(t, b)
			for _, limits := range []infer.Limits{{MaxBodyKeys: 2, MaxBodyDepth: 2}, {MaxDepth: 9}, {MaxBodyKeys: 1, MaxDepth: 12}} {
				_, serr := infer.NewWithLimits(limits).ScanLogs(b)
				uerr := proto.UnmarshalOptions{RecursionLimit: limits.Depth()}.Unmarshal(b, &collogspb.ExportLogsServiceRequest{})
				if (uerr == nil) != (serr == nil) {
					t.Errorf("%s (%q) under %+v: Unmarshal %v, ScanLogs %v", name, bad, limits, uerr, serr)
				}
			}
		}
	}
}
