package appeal

import (
	"context"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/requestcategory"
	"github.com/jimei-linli/linli/internal/appeal/form"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Category is a request category as a street admin sets it.
type Category struct {
	Name        string
	Description string
	FirstRole   requestcategory.FirstRole
	FormFields  []form.Field
	// Active is nil for "leave as it is" (new categories are active).
	Active   *bool
	Position int
}

// check checks c and trims its text.
func (c *Category) check() error {
	c.Name, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Description)
	switch {
	case c.Name == "" || len([]rune(c.Name)) > 50:
		return apperr.New(apperr.BadUserInput, "a category name has 1 to 50 characters")
	case len([]rune(c.Description)) > 300:
		return apperr.New(apperr.BadUserInput, "a category description has at most 300 characters")
	case requestcategory.FirstRoleValidator(c.FirstRole) != nil:
		return apperr.New(apperr.BadUserInput, "unknown first role %q", c.FirstRole)
	}
	if err := form.CheckFields(c.FormFields); err != nil {
		return apperr.New(apperr.BadUserInput, "%v", err)
	}
	return nil
}

// streetAdmin checks that the viewer of ctx keeps the catalogue.
func streetAdmin(ctx context.Context) error {
	v, err := viewer.Required(ctx)
	if err != nil {
		return err
	}
	if !v.IsStreetAdmin() {
		return apperr.New(apperr.Forbidden, "only street admins keep the request catalogue")
	}
	return nil
}

// CreateCategory adds a category to the catalogue (street admins).
func (s *Service) CreateCategory(ctx context.Context, code string, c Category) (*ent.RequestCategory, error) {
	if err := streetAdmin(ctx); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 32 {
		return nil, apperr.New(apperr.BadUserInput, "a category code has 1 to 32 characters")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	if exists, err := s.client.RequestCategory.Query().Where(requestcategory.Code(code)).Exist(sys); err != nil {
		return nil, err
	} else if exists {
		return nil, apperr.New(apperr.Conflict, "a category with code %q exists", code)
	}
	active := c.Active == nil || *c.Active
	now := s.now()
	return s.client.RequestCategory.Create().SetCode(code).SetName(c.Name).SetDescription(c.Description).
		SetFirstRole(c.FirstRole).SetFormFields(c.FormFields).SetActive(active).SetPosition(c.Position).
		SetCreatedAt(now).SetUpdatedAt(now).Save(sys)
}

// UpdateCategory changes a category (street admins).
func (s *Service) UpdateCategory(ctx context.Context, id int, c Category) (*ent.RequestCategory, error) {
	if err := streetAdmin(ctx); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	sys := viewer.SystemContext(ctx)
	u := s.client.RequestCategory.UpdateOneID(id).SetName(c.Name).SetDescription(c.Description).
		SetFirstRole(c.FirstRole).SetFormFields(c.FormFields).SetPosition(c.Position).SetUpdatedAt(s.now())
	if c.Active != nil {
		u.SetActive(*c.Active)
	}
	cat, err := u.Save(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "request category not found")
	}
	return cat, err
}
