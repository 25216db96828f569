package server

import (
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/internal/apperr"
)

// authenticate runs opts.Authenticate before the GraphQL handler next, so
// that every operation of the request runs as the viewer it returns, in
// the viewer's language (withLocale). A request whose credentials fail gets
// the error's code and no execution.
func authenticate(opts Options, next http.Handler) http.Handler {
	if opts.Authenticate == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(withLocale(r.Context(), r)))
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := opts.Authenticate(r)
		if err == nil {
			ctx = withLocale(ctx, r)
		}
		if err != nil {
			code := apperr.CodeOf(err)
			if code == apperr.Internal {
				opts.Logger.ErrorContext(r.Context(), "authenticating a request failed", "err", err)
			}
			writeJSON(w, r, statusFor(code), errorResponse{Errors: gqlerror.List{{
				Message:    apperr.MessageOf(err),
				Extensions: map[string]any{"code": string(code)},
			}}})
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
