package cardinality

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/cespare/xxhash/v2"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// Values are counted by 64-bit hashes. Every ingest replica must hash a
// value the same way, or the catalog, merging what replicas saw, would
// count one value once per replica: the hash is therefore xxHash64 (fixed,
// unseeded) of a canonical form of the value, never a per-process seeded
// hash. The canonical form is the same whether a value was read from
// protobuf bytes or from a decoded (OTLP/JSON) message:
//
//   - a string, bytes, array or map: its bytes (a string's UTF-8; an array
//     or map, its protobuf encoding as received, which a decoded message
//     gets from deterministic marshaling);
//   - an int: its int64, a double: its IEEE 754 bits, a bool: 0 or 1, each
//     as 8 little-endian bytes' worth of integer, mixed without a buffer;
//
// and then the value type is mixed in, so that the string "1" and the int 1
// are different values.

// HashBytes is the hash of a string, bytes, array or map value.
func HashBytes(vt tallycatv1.ValueType, b []byte) uint64 { return withType(xxhash.Sum64(b), vt) }

// HashString is HashBytes of a string's bytes.
func HashString(vt tallycatv1.ValueType, s string) uint64 {
	return withType(xxhash.Sum64String(s), vt)
}

// HashNumber is the hash of an int (its int64 as uint64), a double (its
// bits) or a bool (0 or 1).
func HashNumber(vt tallycatv1.ValueType, n uint64) uint64 { return withType(mix(n), vt) }

// HashKey is the hash of an attribute key.
func HashKey(key string) uint64 { return xxhash.Sum64String(key) }

// Attribute combines a key's hash and its value's into the hash of the
// attribute, the unit a series is made of. The product makes it depend on
// which value goes with which key (a plain XOR would not tell {a=1, b=2}
// from {a=2, b=1} once attributes are XORed together); Series mixes the
// result, so one multiply is enough here.
func Attribute(key, value uint64) uint64 { return (key + value) * 0x9E3779B97F4A7C15 }

// Series is the hash of a series: its resource and scope (each the XOR of
// their attributes' hashes, with the scope's name and version) and the XOR of
// its data point attributes' hashes. XOR makes the order of attributes not
// matter, as it does not to a metrics backend.
func Series(resource, scope, attributes uint64) uint64 {
	return mix(resource ^ bits.RotateLeft64(scope, 21) ^ bits.RotateLeft64(attributes, 42))
}

// withType mixes a value's type into its hash. The hash is uniform already
// (xxHash, or mix for numbers), so an XOR with a constant per type keeps it
// so at no cost.
func withType(h uint64, vt tallycatv1.ValueType) uint64 {
	return h ^ uint64(vt)*0xC2B2AE3D27D4EB4F
}

// mix is the finalizer of MurmurHash3: every input bit affects every output
// bit, which HyperLogLog needs of its hashes.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Value is one attribute value as inference read it: its hash, and what is
// needed to write it as text should it be kept as an example. Str is a view
// of the request (a string) and must not be kept; Num holds an int, a
// double's bits or a bool.
type Value struct {
	Hash uint64
	Str  string
	Num  uint64
	Type tallycatv1.ValueType
}

// Scalar reports whether values of type vt may be kept as examples.
func Scalar(vt tallycatv1.ValueType) bool {
	switch vt {
	case tallycatv1.ValueType_VALUE_TYPE_STRING, tallycatv1.ValueType_VALUE_TYPE_BOOL,
		tallycatv1.ValueType_VALUE_TYPE_INT, tallycatv1.ValueType_VALUE_TYPE_DOUBLE,
		tallycatv1.ValueType_VALUE_TYPE_EMPTY:
		return true
	}
	return false
}

// Text is the value as an example shows it, cut to MaxValueBytes; it is a
// new string, safe to keep.
func (v Value) Text() string {
	switch v.Type {
	case tallycatv1.ValueType_VALUE_TYPE_STRING:
		return string([]byte(Cut(v.Str)))
	case tallycatv1.ValueType_VALUE_TYPE_BOOL:
		return strconv.FormatBool(v.Num != 0)
	case tallycatv1.ValueType_VALUE_TYPE_INT:
		return strconv.FormatInt(int64(v.Num), 10)
	case tallycatv1.ValueType_VALUE_TYPE_DOUBLE:
		return strconv.FormatFloat(math.Float64frombits(v.Num), 'g', -1, 64)
	}
	return ""
}
