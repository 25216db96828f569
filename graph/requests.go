package graph

import (
	"github.com/jimei-linli/linli/graph/model"
	"github.com/jimei-linli/linli/internal/appeal"
	"github.com/jimei-linli/linli/internal/appeal/form"
)

// categoryFromInput turns the GraphQL input of a request category into
// the service's.
func categoryFromInput(in model.RequestCategoryInput) appeal.Category {
	c := appeal.Category{Name: in.Name, FirstRole: in.FirstRole, Active: in.Active}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Position != nil {
		c.Position = *in.Position
	}
	for _, f := range in.FormFields {
		c.FormFields = append(c.FormFields, form.Field{Name: f.Name, Label: f.Label, Type: form.Type(f.Type), Required: f.Required})
	}
	return c
}
