package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// judging is what a full judging found, as the replica that leads saves
// it (catalog.Store.SaveJudging) and the others serve it: the findings,
// sorted as sortFindings sorts them, and what the summary needs of each
// metric key. Groups are not kept: they are worked out from the findings.
type judging struct {
	at time.Time
	// config is the fingerprint of the judge's configuration it was
	// judged under (see Judge.fingerprint).
	config string
	all    []Finding
	keys   map[string]keyFacts
	total  int
}

// The encoding of a judging: a gzip stream of a version, then strings
// and columns. The benchmark catalog's judging (100k schemas, 400,000
// findings) repeats a few thousand distinct strings over and over: each
// string is written once, in a table, and the findings refer to it by its
// index; the release lists of the findings are kept the same way. Each
// field of the findings is a column of its own, so that gzip sees like
// beside like. JSON of the same findings was some hundred megabytes to
// write and parse; this is a few megabytes, written and read in well under
// a second (docs/BENCHMARKS.md has the figures).
const judgingEncoding = 1

// The columns, in the order they are written.
const (
	colID = iota
	colLevel
	colMessage
	colSchemaID
	colSchemaKey
	colAttribute
	colExpected
	colActual
	colReplacement
	colProducers
	colFirstSeen
	colExamples
	colKeys
	columns
)

// encodeJudging writes j as judgingEncoding says.
func encodeJudging(j judging) ([]byte, error) {
	e := judgingEncoder{strings: map[string]uint64{"": 0}, lists: map[string]uint64{}, table: []string{""},
		shared: map[listKey]uint64{}}
	var cols [columns][]byte
	for i := range j.all {
		f := &j.all[i]
		cols[colID] = e.strIn(colID, cols[colID], f.ID)
		cols[colLevel] = binary.AppendUvarint(cols[colLevel], uint64(f.Level))
		cols[colMessage] = e.strIn(colMessage, cols[colMessage], f.Message)
		cols[colSchemaID] = e.strIn(colSchemaID, cols[colSchemaID], f.SchemaID)
		cols[colSchemaKey] = e.strIn(colSchemaKey, cols[colSchemaKey], f.SchemaKey)
		cols[colAttribute] = e.strIn(colAttribute, cols[colAttribute], f.Attribute)
		cols[colExpected] = e.strIn(colExpected, cols[colExpected], f.Expected)
		cols[colActual] = e.strIn(colActual, cols[colActual], f.Actual)
		cols[colReplacement] = e.strIn(colReplacement, cols[colReplacement], f.Replacement)
		cols[colProducers] = binary.AppendUvarint(cols[colProducers], e.list(f.Producers))
		cols[colFirstSeen] = appendTime(cols[colFirstSeen], f.FirstSeen)
		cols[colExamples] = binary.AppendUvarint(cols[colExamples], uint64(len(f.Examples)))
		for _, x := range f.Examples {
			cols[colExamples] = e.str(cols[colExamples], x)
		}
	}
	keys := make([]string, 0, len(j.keys))
	for k := range j.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kf, c := j.keys[k], cols[colKeys]
		var flags uint64
		if kf.self {
			flags |= 1
		}
		if kf.defined {
			flags |= 2
		}
		c = e.str(c, k)
		c = binary.AppendUvarint(c, flags)
		c = binary.AppendUvarint(c, uint64(kf.schemas))
		c = binary.AppendUvarint(c, uint64(kf.attributes))
		c = binary.AppendUvarint(c, uint64(kf.definedAt))
		cols[colKeys] = binary.AppendUvarint(c, kf.dataPoints)
	}

	var buf bytes.Buffer
	z, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	head := binary.AppendUvarint(nil, judgingEncoding)
	head = appendTime(head, j.at)
	head = append(binary.AppendUvarint(head, uint64(len(j.config))), j.config...)
	for _, n := range []int{j.total, len(j.all), len(keys), len(e.table), len(e.listLens), len(e.releases) / 3} {
		head = binary.AppendUvarint(head, uint64(n))
	}
	// The string table: every length, then every string's bytes, so that
	// a reader makes one string of them all and slices it.
	for _, s := range e.table {
		head = binary.AppendUvarint(head, uint64(len(s)))
	}
	// The release lists: each one's length, then its releases as three
	// string indexes each, one after the other.
	for _, n := range e.listLens {
		head = binary.AppendUvarint(head, n)
	}
	for _, r := range e.releases {
		head = binary.AppendUvarint(head, r)
	}
	for _, c := range cols {
		head = binary.AppendUvarint(head, uint64(len(c)))
	}
	size := 0
	for _, s := range e.table {
		size += len(s)
	}
	table := make([]byte, 0, size)
	for _, s := range e.table {
		table = append(table, s...)
	}
	for _, b := range [][]byte{head, table} {
		if _, err := z.Write(b); err != nil {
			return nil, err
		}
	}
	for _, c := range cols {
		if _, err := z.Write(c); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// judgingEncoder numbers the strings and release lists of a judging.
type judgingEncoder struct {
	strings map[string]uint64
	table   []string
	// last is each column's last string and its index: findings come
	// sorted, so a column often repeats the one before, which then costs
	// a comparison rather than a lookup.
	last [columns]struct {
		s string
		n uint64
	}
	lists    map[string]uint64 // by the varints of the list's string indexes
	shared   map[listKey]uint64
	listLens []uint64
	releases []uint64 // every list's releases, three string indexes each
	scratch  []byte
}

// listKey is a release list by its memory: the findings of one schema
// share its list of releases, which is numbered once.
type listKey struct {
	first *catalog.ReleaseIdentity
	n     int
}

// strIn is str for a column, remembering its last string.
func (e *judgingEncoder) strIn(col int, b []byte, s string) []byte {
	if l := &e.last[col]; l.s == s {
		return binary.AppendUvarint(b, l.n)
	}
	n := e.index(s)
	e.last[col].s, e.last[col].n = s, n
	return binary.AppendUvarint(b, n)
}

// str appends the index of s, numbering it if it is new.
func (e *judgingEncoder) str(b []byte, s string) []byte {
	return binary.AppendUvarint(b, e.index(s))
}

// index is the number of s, given it now if it is new.
func (e *judgingEncoder) index(s string) uint64 {
	n, ok := e.strings[s]
	if !ok {
		n = uint64(len(e.table))
		e.strings[s], e.table = n, append(e.table, s)
	}
	return n
}

// list returns the index of a release list, numbering it if it is new.
func (e *judgingEncoder) list(rs []catalog.ReleaseIdentity) uint64 {
	if len(rs) == 0 {
		return e.contentList(rs)
	}
	k := listKey{&rs[0], len(rs)}
	if n, ok := e.shared[k]; ok {
		return n
	}
	n := e.contentList(rs)
	e.shared[k] = n
	return n
}

// contentList numbers a release list by its releases.
func (e *judgingEncoder) contentList(rs []catalog.ReleaseIdentity) uint64 {
	b := e.scratch[:0]
	for _, r := range rs {
		b = e.str(b, r.ServiceNamespace)
		b = e.str(b, r.ServiceName)
		b = e.str(b, r.ServiceVersion)
	}
	e.scratch = b
	if n, ok := e.lists[string(b)]; ok {
		return n
	}
	n := uint64(len(e.listLens))
	e.lists[string(b)], e.listLens = n, append(e.listLens, uint64(len(rs)))
	for rest := b; len(rest) > 0; {
		v, k := binary.Uvarint(rest)
		e.releases, rest = append(e.releases, v), rest[k:]
	}
	return n
}

// appendTime appends a time to the microsecond, as the stores keep
// times: 0 for the zero time, else 1 and its microseconds since 1970.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendUvarint(b, 0)
	}
	return binary.AppendVarint(binary.AppendUvarint(b, 1), t.UnixMicro())
}

