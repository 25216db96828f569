package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/store/storetest"
)

// syncBuffer is an io.Writer the server writes its output to while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningURL = regexp.MustCompile(`listening on (http://\S+)/graphql`)

// startServer boots the real server through run on a free port and returns
// its base URL; it is stopped (gracefully) when the test ends.
func startServer(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	base, _, _ := startServerOut(t, env, args...)
	return base
}

// startServerOut is startServer that also returns the server's output
// and a function that stops it (SIGTERM, as it were) and returns at once;
// the test's end still waits for the shutdown.
func startServerOut(t *testing.T, env map[string]string, args ...string) (base string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, out)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down")
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningURL.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, cancel
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped before listening: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server did not start listening:\n%s", out.String())
	return "", nil, nil
}

// gqlResponse is a GraphQL response with its data left raw.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func postQuery(t *testing.T, base, query string) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode response: %v", err)
	}
	return r
}

// TestServeDemoEndToEnd boots `linli serve --demo` and asks for what the
// README promises: 5 communities whose grids add up to 39.
func TestServeDemoEndToEnd(t *testing.T) {
	backends := map[string]map[string]string{
		"sqlite": {"LINLI_DATABASE_URL": t.TempDir() + "/linli.db"},
	}
	if os.Getenv(storetest.EnvPostgres) != "" {
		backends["postgres"] = map[string]string{
			"LINLI_DATABASE_URL": storetest.NewSchemaURL(t), "LINLI_MIGRATE": "true",
			"LINLI_JWT_SECRET": "e2e-test-secret-e2e-test-secret-0123",
		}
	}
	for name, env := range backends {
		t.Run(name, func(t *testing.T) {
			base := startServer(t, env, "--demo")
			r := postQuery(t, base, `{ communities { totalCount edges { node { name grids { totalCount } } } } }`)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			var data struct {
				Communities struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Name  string
							Grids struct{ TotalCount int }
						}
					}
				}
			}
			if err := json.Unmarshal(r.Data, &data); err != nil {
				t.Fatal(err)
			}
			grids := 0
			names := []string{}
			for _, e := range data.Communities.Edges {
				grids += e.Node.Grids.TotalCount
				names = append(names, e.Node.Name)
			}
			if data.Communities.TotalCount != 5 || len(data.Communities.Edges) != 5 || grids != 39 {
				t.Errorf("got %d communities (%d edges) with %d grids; want 5 with 39", data.Communities.TotalCount, len(data.Communities.Edges), grids)
			}
			if !strings.Contains(strings.Join(names, ","), "盛光") {
				t.Errorf("communities %v do not include 盛光", names)
			}
			for _, path := range []string{"/healthz", "/readyz", "/"} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s = %d %s", path, resp.StatusCode, b)
				}
				if path == "/" && !strings.Contains(string(b), "graphiql") && !strings.Contains(string(b), "GraphiQL") {
					t.Errorf("GET / does not serve GraphiQL")
				}
			}
		})
	}
}

// TestServeRestartKeepsData restarts the server on the same SQLite file:
// the demo is not loaded twice.
func TestServeRestartKeepsData(t *testing.T) {
	env := map[string]string{"LINLI_DATABASE_URL": t.TempDir() + "/linli.db"}
	count := func() int {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		out := &syncBuffer{}
		if err := run(ctx, []string{"seed", "--demo"}, func(k string) string { return env[k] }, out); err != nil {
			t.Fatalf("seed: %v\n%s", err, out)
		}
		base := startServer(t, env)
		r := postQuery(t, base, `{ streets { totalCount } nodes(ids: []) { id } }`)
		var d struct{ Streets struct{ TotalCount int } }
		json.Unmarshal(r.Data, &d)
		return d.Streets.TotalCount
	}
	if a, b := count(), count(); a != 1 || b != 1 {
		t.Errorf("streets after first and second seed = %d, %d; want 1, 1", a, b)
	}
}

func TestRunRejectsBadInvocations(t *testing.T) {
	for _, args := range [][]string{{"fly"}, {"serve", "--no-such-flag"}, {"seed"}, {"serve", "extra"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out); err == nil {
			t.Errorf("run(%q) = nil error", args)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	found := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "LINLI_DATABASE_URL") {
			found = true
		}
	}
	if !found {
		t.Error("help does not list LINLI_DATABASE_URL")
	}
}

func TestServeRefusesOutdatedPostgres(t *testing.T) {
	u := storetest.NewSchemaURL(t)
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		return map[string]string{"LINLI_DATABASE_URL": u}[k]
	}, &out)
	if err == nil || !strings.Contains(err.Error(), "linli migrate") {
		t.Fatalf("serve on an unmigrated PostgreSQL = %v; want an error naming `linli migrate`", err)
	}
	if err := run(context.Background(), []string{"migrate"}, func(k string) string {
		return map[string]string{"LINLI_DATABASE_URL": u}[k]
	}, &out); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}
