package apitest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestTokenAttacks sends forged, tampered, expired and malformed
// credentials over HTTP: each must end the request with 401 and
// UNAUTHENTICATED, and with one message that does not say which check
// failed.
func TestTokenAttacks(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		valid := e.TokenFor(t, seed.PhoneGridLeader)
		_, refresh := e.SignIn(t, seed.PhoneVolunteer)
		var claims auth.AccessClaims
		if _, _, err := jwt.NewParser().ParseUnverified(valid, &claims); err != nil {
			t.Fatal(err)
		}
		now := e.Clock.Now()
		sign := func(m jwt.SigningMethod, c jwt.Claims, key any) string {
			t.Helper()
			s, err := jwt.NewWithClaims(m, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		with := func(change func(c *auth.AccessClaims)) string {
			c := claims
			change(&c)
			return sign(jwt.SigningMethodHS256, c, apitest.Secret)
		}
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(valid, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		elder := strconv.Itoa(e.ResidentID(t, seed.PhoneElder))
		tampered := strings.Replace(string(payload), `"sub":"`+claims.Subject+`"`, `"sub":"`+elder+`"`, 1)
		if tampered == string(payload) {
			t.Fatalf("could not tamper with %s", payload)
		}
		noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

		// The control: the same claims, signed as Linli signs them, work.
		control := with(func(*auth.AccessClaims) {})
		if r := e.Do(t, control, meQuery, nil); r.Status != 200 || r.Value("me", "id") != claims.Subject {
			t.Fatalf("the re-signed control token does not work, so the attacks prove nothing: %s", r)
		}

		attacks := []struct{ name, authorization string }{
			{"alg none", "Bearer " + noneHeader + "." + parts[1] + "."},
			{"alg none (signed by the library)", "Bearer " + sign(jwt.SigningMethodNone, claims, jwt.UnsafeAllowNoneSignatureType)},
			{"RS256", "Bearer " + sign(jwt.SigningMethodRS256, claims, rsaKey)},
			{"HS512 with the right secret", "Bearer " + sign(jwt.SigningMethodHS512, claims, apitest.Secret)},
			{"HS384 with the right secret", "Bearer " + sign(jwt.SigningMethodHS384, claims, apitest.Secret)},
			{"wrong secret", "Bearer " + sign(jwt.SigningMethodHS256, claims, []byte("not-the-secret-not-the-secret-xx"))},
			{"wrong iss", "Bearer " + with(func(c *auth.AccessClaims) { c.Issuer = "evil" })},
			{"wrong aud", "Bearer " + with(func(c *auth.AccessClaims) { c.Audience = jwt.ClaimStrings{"other-app"} })},
			{"missing exp", "Bearer " + with(func(c *auth.AccessClaims) { c.ExpiresAt = nil })},
			{"past exp", "Bearer " + with(func(c *auth.AccessClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second)) })},
			{"issued in the future", "Bearer " + with(func(c *auth.AccessClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) })},
			{"not an access token", "Bearer " + with(func(c *auth.AccessClaims) { c.Type = "refresh" })},
			{"another resident under this session", "Bearer " + with(func(c *auth.AccessClaims) { c.Subject = elder })},
			{"a session that does not exist", "Bearer " + with(func(c *auth.AccessClaims) { c.SessionID = "no-such-session" })},
			{"tampered payload", "Bearer " + parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2]},
			{"a refresh token as bearer", "Bearer " + refresh},
			{"garbage", "Bearer a.b.c"},
			{"two tokens", "Bearer " + valid + " " + valid},
			{"Bearer without a token", "Bearer"},
			{"Bearer and a space", "Bearer "},
			{"Basic", "Basic bGVhZGVyOnBhc3N3b3Jk"},
			{"a token without a scheme", valid},
		}
		messages := map[string]string{}
		for _, a := range attacks {
			t.Run(a.name, func(t *testing.T) {
				r := e.DoAuthorization(t, a.authorization, meQuery, nil)
				if r.Status != http.StatusUnauthorized || r.Code() != "UNAUTHENTICATED" {
					t.Errorf("want 401 UNAUTHENTICATED, got %s", r)
				}
				if r.Value("me") != nil {
					t.Errorf("the request ran: %s", r)
				}
				messages[r.Message()] = a.name
			})
		}
		if len(messages) > 1 {
			t.Errorf("the attacks get different messages, which tell which check failed: %v", messages)
		}

		t.Run("100,000 dots", func(t *testing.T) {
			r := e.DoAuthorization(t, "Bearer "+strings.Repeat(".", 100_000), meQuery, nil)
			if r.Status != http.StatusUnauthorized && r.Status != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("want 401 or 431, got %s", r)
			}
			if r.Status == http.StatusUnauthorized && r.Code() != "UNAUTHENTICATED" {
				t.Errorf("401 without UNAUTHENTICATED: %s", r)
			}
			if r.Elapsed > time.Second {
				t.Errorf("rejecting it took %v", r.Elapsed)
			}
		})

		t.Run("no credentials are anonymous, not an error", func(t *testing.T) {
			r := e.Do(t, "", meQuery, nil).Must(t)
			if r.Value("me") != nil {
				t.Errorf("me: %s", r)
			}
		})
	})
}
