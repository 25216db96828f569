package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func testTokens(t *testing.T, now time.Time) *Tokens {
	t.Helper()
	tok, err := NewTokens(testSecret, "linli", "linli-app", 15*time.Minute, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssueAndVerify(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tok := testTokens(t, now)
	s, exp, err := tok.Issue(42, "family-1")
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(15 * time.Minute)) {
		t.Errorf("expiresAt = %v", exp)
	}
	got, err := tok.Verify(s)
	if err != nil || got.ResidentID != 42 || got.SessionID != "family-1" || !got.ExpiresAt.Equal(exp) {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	// Two tokens issued at the same second differ (jti).
	s2, _, _ := tok.Issue(42, "family-1")
	if s2 == s {
		t.Error("two tokens are identical; jti is missing")
	}
}

func TestNewTokensRefusesShortSecret(t *testing.T) {
	if _, err := NewTokens([]byte("short"), "linli", "linli-app", time.Minute, nil); err == nil {
		t.Fatal("a 5-byte secret was accepted")
	}
}

// sign signs claims with the test secret and the given method.
func sign(t *testing.T, m jwt.SigningMethod, claims jwt.Claims, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyRejectsAttacks(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	tok := testTokens(t, now)
	good := func() AccessClaims {
		return AccessClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer: "linli", Audience: jwt.ClaimStrings{"linli-app"}, Subject: "42",
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now), ID: "j1",
			},
			Type:      "access",
			SessionID: "family-1",
		}
	}
	valid := sign(t, jwt.SigningMethodHS256, good(), testSecret)
	if _, err := tok.Verify(valid); err != nil {
		t.Fatalf("the control token is refused: %v", err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := strings.Replace(string(payload), `"sub":"42"`, `"sub":"43"`, 1)
	tamperedToken := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2]
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

	attacks := map[string]string{
		"alg none": noneHeader + "." + parts[1] + ".",
		"alg none (library)": func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good()).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}(),
		"RS256 instead of HS256":      sign(t, jwt.SigningMethodRS256, good(), rsaKey),
		"HS512 with the right secret": sign(t, jwt.SigningMethodHS512, good(), testSecret),
		"wrong secret":                sign(t, jwt.SigningMethodHS256, good(), []byte("another-secret-another-secret-xx")),
		"wrong issuer": func() string {
			c := good()
			c.Issuer = "evil"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"wrong audience": func() string {
			c := good()
			c.Audience = jwt.ClaimStrings{"other-app"}
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"missing exp": func() string {
			c := good()
			c.ExpiresAt = nil
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"past exp": func() string {
			c := good()
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Second))
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"issued in the future": func() string {
			c := good()
			c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour))
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"not an access token": func() string {
			c := good()
			c.Type = "refresh"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"no typ": func() string {
			c := good()
			c.Type = ""
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"no session": func() string {
			c := good()
			c.SessionID = ""
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"subject not a resident": func() string {
			c := good()
			c.Subject = "admin"
			return sign(t, jwt.SigningMethodHS256, c, testSecret)
		}(),
		"tampered payload":   tamperedToken,
		"opaque refresh":     "dGhpcyBpcyBhIHJlZnJlc2ggdG9rZW4gbm90IGEgand0",
		"100,000 dots":       strings.Repeat(".", 100_000),
		"empty":              "",
		"garbage three part": "a.b.c",
	}
	for name, token := range attacks {
		t.Run(name, func(t *testing.T) {
			if got, err := tok.Verify(token); err != ErrInvalidToken {
				t.Errorf("Verify accepted it: %+v err=%v", got, err)
			}
		})
	}
}

func BenchmarkVerifyRejectsDots(b *testing.B) {
	tok, _ := NewTokens(testSecret, "linli", "linli-app", time.Minute, nil)
	dots := strings.Repeat(".", 100_000)
	b.ReportAllocs()
	for b.Loop() {
		tok.Verify(dots)
	}
}
