package gqlscalar

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestInputCoercionFollowsTheSpecification(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(any) (any, error)
		in   any
		want any // nil: refused
	}{
		{"String from string", str, "5", "5"},
		{"String from JSON number", str, json.Number("5"), nil},
		{"String from literal Int", str, int64(5), nil},
		{"String from bool", str, true, nil},
		{"Int from JSON number", num, json.Number("42"), 42},
		{"Int from literal", num, int64(-7), -7},
		{"Int from string", num, "5", nil},
		{"Int from fraction", num, json.Number("2.5"), nil},
		{"Int from whole float", num, 3.0, 3},
		{"Int beyond 32 bits", num, json.Number("2147483648"), nil},
		{"Int at the 32-bit edge", num, json.Number("-2147483648"), -2147483648},
		{"Boolean from bool", boolean, false, false},
		{"Boolean from string", boolean, "true", nil},
		{"Boolean from number", boolean, json.Number("1"), nil},
		{"ID from string", id, "12", 12},
		{"ID from JSON number", id, json.Number("12"), 12},
		{"ID from literal Int", id, int64(12), 12},
		{"ID not a number", id, "abc", nil},
		{"ID negative", id, "-1", nil},
		{"ID from bool", id, true, nil},
		{"ID from float", id, 1.5, nil},
	} {
		got, err := tc.f(tc.in)
		if tc.want == nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("%s: got %v, %v; want an *Error", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func str(v any) (any, error)     { return UnmarshalString(v) }
func num(v any) (any, error)     { return UnmarshalInt(v) }
func boolean(v any) (any, error) { return UnmarshalBoolean(v) }
func id(v any) (any, error)      { return UnmarshalIntID(v) }
