package notify

import (
	"context"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/i18n"
)

// Title returns n's title in the language of ctx's reader: rendered from
// its catalogue message, or the stored title of a notification written
// before the catalogue.
func Title(ctx context.Context, n *ent.Notification) string {
	return TitleIn(i18n.LocaleOf(ctx), n)
}

// Body returns n's body in the language of ctx's reader (see Title).
func Body(ctx context.Context, n *ent.Notification) string {
	return BodyIn(i18n.LocaleOf(ctx), n)
}

// TitleIn returns n's title in language tag (see Title).
func TitleIn(tag i18n.Tag, n *ent.Notification) string {
	if m, ok := i18n.Lookup(i18n.Key(n.MessageKey)); ok {
		return m.RenderTitle(tag, n.Params)
	}
	return n.Title
}

// BodyIn returns n's body in language tag (see Title).
func BodyIn(tag i18n.Tag, n *ent.Notification) string {
	if m, ok := i18n.Lookup(i18n.Key(n.MessageKey)); ok {
		return m.RenderBody(tag, n.Params)
	}
	return n.Body
}
