package graph

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/resident"
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

// visibleResident returns resident id as the viewer sees them, or nil
// when they may not.
func (r *Resolver) visibleResident(ctx context.Context, id int) (*ent.Resident, error) {
	res, err := r.client.Resident.Query().Where(resident.ID(id)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return res, err
}
