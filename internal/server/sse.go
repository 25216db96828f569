package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// sseTransport serves GraphQL over Server-Sent Events in the "distinct
// connections" mode: a POST of the usual JSON body with
// `Accept: text/event-stream` gets a stream of `event: next` with one
// response each, then `event: complete`. It is for clients that cannot
// use websockets. Credentials come from Options.Authenticate (the
// Authorization header), as for POST.
//
// The streaming is gqlgen's transport.SSE. In front of it, the body is
// read and checked like POST's (size limit, unknown fields, batches), so
// that a bad body gets a coded error and is never echoed; and gqlgen's
// writes are fenced off once the request is over, because its keepalive
// goroutine may outlive Do by a moment.
type sseTransport struct {
	sse          transport.SSE
	maxBodyBytes int64
}

var _ graphql.Transport = sseTransport{}

// newSSETransport returns the SSE transport for opts (with defaults
// applied).
func newSSETransport(opts Options) sseTransport {
	t := sseTransport{maxBodyBytes: opts.MaxBodyBytes}
	if opts.KeepAlive > 0 {
		t.sse.KeepAlivePingInterval = opts.KeepAlive
	}
	return t
}

// Supports reports whether r is a JSON POST that accepts an event stream.
func (t sseTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && t.sse.Supports(r)
}

// Do checks the body and streams the operation's results.
func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params, status, msg := decodeBody(w, r, t.maxBodyBytes)
	if status != 0 {
		sendError(w, r, exec, status, msg)
		return
	}
	body, err := json.Marshal(requestBody{
		Query:         params.Query,
		OperationName: params.OperationName,
		Variables:     params.Variables,
		Extensions:    params.Extensions,
	})
	if err != nil {
		sendError(w, r, exec, http.StatusBadRequest, "request body is not valid JSON")
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	fw := &fencedWriter{w: w}
	defer func() {
		cancel()
		fw.fence()
	}()
	r = r.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	t.sse.Do(fw, r, exec)
}

// fencedWriter is a streaming http.ResponseWriter that drops every write
// after fence, so that no goroutine writes to a response that is over.
type fencedWriter struct {
	w      http.ResponseWriter
	mu     sync.Mutex
	fenced bool
}

// Header returns the response header.
func (f *fencedWriter) Header() http.Header { return f.w.Header() }

// WriteHeader writes the status, unless fenced.
func (f *fencedWriter) WriteHeader(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fenced {
		f.w.WriteHeader(status)
	}
}

// Write writes b, unless fenced.
func (f *fencedWriter) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fenced {
		return 0, net.ErrClosed
	}
	return f.w.Write(b)
}

// Flush sends what has been written, unless fenced.
func (f *fencedWriter) Flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fenced {
		_ = http.NewResponseController(f.w).Flush()
	}
}

// fence drops all later writes; it waits for a write in progress.
func (f *fencedWriter) fence() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fenced = true
}
