package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jimei-linli/linli/ent/broadcast"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/viewer"
)

// TestSigtermFinishesWhatItStarted sends SIGTERM to a real server in the
// middle of a burst of broadcasts from 16 clients: every broadcast answered
// as sent is in the database, every broadcast in the database was answered
// as sent (none committed and then failed), requests after the shutdown
// began are refused with 503 UNAVAILABLE or not connected at all (or, sent
// on a kept-alive connection as it closed, never read), and an
// open websocket is closed with 1001.
func TestSigtermFinishesWhatItStarted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a server")
	}
	bin := buildLinli(t)
	backends := map[string]string{"sqlite": filepath.Join(t.TempDir(), "linli.db")}
	if os.Getenv(storetest.EnvPostgres) != "" {
		backends["postgres"] = storetest.NewSchemaURL(t)
	}
	for name, url := range backends {
		t.Run(name, func(t *testing.T) { sigtermDuringBurst(t, bin, url) })
	}
}

func sigtermDuringBurst(t *testing.T, bin, dbURL string) {
	env := map[string]string{
		"LINLI_DATABASE_URL":     dbURL,
		"LINLI_JWT_SECRET":       "shutdown-test-secret-shutdown-test-secret",
		"LINLI_LOG_LEVEL":        "warn",
		"LINLI_DRAIN_DELAY":      "0s",
		"LINLI_SHUTDOWN_TIMEOUT": "20s",
	}
	runLinli(t, env, []string{"migrate"}, []string{"seed", "--demo"})
	srv := startInstance(t, bin, env)
	leader := tokenFor(t, env, seed.PhoneGridLeader)
	grid := gridID(t, srv.url, seed.GridShengguang01)
	ws := apitest.DialWS(t, srv.url, tokenFor(t, env, seed.PhoneGuardian))
	ws.Subscribe("1", notificationSubscription, nil)

	type outcome struct {
		title string
		sent  bool   // answered with the broadcast
		how   string // otherwise: "unavailable", "not connected", or what else
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		sent     int
	)
	signalled := make(chan struct{})
	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				o := outcome{title: fmt.Sprintf("burst %d-%d", c, i)}
				o.sent, o.how = broadcastOnce(client, srv.url, leader, grid, o.title)
				mu.Lock()
				outcomes = append(outcomes, o)
				if o.sent {
					sent++
					if sent == 60 {
						close(signalled)
						srv.cmd.Process.Signal(syscall.SIGTERM)
					}
				}
				mu.Unlock()
				if o.how == "not connected" {
					return // the listener is closed: the server is going
				}
			}
		})
	}
	select {
	case <-signalled:
	case <-time.After(2 * time.Minute):
		t.Fatal("the burst never reached 60 broadcasts")
	}
	if code, reason := ws.ExpectClose(20 * time.Second); code != websocket.StatusGoingAway {
		t.Errorf("the websocket closed with %d %q, want 1001", code, reason)
	}
	wg.Wait()
	select {
	case <-srv.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not exit after SIGTERM:\n%s", srv.out.String())
	}

	s, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stored, err := s.Client.Broadcast.Query().Where(broadcast.TitleHasPrefix("burst ")).
		Select(broadcast.FieldTitle).Strings(viewer.SystemContext(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	inDB := map[string]bool{}
	for _, title := range stored {
		inDB[title] = true
	}
	hows := map[string]int{}
	for _, o := range outcomes {
		hows[o.how]++
		switch {
		case o.sent && !inDB[o.title]:
			t.Errorf("%s was answered as sent but is not in the database", o.title)
		case !o.sent && inDB[o.title]:
			t.Errorf("%s is in the database but was answered %q", o.title, o.how)
		case !o.sent && o.how != "unavailable" && o.how != "not connected" && o.how != "closed while idle":
			t.Errorf("%s failed with %q", o.title, o.how)
		}
	}
	t.Logf("%d requests: %d sent, %v; %d broadcasts stored", len(outcomes), len(stored), hows, len(stored))
}

// broadcastOnce sends one broadcast and reports whether it was answered as
// sent, and if not how it failed.
func broadcastOnce(client *http.Client, base, token, grid, title string) (bool, string) {
	body, _ := json.Marshal(map[string]any{"query": sendBroadcast, "variables": map[string]any{"target": grid, "title": title}})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return false, "not connected"
		case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET),
			// net/http's own word for it (its error is not exported).
			strings.Contains(err.Error(), "server closed idle connection"):
			// Sent on a kept-alive connection as Shutdown closed it idle:
			// never read by the server (the test checks it is not stored),
			// and a client retries it as it would a refused connection.
			return false, "closed while idle"
		}
		return false, err.Error()
	}
	defer resp.Body.Close()
	var r struct {
		Data struct {
			SendBroadcast *struct{ ID string }
		}
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return false, fmt.Sprintf("HTTP %d, undecodable: %v", resp.StatusCode, err)
	}
	if r.Data.SendBroadcast != nil && r.Data.SendBroadcast.ID != "" {
		return true, ""
	}
	if len(r.Errors) > 0 && r.Errors[0].Extensions["code"] == "UNAVAILABLE" && resp.StatusCode == http.StatusServiceUnavailable {
		return false, "unavailable"
	}
	return false, fmt.Sprintf("HTTP %d %+v", resp.StatusCode, r.Errors)
}
