package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/internal/seed"
)

// TestTokenNeedsNoSMSGateway runs `linli token` in production mode with
// the JWT secret and no SMS webhook: it signs a token the served API
// accepts, since it never sends a code; it still needs the secret.
func TestTokenNeedsNoSMSGateway(t *testing.T) {
	db := t.TempDir() + "/linli.db"
	var out bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--demo"}, func(k string) string {
		return map[string]string{"LINLI_DATABASE_URL": db}[k]
	}, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	env := map[string]string{
		"LINLI_DATABASE_URL": db, "LINLI_ENV": "production",
		"LINLI_JWT_SECRET": "token-test-secret-token-test-secret-01",
	}
	token := tokenFor(t, env, seed.DemoAccounts[0].Phone)
	if strings.Count(token, ".") != 2 {
		t.Fatalf("linli token printed %q; want a JWT", token)
	}
	// The server (with its SMS gateway) takes the token.
	serveEnv := map[string]string{"LINLI_SMS_WEBHOOK_URL": "http://127.0.0.1:9/sms"}
	for k, v := range env {
		serveEnv[k] = v
	}
	base := startServer(t, serveEnv)
	var me struct{ Me struct{ Name string } }
	gql(t, base, token, `{ me { name } }`, nil, &me)
	if me.Me.Name != seed.DemoAccounts[0].Name {
		t.Errorf("me with the token = %q; want %q", me.Me.Name, seed.DemoAccounts[0].Name)
	}
	delete(env, "LINLI_JWT_SECRET")
	err := run(context.Background(), []string{"token", "--phone", seed.DemoAccounts[0].Phone}, func(k string) string { return env[k] }, &out)
	if err == nil || !strings.Contains(err.Error(), "LINLI_JWT_SECRET") {
		t.Errorf("token in production without a secret = %v; want an error naming LINLI_JWT_SECRET", err)
	}
}