// errBadJudging is what decodeJudging returns, wrapped with what it could
// not read, for data that is not a judging it can read.
var errBadJudging = errors.New("not a stored judging of this encoding")

// decodeJudging reads a judging encodeJudging wrote. Its times are in
// UTC. It returns errBadJudging for data of another encoding (a newer
// catalog's, which this one cannot serve) or broken data.
func decodeJudging(data []byte) (judging, error) {
	z, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return judging{}, fmt.Errorf("%w: %v", errBadJudging, err)
	}
	raw, err := io.ReadAll(z)
	if err != nil {
		return judging{}, fmt.Errorf("%w: %v", errBadJudging, err)
	}
	d := judgingDecoder{rest: raw}
	if v := d.uint(); v != judgingEncoding {
		return judging{}, fmt.Errorf("%w: encoding %d, this catalog reads %d", errBadJudging, v, judgingEncoding)
	}
	j := judging{at: d.time()}
	j.config = string(d.take(d.count()))
	j.total = d.count()
	nFindings, nKeys, nStrings, nLists, nReleases := d.count(), d.count(), d.count(), d.count(), d.count()
	// Each takes a byte at least: a larger count is broken data, which
	// must not make this allocate gigabytes.
	if n := max(nFindings, nKeys, nStrings, nLists, nReleases); n > len(raw) {
		return judging{}, fmt.Errorf("%w: a count of %d in %d bytes", errBadJudging, n, len(raw))
	}
	lens := make([]int, nStrings)
	size := 0
	for i := range lens {
		lens[i] = d.count()
		size += lens[i]
	}
	listLens, listed := make([]int, nLists), 0
	for i := range listLens {
		listLens[i] = d.count()
		listed += listLens[i]
	}
	if listed != nReleases {
		d.fail(fmt.Sprintf("release lists of %d releases in all, of %d", listed, nReleases))
	}
	releaseIdx := make([]int, 3*nReleases)
	for i := range releaseIdx {
		releaseIdx[i] = d.count()
	}
	var colLens [columns]int
	for i := range colLens {
		colLens[i] = d.count()
	}
	// Every string is a slice of one: one allocation for them all.
	d.strings = make([]string, nStrings)
	all := string(d.take(size))
	if d.err != nil {
		return judging{}, d.err
	}
	for i, n := range lens {
		d.strings[i], all = all[:n], all[n:]
	}
	// The release lists share one array; findings of the same releases
	// share their list, as they do in the judging that saved them.
	releases := make([]catalog.ReleaseIdentity, nReleases)
	for i := range releases {
		releases[i] = catalog.ReleaseIdentity{ServiceNamespace: d.at(releaseIdx[3*i]), ServiceName: d.at(releaseIdx[3*i+1]), ServiceVersion: d.at(releaseIdx[3*i+2])}
	}
	lists := make([][]catalog.ReleaseIdentity, len(listLens))
	for i, n := range listLens {
		if n > 0 {
			lists[i], releases = releases[:n:n], releases[n:]
		}
	}
	var cols [columns]judgingDecoder
	for i, n := range colLens {
		cols[i] = judgingDecoder{rest: d.take(n), strings: d.strings}
	}
	if d.err != nil {
		return judging{}, d.err
	}
	if len(d.rest) > 0 {
		return judging{}, fmt.Errorf("%w: %d bytes past the last column", errBadJudging, len(d.rest))
	}
	j.all = make([]Finding, nFindings)
	for i := range j.all {
		f := &j.all[i]
		f.ID = cols[colID].str()
		f.Level = tallycatv1.FindingLevel(cols[colLevel].uint())
		f.Message = cols[colMessage].str()
		f.SchemaID = cols[colSchemaID].str()
		f.SchemaKey = cols[colSchemaKey].str()
		f.Attribute = cols[colAttribute].str()
		f.Expected = cols[colExpected].str()
		f.Actual = cols[colActual].str()
		f.Replacement = cols[colReplacement].str()
		if l := cols[colProducers].count(); l < len(lists) {
			f.Producers = lists[l]
		} else {
			cols[colProducers].fail("a release list out of range")
		}
		f.FirstSeen = cols[colFirstSeen].time()
		if n := cols[colExamples].count(); n > 0 {
			f.Examples = make([]string, n)
			for k := range f.Examples {
				f.Examples[k] = cols[colExamples].str()
			}
		}
	}
	j.keys = make(map[string]keyFacts, nKeys)
	for c := &cols[colKeys]; len(j.keys) < nKeys && c.err == nil; {
		k := c.str()
		flags := c.uint()
		j.keys[k] = keyFacts{self: flags&1 != 0, defined: flags&2 != 0, schemas: c.count(), attributes: c.count(), definedAt: c.count(), dataPoints: c.uint()}
	}
	for _, c := range cols {
		if c.err != nil {
			return judging{}, c.err
		}
		if len(c.rest) > 0 {
			return judging{}, fmt.Errorf("%w: %d bytes left over in a column", errBadJudging, len(c.rest))
		}
	}
	return j, nil
}

