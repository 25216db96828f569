// Package form describes the extra fields a request category asks for (the
// form the app renders when a resident files a request of that category)
// and checks the answers against them. It imports nothing of ent, so that
// ent/schema can store both as JSON.
package form

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jimei-linli/linli/internal/i18n"
)

// Type is the type of a field's answer.
type Type string

// The field types.
const (
	Text    Type = "TEXT"
	Number  Type = "NUMBER"
	Boolean Type = "BOOLEAN"
	Date    Type = "DATE"
)

// Field is one extra field of a category's form.
type Field struct {
	// Name identifies the field in answers, e.g. "floor".
	Name string `json:"name"`
	// Label is what the app shows, e.g. "樓層".
	Label string `json:"label"`
	// Type is the answer's type.
	Type Type `json:"type"`
	// Required says the request cannot be filed without an answer.
	Required bool `json:"required"`
}

// Answer is a resident's answer to one field, as text.
type Answer struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// maxAnswer bounds an answer's length in characters.
const maxAnswer = 500

// CheckFields reports what is wrong with a category's form, or nil.
func CheckFields(fields []Field) error {
	seen := map[string]bool{}
	for _, f := range fields {
		switch {
		case strings.TrimSpace(f.Name) == "" || len(f.Name) > 40:
			return fmt.Errorf("a field name has 1 to 40 characters")
		case seen[f.Name]:
			return fmt.Errorf("field %q appears twice", f.Name)
		case strings.TrimSpace(f.Label) == "" || len([]rune(f.Label)) > 100:
			return fmt.Errorf("field %q needs a label of 1 to 100 characters", f.Name)
		}
		switch f.Type {
		case Text, Number, Boolean, Date:
		default:
			return fmt.Errorf("field %q has unknown type %q", f.Name, f.Type)
		}
		seen[f.Name] = true
	}
	if len(fields) > 20 {
		return fmt.Errorf("a form has at most 20 fields")
	}
	return nil
}

// CheckAnswers reports what is wrong with answers to fields, or nil: every
// required field answered, no unknown or repeated field, each answer of its
// field's type. The message is in the language of ctx's reader.
func CheckAnswers(ctx context.Context, fields []Field, answers []Answer) error {
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	given := map[string]bool{}
	for _, a := range answers {
		f, ok := byName[a.Name]
		switch {
		case !ok:
			return errors.New(i18n.ErrUnknownField.Sprint(ctx, "name", a.Name))
		case given[a.Name]:
			return errors.New(i18n.ErrFieldTwice.Sprint(ctx, "name", a.Name))
		case len([]rune(a.Value)) > maxAnswer:
			return errors.New(i18n.ErrAnswerTooLong.Sprint(ctx, "label", f.Label, "max", maxAnswer))
		}
		given[a.Name] = strings.TrimSpace(a.Value) != ""
		if !given[a.Name] {
			continue
		}
		if msg := checkType(f.Type, strings.TrimSpace(a.Value)); msg != nil {
			return errors.New(msg.Sprint(ctx, "label", f.Label))
		}
	}
	for _, f := range fields {
		if f.Required && !given[f.Name] {
			return errors.New(i18n.ErrAnswerRequired.Sprint(ctx, "label", f.Label))
		}
	}
	return nil
}

// checkType returns the message refusing v as an answer of type t, or nil.
func checkType(t Type, v string) *i18n.Message {
	switch t {
	case Number:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return i18n.ErrAnswerNotNumber
		}
	case Boolean:
		if v != "true" && v != "false" {
			return i18n.ErrAnswerNotBoolean
		}
	case Date:
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return i18n.ErrAnswerNotDate
		}
	}
	return nil
}
