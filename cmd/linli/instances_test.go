package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// This file tests Linli as production runs it: several `linli serve`
// processes sharing PostgreSQL and Redis.

// buildLinli builds the linli binary into a temporary folder.
func buildLinli(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "linli")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// privateRedis runs a redis-server of the test's own on a free port, so the
// test can stop and restart it without disturbing anyone else.
type privateRedis struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs redis-server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &privateRedis{t: t, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *privateRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// instance is one running `linli serve` process.
type instance struct {
	url  string
	out  *syncBuffer
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// startInstance runs bin serve with env and returns its base URL.
func startInstance(t *testing.T, bin string, env map[string]string) *instance {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningURL.FindStringSubmatch(out.String()); m != nil {
			return &instance{url: m[1], out: out, cmd: cmd, done: done}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("instance did not start:\n%s", out.String())
	return nil
}

// runLinli runs each command (e.g. migrate, then seed --demo) in process
// with env, and fails the test at the first that fails.
func runLinli(t *testing.T, env map[string]string, commands ...[]string) {
	t.Helper()
	for _, args := range commands {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(k string) string { return env[k] }, &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
}

// tokenFor runs `linli token --phone` in process with env.
func tokenFor(t *testing.T, env map[string]string, phone string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--phone", phone}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatalf("token: %v", err)
	}
	return strings.TrimSpace(out.String())
}

// gridID returns the ID of the grid with the given code.
func gridID(t *testing.T, base, code string) string {
	t.Helper()
	var d struct {
		Communities struct {
			Edges []struct {
				Node struct {
					Grids struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
			}
		}
	}
	gql(t, base, "", `query($code: String!) { communities(first: 10) { edges { node {
		grids(where: {code: $code}) { edges { node { id } } } } } } }`, map[string]any{"code": code}, &d)
	for _, c := range d.Communities.Edges {
		for _, g := range c.Node.Grids.Edges {
			return g.Node.ID
		}
	}
	t.Fatalf("no grid %s", code)
	return ""
}

const sendBroadcast = `mutation($target: ID!, $title: String!) {
	sendBroadcast(input: {targetId: $target, level: URGENT, title: $title, body: "台风预警：请关好门窗。"}) { id recipientCount } }`

// TestTwoInstancesShareBroadcasts: a broadcast sent through one instance
// reaches a subscriber connected to the other; and when Redis restarts with
// 50 broadcasts sent during the outage, a subscriber that stayed connected
// and one that reconnects with `since` both get all 50, in order.
func TestTwoInstancesShareBroadcasts(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("needs %s", storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("builds and runs two servers")
	}
	bin := buildLinli(t)
	redis := startPrivateRedis(t)
	env := map[string]string{
		"LINLI_DATABASE_URL": storetest.NewSchemaURL(t),
		"LINLI_REDIS_URL":    redis.url(),
		"LINLI_JWT_SECRET":   "two-instances-secret-two-instances-secret",
		"LINLI_LOG_LEVEL":    "warn",
	}
	runLinli(t, env, []string{"migrate"}, []string{"seed", "--demo"})
	a := startInstance(t, bin, env)
	b := startInstance(t, bin, env)
	leader := tokenFor(t, env, seed.PhoneGridLeader)
	resident := tokenFor(t, env, seed.PhoneGuardian)
	grid := gridID(t, a.url, seed.GridShengguang01)

	stays := apitest.DialWS(t, b.url, resident)
	stays.Subscribe("1", notificationSubscription, nil)
	time.Sleep(200 * time.Millisecond) // let the subscription register before the first broadcast
	gql(t, a.url, leader, sendBroadcast, map[string]any{"target": grid, "title": "across instances"}, nil)
	first := nextNotification(t, stays, 10*time.Second)
	if first.Title != "across instances" {
		t.Fatalf("got %+v", first)
	}

	// The second subscriber reads the first broadcast, then goes away.
	leaves := apitest.DialWS(t, b.url, resident)
	leaves.Subscribe("1", notificationSubscription, map[string]any{"since": nil})
	time.Sleep(200 * time.Millisecond)

	redis.stop()
	for i := range 50 {
		gql(t, a.url, leader, sendBroadcast, map[string]any{"target": grid, "title": fmt.Sprint("outage ", i)}, nil)
	}
	leaves.Conn.CloseNow()
	redis.start()

	for i := range 50 {
		if n := nextNotification(t, stays, 30*time.Second); n.Title != fmt.Sprint("outage ", i) {
			t.Fatalf("the connected subscriber got %q, want %q", n.Title, fmt.Sprint("outage ", i))
		}
	}
	back := apitest.DialWS(t, b.url, resident)
	back.Subscribe("1", notificationSubscription, map[string]any{"since": first.Cursor})
	for i := range 50 {
		if n := nextNotification(t, back, 30*time.Second); n.Title != fmt.Sprint("outage ", i) {
			t.Fatalf("the returning subscriber got %q, want %q", n.Title, fmt.Sprint("outage ", i))
		}
	}
}
