package storetest

import (
	"fmt"
	"net"
	"os/exec"
	"testing"
	"time"
)

// PrivateRedis is a redis-server of the test's own on a free port, without
// persistence, which the test may stop and start again (an outage) without
// touching the machine's shared server. It keeps its port across
// restarts, so that clients reconnect to it.
type PrivateRedis struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

// StartPrivateRedis starts a private redis-server, stopped when the test
// ends; without redis-server installed the test is skipped.
func StartPrivateRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs redis-server")
	}
	r := &PrivateRedis{t: t, port: freePort(t)}
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Addr is the server's host:port.
func (r *PrivateRedis) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// URL is the server's redis:// URL.
func (r *PrivateRedis) URL() string { return "redis://" + r.Addr() + "/0" }

// Start starts the server (again) and waits until it accepts connections.
func (r *PrivateRedis) Start() {
	r.t.Helper()
	if r.cmd != nil {
		return
	}
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		r.t.Fatalf("starting redis-server: %v", err)
	}
	r.cmd = cmd
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", r.Addr())
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %s did not start: %v", r.Addr(), err)
		}
	}
}

// Stop kills the server: its data is gone, as after a crash. Stopping a
// stopped server does nothing.
func (r *PrivateRedis) Stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}
