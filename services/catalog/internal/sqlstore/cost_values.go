package sqlstore

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tallycat/tallycat/services/catalog"
)

// decodePlainValues reads what EncodeValues writes when it is plain: values
// without escapes, valid UTF-8, and data points as digits, which is what
// nearly every stored row holds. A full judging reads every active
// stream's rows of the last day, and encoding/json spent more on them than
// the database did. ok is false for anything else, which DecodeValues
// leaves to encoding/json; what this accepts, encoding/json reads the same.
func decodePlainValues(s string) (out []catalog.ValueCount, ok bool) {
	if !strings.HasPrefix(s, "[") {
		return nil, false
	}
	s = s[1:]
	for {
		// ["value",123]
		if !strings.HasPrefix(s, `["`) {
			return nil, false
		}
		s = s[2:]
		end := strings.IndexByte(s, '"')
		if end < 0 {
			return nil, false
		}
		value := s[:end]
		for i := 0; i < len(value); i++ {
			if c := value[i]; c == '\\' || c < 0x20 {
				return nil, false
			}
		}
		if !utf8.ValidString(value) {
			return nil, false
		}
		s = s[end+1:]
		if !strings.HasPrefix(s, ",") {
			return nil, false
		}
		s = s[1:]
		digits := 0
		for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
			digits++
		}
		if digits == 0 || (digits > 1 && s[0] == '0') {
			return nil, false
		}
		n, err := strconv.ParseUint(s[:digits], 10, 64)
		if err != nil {
			return nil, false
		}
		out = append(out, catalog.ValueCount{Value: value, DataPoints: n})
		s = s[digits:]
		switch {
		case strings.HasPrefix(s, "],"):
			s = s[2:]
		case s == "]]":
			return out, true
		default:
			return nil, false
		}
	}
}
