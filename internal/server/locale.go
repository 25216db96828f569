package server

import (
	"context"
	"net/http"

	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/viewer"
)

// withLocale returns ctx carrying the language its texts are rendered in
// (i18n.LocaleOf): the signed-in resident's preference, else the request's
// Accept-Language, else the default (zh-Hans).
func withLocale(ctx context.Context, r *http.Request) context.Context {
	if v := viewer.FromContext(ctx); v.SignedIn() && v.Locale != "" {
		if tag, ok := i18n.Parse(v.Locale); ok {
			return i18n.WithLocale(ctx, tag)
		}
	}
	return i18n.WithLocale(ctx, i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")))
}
