package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/jimei-linli/linli/internal/apperr"
)

// The transports below replace gqlgen's transport.POST and transport.GET so
// that errors found before execution (a malformed body, a body too large, a
// mutation over GET) also carry an extensions.code and go through the error
// presenter, and never echo the request body.

// postTransport serves POST /graphql with a JSON body
// {query, operationName, variables, extensions}. Batching is not supported.
type postTransport struct {
	maxBodyBytes int64
}

var _ graphql.Transport = postTransport{}

// Supports reports whether r is a POST with a JSON body.
func (postTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == "" && isJSON(r.Header.Get("Content-Type"))
}

// isJSON reports whether the media type of contentType is application/json.
func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

// Do decodes the body and executes the operation.
func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	params, status, msg := decodeBody(w, r, t.maxBodyBytes)
	if status != 0 {
		sendError(w, r, exec, status, msg)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, params)
}

// requestBody is a GraphQL request body; any other field is an error.
type requestBody struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// decodeBody reads and decodes the body of r, at most max bytes. On failure
// it returns the HTTP status and a message for the client.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64) (_ *graphql.RawParams, status int, msg string) {
	const tooLarge = "request body too large"
	if r.ContentLength > max {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, "could not read the request body"
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, http.StatusBadRequest, "request body is empty"
	case trimmed[0] == '[':
		return nil, http.StatusBadRequest, "batched requests are not supported"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var b requestBody
	if err := dec.Decode(&b); err != nil {
		return nil, http.StatusBadRequest, jsonErrorMessage(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, http.StatusBadRequest, "request body must hold one JSON object"
	}
	return &graphql.RawParams{
		Query:         b.Query,
		OperationName: b.OperationName,
		Variables:     b.Variables,
		Extensions:    b.Extensions,
	}, 0, ""
}

// jsonErrorMessage describes a decoding error without echoing the body or
// naming Go types.
func jsonErrorMessage(err error) string {
	const unknownField = "json: unknown field "
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("request body is not valid JSON: %s (at byte %d)",
			strings.TrimPrefix(syntaxErr.Error(), "json: "), syntaxErr.Offset)
	}
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if typeErr.Field == "" {
			return "request body must be a JSON object"
		}
		return fmt.Sprintf("request field %q has the wrong type", typeErr.Field)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "request body is not valid JSON: unexpected end of input"
	}
	if msg := err.Error(); strings.HasPrefix(msg, unknownField) {
		return "unknown request field " + strings.TrimPrefix(msg, unknownField) +
			"; allowed fields are query, operationName, variables and extensions"
	}
	return "request body is not valid JSON"
}

// getTransport serves GET /graphql?query=...&operationName=...&variables=...
// for queries only: a mutation or subscription over GET is refused before
// validation, so GET never changes anything (and is safe from CSRF).
type getTransport struct {
	tokens    int                   // the document token limit (Limits.Tokens)
	persisted graphql.Cache[string] // automatic persisted queries' texts
}

var _ graphql.Transport = getTransport{}

// Supports reports whether r is a plain GET.
func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

// Do reads the URL parameters and executes the query.
func (t getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		sendError(w, r, exec, http.StatusBadRequest, "the URL query string is malformed")
		return
	}
	params := &graphql.RawParams{
		Query:         q.Get("query"),
		OperationName: q.Get("operationName"),
		Headers:       r.Header,
	}
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if v := q.Get(p.name); v != "" {
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if err := dec.Decode(p.dst); err != nil {
				sendError(w, r, exec, http.StatusBadRequest, "the "+p.name+" parameter must be a JSON object")
				return
			}
		}
	}
	// A persisted query is looked up here, not only by the APQ extension,
	// so that a persisted mutation is refused over GET like a sent one.
	if q := persistedQuery(r.Context(), t.persisted, params); q != "" {
		params.Query = q
	}
	if op := operationType(params.Query, params.OperationName, t.tokens); op != "" && op != ast.Query {
		w.Header().Set("Allow", "POST")
		sendError(w, r, exec, http.StatusMethodNotAllowed,
			"GET requests only allow queries; send a "+string(op)+" with POST")
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, params)
}

// operationType returns the type of the operation named name in query, or ""
// when the query does not parse or has no such operation (the executor then
// reports the error). It is checked before validation, so that a mutation
// over GET is refused even where the schema has no such operation type.
func operationType(query, name string, tokens int) ast.Operation {
	// Most queries need no second parse: the keywords must appear literally.
	if !strings.Contains(query, "mutation") && !strings.Contains(query, "subscription") {
		return ast.Query
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, tokens)
	if err != nil {
		return ""
	}
	op := doc.Operations.ForName(name)
	if op == nil {
		return ""
	}
	return op.Operation
}

