package storecopy

import (
	"fmt"
	"time"
)

// Value converts a value a database driver returned for a column to the
// column's Kind: any width of integer to int64 (or uint64, keeping the
// bits of a signed column that holds one), a time to UTC, a list of any
// to a typed list. Both stores read with it, so that what crosses is the
// same whichever engine it comes from.
func Value(kind Kind, v any) (any, error) {
	switch kind {
	case Int, NullInt:
		if v == nil && kind == NullInt {
			return nil, nil
		}
		return toInt64(v)
	case Uint:
		if u, ok := v.(uint64); ok {
			return u, nil
		}
		n, err := toInt64(v)
		return uint64(n), err
	case Time:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("%T is not a time", v)
		}
		return t.UTC(), nil
	case Ints:
		list, _ := v.([]any)
		out := make([]int64, 0, len(list))
		for _, e := range list {
			n, err := toInt64(e)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	case Texts:
		list, _ := v.([]any)
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%T in a text list", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return v, nil
}

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	}
	return 0, fmt.Errorf("%T is not an integer", v)
}
