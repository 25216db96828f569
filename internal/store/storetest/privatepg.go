package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// PrivatePostgres is a PostgreSQL cluster a test owns: it may stop and
// start it (an outage) without touching the machine's shared server. It
// is made with the Debian cluster tools (pg_createcluster), on a free
// port, and dropped when the test ends.
type PrivatePostgres struct {
	t             testing.TB
	version, name string
	port          int
}

// NewPrivatePostgres creates and starts a private cluster with trust
// authentication. Without pg_createcluster (or without
// LINLI_TEST_DATABASE_URL, which says PostgreSQL is there to test on) the
// test is skipped.
func NewPrivatePostgres(t testing.TB) *PrivatePostgres {
	t.Helper()
	if os.Getenv(EnvPostgres) == "" {
		t.Skipf("needs %s (PostgreSQL installed)", EnvPostgres)
	}
	if _, err := exec.LookPath("pg_createcluster"); err != nil {
		t.Skip("needs pg_createcluster (Debian's postgresql-common)")
	}
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Skipf("no PostgreSQL version under /etc/postgresql: %v", err)
	}
	p := &PrivatePostgres{t: t, version: versions[0].Name(), port: freePort(t)}
	p.name = fmt.Sprintf("linli_test_%d_%d", os.Getpid(), p.port)
	p.run("pg_createcluster", p.version, p.name, "-p", fmt.Sprint(p.port), "--", "--auth=trust")
	t.Cleanup(func() {
		_ = exec.Command("pg_dropcluster", "--stop", p.version, p.name).Run()
	})
	p.Start()
	return p
}

// URL is the cluster's database "postgres" as user postgres.
func (p *PrivatePostgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Start starts the cluster and returns once it accepts connections.
func (p *PrivatePostgres) Start() {
	p.t.Helper()
	p.run("pg_ctlcluster", "--skip-systemctl-redirect", p.version, p.name, "start")
	deadline := time.Now().Add(30 * time.Second)
	for exec.Command("pg_isready", "-q", "-h", "127.0.0.1", "-p", fmt.Sprint(p.port)).Run() != nil {
		if time.Now().After(deadline) {
			p.t.Fatalf("private PostgreSQL on port %d did not become ready", p.port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the cluster at once (fast shutdown: sessions are ended).
func (p *PrivatePostgres) Stop() {
	p.t.Helper()
	p.run("pg_ctlcluster", "--skip-systemctl-redirect", p.version, p.name, "stop", "-m", "fast")
}

func (p *PrivatePostgres) run(name string, args ...string) {
	p.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		p.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// freePort returns a TCP port on 127.0.0.1 nobody listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