// unsupportedTransport answers every request the other transports do not
// support: wrong method or content type, or a protocol upgrade.
type unsupportedTransport struct{}

var _ graphql.Transport = unsupportedTransport{}

// Supports reports true: this transport is the last resort.
func (unsupportedTransport) Supports(*http.Request) bool { return true }

// Do answers with a coded error (or, for OPTIONS, the allowed methods).
func (unsupportedTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	const allow = "GET, POST, OPTIONS"
	switch {
	case r.Method == http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
	case r.Header.Get("Upgrade") != "":
		sendError(w, r, exec, http.StatusBadRequest, "protocol upgrades are not supported")
	case r.Method == http.MethodPost:
		sendError(w, r, exec, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	default:
		w.Header().Set("Allow", allow)
		sendError(w, r, exec, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed; use GET or POST")
	}
}

// execute runs the operation described by params and writes the response.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams) {
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeErrors(w, r, 0, resp)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	// An executed operation is 200 in both media types, also when a field
	// error nulled its data (GraphQL over HTTP, "application/graphql-response+json").
	writeJSON(w, r, http.StatusOK, responses(ctx))
}

// sendError writes a BAD_USER_INPUT error with the given HTTP status,
// passing it through the error presenter like every other error.
func sendError(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, status int, msg string) {
	err := &apperr.Error{Code: apperr.BadUserInput, Message: msg}
	resp := exec.DispatchError(r.Context(), gqlerror.List{{Message: msg, Err: err}})
	writeErrors(w, r, status, resp)
}

// errorResponse is a response to a request that was not executed: it has
// errors and no data.
type errorResponse struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeErrors writes the presented errors of a request that was not
// executed. A zero status is derived from the first error's code: a 4xx or
// 5xx status, as GraphQL over HTTP requires of a request error in
// application/graphql-response+json; in application/json, a document that
// does not parse or validate, or variables that do not fit it, answer 200
// (the spec's SHOULD for that media type, which older clients expect: they
// read the errors of a 200 and may drop the body of a 400).
func writeErrors(w http.ResponseWriter, r *http.Request, status int, resp *graphql.Response) {
	if status == 0 {
		status = http.StatusBadRequest
		if len(resp.Errors) > 0 {
			code, _ := resp.Errors[0].Extensions["code"].(string)
			status = statusFor(apperr.Code(code))
			if isDocumentError(apperr.Code(code)) && responseType(r) == plainJSON {
				status = http.StatusOK
			}
		}
	}
	writeJSON(w, r, status, errorResponse{Errors: resp.Errors, Extensions: resp.Extensions})
}

// isDocumentError reports whether a request that failed before execution
// with code failed on its document or variables (parse, validation,
// variable coercion, an unknown persisted query), not on who sent it or how
// often.
func isDocumentError(code apperr.Code) bool {
	switch code {
	case apperr.ParseFailed, apperr.ValidationFailed, apperr.BadUserInput, apperr.PersistedQueryNotFound:
		return true
	}
	return false
}

// statusFor returns the HTTP status of a request that failed before
// execution with an error of the given code.
func statusFor(code apperr.Code) int {
	switch code {
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Internal:
		return http.StatusInternalServerError
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadRequest
	}
}

// The media types of a GraphQL response (GraphQL over HTTP): the
// spec's own, for clients that ask for it, and plain JSON for the rest.
const (
	graphQLResponseJSON = "application/graphql-response+json"
	plainJSON           = "application/json"
)

// responseType returns the Content-Type of the response to r:
// application/graphql-response+json when r's Accept header accepts it (and
// prefers it at least as much as application/json), else application/json,
// also for a missing Accept header, */* and media types Linli does not
// serve (the spec lets a server answer those in application/json).
func responseType(r *http.Request) string {
	if r == nil {
		return plainJSON
	}
	var gql, js float64 = -1, -1
	for _, h := range r.Header.Values("Accept") {
		for _, part := range strings.Split(h, ",") {
			mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
			switch mediaType {
			case graphQLResponseJSON:
				gql = max(gql, q)
			case plainJSON:
				js = max(js, q)
			}
		}
	}
	if gql > 0 && gql >= js {
		return graphQLResponseJSON + "; charset=utf-8"
	}
	return plainJSON
}

// writeJSON writes v as a JSON response to r with the given status, in the
// media type r accepts (responseType).
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("server: marshal response: %w", err)) // recovered and presented by gqlgen
	}
	w.Header().Set("Content-Type", responseType(r))
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
