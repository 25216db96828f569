package gqlscalar

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// The built-in scalars' input coercion, as the GraphQL specification
// ("Scalars", Input Coercion) states it. Variables arrive decoded from JSON
// with json.Decoder.UseNumber, so a JSON number is a json.Number and a JSON
// string a string; literals arrive as int64, float64, string and bool.
// gqlgen's defaults accept a number for a String and "5" for an Int; these
// do not.

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString accepts a string only: a number or a boolean where a
// String is expected is refused.
func UnmarshalString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", errorf("%s is not a String (write it in quotes)", describe(v))
}

// MarshalBoolean writes a Boolean.
func MarshalBoolean(b bool) graphql.Marshaler { return graphql.MarshalBoolean(b) }

// UnmarshalBoolean accepts true and false only (not "true", not 1).
func UnmarshalBoolean(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, errorf("%s is not a Boolean (true or false)", describe(v))
}

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt accepts an integral number in the 32-bit signed range that
// the specification gives Int; a string ("5"), a fraction or a larger
// number is refused.
func UnmarshalInt(v any) (int, error) {
	n, err := integer(v)
	return int(n), err
}

// MarshalInt32 writes an Int held in an int32.
func MarshalInt32(i int32) graphql.Marshaler { return graphql.MarshalInt32(i) }

// UnmarshalInt32 is UnmarshalInt for an int32.
func UnmarshalInt32(v any) (int32, error) {
	n, err := integer(v)
	return int32(n), err
}

// MarshalInt64 writes an Int held in an int64.
func MarshalInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalInt64 is UnmarshalInt for an int64.
func UnmarshalInt64(v any) (int64, error) {
	return integer(v)
}

// integer returns v as an Int, or the error refusing it.
func integer(v any) (int64, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case json.Number:
		i, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, errorf("%s is not an Int (a whole number)", v)
		}
		n = i
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > math.MaxInt32+1 {
			return 0, errorf("%v is not an Int (a whole number)", v)
		}
		n = int64(v)
	default:
		return 0, errorf("%s is not an Int (a whole number, without quotes)", describe(v))
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, errorf("%d is outside the range of Int (-2147483648 to 2147483647)", n)
	}
	return n, nil
}

// MarshalIntID writes an ID, always as a string (Linli's ids are ints).
func MarshalIntID(i int) graphql.Marshaler { return graphql.MarshalIntID(i) }

// UnmarshalIntID accepts an ID as the specification does, a string or an
// integer, and refuses anything that is not one of Linli's ids.
func UnmarshalIntID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = string(v)
	case int:
		return v, nil
	case int64:
		return int(v), nil
	default:
		return 0, errorf("%s is not an ID", describe(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errorf("%q is not a valid ID", s)
	}
	return int(n), nil
}

// describe names an input value's kind for a message: what the client
// sent, in GraphQL's words.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case json.Number:
		return "the number " + string(v)
	case int, int32, int64, float64:
		return "a number"
	case bool:
		return "a Boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "the value"
}
