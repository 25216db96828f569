package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(Config) bool
	}{
		{"defaults", nil, nil, func(c Config) bool {
			return c.Addr == ":8080" && c.DatabaseURL == "linli.db" && c.Env == Development &&
				!c.Demo && c.MaxBodyBytes == 1<<20 && c.ShutdownTimeout == 15*time.Second
		}},
		{"env over default", map[string]string{"LINLI_ADDR": ":9000", "LINLI_ENV": "production"}, nil,
			func(c Config) bool { return c.Addr == ":9000" && c.Production() }},
		{"flag over env", map[string]string{"LINLI_ADDR": ":9000"}, []string{"--addr", ":9100"},
			func(c Config) bool { return c.Addr == ":9100" }},
		{"bare bool flag", nil, []string{"--demo"}, func(c Config) bool { return c.Demo }},
		{"bool env", map[string]string{"LINLI_MIGRATE": "true"}, nil, func(c Config) bool { return c.MigrateOnStart }},
		{"check-in grace", nil, nil, func(c Config) bool { return c.CheckInGrace == 30*time.Minute }},
		{"check-in grace env", map[string]string{"LINLI_CHECKIN_GRACE": "10m"}, nil,
			func(c Config) bool { return c.CheckInGrace == 10*time.Minute }},
		{"trusted proxies", map[string]string{"LINLI_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10 ,::ffff:172.16.0.1"}, nil, func(c Config) bool {
			return len(c.TrustedProxies) == 3 && c.TrustedProxies[0].String() == "10.0.0.0/8" &&
				c.TrustedProxies[1].String() == "192.168.1.10/32" && c.TrustedProxies[2].String() == "172.16.0.1/32"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load("serve", tt.args, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(c) {
				t.Errorf("Load gave %+v", c)
			}
		})
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"LINLI_ENV": "staging"}, nil},
		{map[string]string{"LINLI_MAX_DEPTH": "0"}, nil},
		{nil, []string{"--max-body-bytes", "lots"}},
		{nil, []string{"--log-level", "loud"}},
		{nil, []string{"--no-such-flag"}},
		{map[string]string{"LINLI_TRUSTED_PROXIES": "10.0.0.0/33"}, nil},
		{map[string]string{"LINLI_TRUSTED_PROXIES": "the load balancer"}, nil},
	} {
		if _, _, err := Load("serve", tt.args, env(tt.env)); err == nil {
			t.Errorf("Load(%v, %v) = nil error", tt.env, tt.args)
		}
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table true.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(string(readme), "`"+s.Env+"`") || !strings.Contains(string(readme), "`--"+s.Flag+"`") {
			t.Errorf("README.md does not list %s / --%s", s.Env, s.Flag)
		}
	}
}

func TestDefaultsLoad(t *testing.T) {
	c := Defaults()
	if c.AccessTokenTTL != 15*time.Minute || c.IdempotencyWindow != 48*time.Hour {
		t.Errorf("defaults: access token TTL %v, idempotency window %v", c.AccessTokenTTL, c.IdempotencyWindow)
	}
}
