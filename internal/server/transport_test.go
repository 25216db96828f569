package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestResponseType(t *testing.T) {
	const gql = "application/graphql-response+json; charset=utf-8"
	for accept, want := range map[string]string{
		"":                                  plainJSON,
		"*/*":                               plainJSON,
		"application/json":                  plainJSON,
		"text/plain":                        plainJSON,
		"application/graphql-response+json": gql,
		"application/graphql-response+json, application/json;q=0.9":   gql,
		"application/json, application/graphql-response+json":         gql,
		"application/json, application/graphql-response+json;q=0.5":   plainJSON,
		"application/graphql-response+json;q=0":                       plainJSON,
		"application/graphql-response+json; charset=utf-8, */*;q=0.1": gql,
	} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := responseType(r); got != want {
			t.Errorf("Accept %q: %q, want %q", accept, got, want)
		}
	}
}

// TestStatusFollowsMediaType: a document that does not parse or validate, or
// variables that do not fit it, are 400 in application/graphql-response+json
// and 200 in application/json (GraphQL over HTTP's SHOULD for each); an
// mutation over GET stays 405 in both.
func TestStatusFollowsMediaType(t *testing.T) {
	opts, _ := testOptions(t)
	h := New(opts)
	const gql = "application/graphql-response+json; charset=utf-8"
	for _, body := range []string{
		`{"query":"{"}`,
		`{"query":"{ nope }"}`,
		`{"query":"query($n: Int) { __typename }","variables":{"n":"5"}}`,
	} {
		for accept, want := range map[string]struct {
			status int
			ct     string
		}{
			"":                                  {http.StatusOK, plainJSON},
			"application/json":                  {http.StatusOK, plainJSON},
			"application/graphql-response+json": {http.StatusBadRequest, gql},
		} {
			req := post(body)
			req.Header.Del("Accept")
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want.status || rec.Header().Get("Content-Type") != want.ct || !strings.Contains(rec.Body.String(), `"errors"`) {
				t.Errorf("%s with Accept %q: %d %s %s, want %d %s", body, accept, rec.Code,
					rec.Header().Get("Content-Type"), rec.Body, want.status, want.ct)
			}
		}
	}
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		req := get(url.Values{"query": {"mutation { __typename }"}})
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("a mutation over GET with Accept %s: %d %s", accept, rec.Code, rec.Body)
		}
	}
}
