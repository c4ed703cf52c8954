package usage

import (
	"regexp"
	"strconv"

	"github.com/tallycat/tallycat/internal/consumers/promnames"
)

// nameToken matches what may name a metric in a query's text: an
// identifier as PromQL writes metric names (with the dots a UTF-8 name
// keeps), or a quoted string (`{"http.server.request.duration"}`,
// `__name__="x"`).
var nameToken = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:.]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")

// possibleKeys lists the keys a query that does not parse may read: every
// key one of whose Prometheus names, under any scheme, is a name token of
// its text as written or as substituted. What such a query reads is
// unknown, so it is taken to read all of these, with every attribute:
// nothing it may read is ever called unused.
func possibleKeys(ix *promnames.Index, texts ...string) []string {
	var keys []string
	seen := map[string]bool{}
	for _, text := range texts {
		for _, tok := range nameToken.FindAllString(text, -1) {
			if seen[tok] {
				continue
			}
			seen[tok] = true
			name := tok
			switch tok[0] {
			case '"', '\'':
				if s, err := strconv.Unquote(`"` + tok[1:len(tok)-1] + `"`); err == nil {
					name = s
				} else {
					name = tok[1 : len(tok)-1]
				}
			case '`':
				name = tok[1 : len(tok)-1]
			}
			for _, k := range ix.Resolve(name).Keys {
				if !seen["\x00"+k] {
					seen["\x00"+k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	return keys
}

// mayRead records that reader, a query that does not parse, may read key
// and every attribute of it.
func (c *checker) mayRead(key string, reader Reader) {
	u := c.use(key)
	ru := u.seen[reader]
	if ru == nil {
		ru = &readerUse{attrs: map[string]bool{}}
		u.seen[reader] = ru
		u.readers = append(u.readers, reader)
	}
	u.all, ru.all = true, true
	for _, s := range c.metrics[key].Schemas {
		for _, f := range s.Fields {
			ru.attrs[f.Key] = true
		}
	}
}