// judgingDecoder reads varints and string indexes, remembering the first
// thing it could not read.
type judgingDecoder struct {
	rest    []byte
	strings []string
	err     error
}

func (d *judgingDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errBadJudging, what)
	}
	d.rest = nil
}

func (d *judgingDecoder) uint() uint64 {
	v, n := binary.Uvarint(d.rest)
	if n <= 0 {
		d.fail("a number cut short")
		return 0
	}
	d.rest = d.rest[n:]
	return v
}

// count reads a number that counts or indexes something in memory.
func (d *judgingDecoder) count() int {
	v := d.uint()
	if v > math.MaxInt32 {
		d.fail(fmt.Sprintf("a count of %d", v))
		return 0
	}
	return int(v)
}

func (d *judgingDecoder) at(i int) string {
	if i >= len(d.strings) {
		d.fail(fmt.Sprintf("string %d of %d", i, len(d.strings)))
		return ""
	}
	return d.strings[i]
}

func (d *judgingDecoder) str() string { return d.at(d.count()) }

func (d *judgingDecoder) take(n int) []byte {
	if n > len(d.rest) {
		d.fail(fmt.Sprintf("%d bytes where %d are left", n, len(d.rest)))
		return nil
	}
	b := d.rest[:n]
	d.rest = d.rest[n:]
	return b
}

func (d *judgingDecoder) time() time.Time {
	if d.uint() == 0 {
		return time.Time{}
	}
	v, n := binary.Varint(d.rest)
	if n <= 0 {
		d.fail("a time cut short")
		return time.Time{}
	}
	d.rest = d.rest[n:]
	return time.UnixMicro(v).UTC()
}
