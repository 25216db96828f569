package roster

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/viewer"
)

// SetLocale sets the language the signed-in resident reads Linli in to
// the supported language closest to the BCP 47 tag locale, and returns
// the resident's ID. A language the catalogue does not have is
// BAD_USER_INPUT on field locale.
func (r *Roster) SetLocale(ctx context.Context, locale string) (int, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return 0, err
	}
	tag, ok := i18n.Parse(locale)
	if !ok {
		return 0, apperr.OnField(apperr.BadUserInput, "locale", "%s", i18n.ErrUnsupportedLocale.Sprint(ctx, "locale", locale))
	}
	if err := r.client.Resident.UpdateOneID(v.ResidentID).SetLocale(i18n.Name(tag)).Exec(ctx); err != nil {
		return 0, forbidden(err, "you can change only your own profile")
	}
	return v.ResidentID, nil
}

// LocaleOf returns resident res's language for the viewer of ctx: the
// resident themselves sees it, anybody else nil.
func LocaleOf(ctx context.Context, res *ent.Resident) *string {
	if v := viewer.FromContext(ctx); !v.SignedIn() || v.ResidentID != res.ID {
		return nil
	}
	l := i18n.Name(localeTag(res.Locale))
	return &l
}

func localeTag(s string) i18n.Tag {
	tag, _ := i18n.Parse(s)
	return tag
}
