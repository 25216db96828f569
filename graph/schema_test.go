package graph

import (
	"strings"
	"testing"
)

// TestEveryTypeAndFieldIsDescribed keeps the API documented: every type,
// field, argument, input field and enum value of the schema (hand-written
// and generated) has a description.
func TestEveryTypeAndFieldIsDescribed(t *testing.T) {
	s := NewSchema(nil).Schema()
	checked := 0
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		checked++
		if strings.TrimSpace(def.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("%s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					t.Errorf("%s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				t.Errorf("%s.%s has no description", name, v.Name)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked only %d types; is the schema loaded?", checked)
	}
}
