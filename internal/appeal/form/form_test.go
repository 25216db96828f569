package form

import (
	"context"
	"testing"
)

func TestCheckAnswers(t *testing.T) {
	fields := []Field{
		{Name: "spot", Label: "位置", Type: Text, Required: true},
		{Name: "floor", Label: "楼层", Type: Number},
		{Name: "escort", Label: "陪同", Type: Boolean},
		{Name: "day", Label: "日期", Type: Date},
	}
	if err := CheckFields(fields); err != nil {
		t.Fatal(err)
	}
	for _, ok := range [][]Answer{
		{{"spot", "3楼"}},
		{{"spot", "x"}, {"floor", "3"}, {"escort", "true"}, {"day", "2026-11-26"}},
		{{"spot", "x"}, {"floor", " "}}, // an optional field left blank
	} {
		if err := CheckAnswers(context.Background(), fields, ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range [][]Answer{
		nil,                                // required missing
		{{"spot", "  "}},                   // required blank
		{{"spot", "x"}, {"spot", "y"}},     // twice
		{{"spot", "x"}, {"colour", "red"}}, // unknown
		{{"spot", "x"}, {"floor", "three"}},
		{{"spot", "x"}, {"escort", "yes"}},
		{{"spot", "x"}, {"day", "26/11/2026"}},
	} {
		if err := CheckAnswers(context.Background(), fields, bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
	for _, bad := range [][]Field{
		{{Name: "a", Label: "A", Type: Text}, {Name: "a", Label: "B", Type: Text}},
		{{Name: "", Label: "A", Type: Text}},
		{{Name: "a", Label: "", Type: Text}},
		{{Name: "a", Label: "A", Type: "COLOUR"}},
	} {
		if err := CheckFields(bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}
