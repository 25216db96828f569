package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token types: the `typ` claim tells an access token from anything else
// Linli might sign, so that no other token can be used as an access token.
const tokenTypeAccess = "access"

// MinSecretBytes is the shortest signing secret Linli accepts.
const MinSecretBytes = 32

// maxTokenBytes bounds the size of a token Linli will even try to parse; a
// real access token is a few hundred bytes.
const maxTokenBytes = 2048

// ErrInvalidToken is returned for any access token that is malformed,
// forged, expired, or not an access token. Callers map it to UNAUTHENTICATED
// without saying which check failed.
var ErrInvalidToken = errors.New("auth: invalid access token")

// Tokens signs and verifies access tokens: short-lived HS256 JWTs with the
// algorithm, issuer and audience pinned and the expiry required.
type Tokens struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// AccessClaims are the claims of a Linli access token.
type AccessClaims struct {
	jwt.RegisteredClaims
	// Type is always "access".
	Type string `json:"typ"`
	// SessionID is the refresh-token family the token was issued under:
	// signing out revokes it, and with it every access token it issued.
	SessionID string `json:"sid"`
}

// Access is what a verified access token says.
type Access struct {
	ResidentID int
	SessionID  string
	ExpiresAt  time.Time
}

// NewTokens returns a signer and verifier for access tokens that live ttl.
// The secret must have at least MinSecretBytes bytes.
func NewTokens(secret []byte, issuer, audience string, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("auth: the JWT secret has %d bytes; it needs at least %d", len(secret), MinSecretBytes)
	}
	if ttl <= 0 {
		return nil, errors.New("auth: access-token lifetime must be positive")
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{secret: secret, issuer: issuer, audience: audience, ttl: ttl, now: now}, nil
}

// TTL returns how long an access token lives.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue returns a new access token for the resident with the given ID,
// under the session (refresh-token family) sessionID, and when it expires.
func (t *Tokens) Issue(residentID int, sessionID string) (token string, expiresAt time.Time, err error) {
	now := t.now().Truncate(time.Second)
	expiresAt = now.Add(t.ttl)
	jti, err := randomToken(16)
	if err != nil {
		return "", time.Time{}, err
	}
	claims := AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Audience:  jwt.ClaimStrings{t.audience},
			Subject:   strconv.Itoa(residentID),
			ExpiresAt: jwt.NewNumericDate(expiresAt),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		Type:      tokenTypeAccess,
		SessionID: sessionID,
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	return token, expiresAt, err
}

// Verify checks an access token and returns what it says. Any failure is
// ErrInvalidToken.
func (t *Tokens) Verify(token string) (Access, error) {
	if len(token) == 0 || len(token) > maxTokenBytes {
		return Access{}, ErrInvalidToken
	}
	var claims AccessClaims
	_, err := jwt.ParseWithClaims(token, &claims,
		func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding(),
	)
	if err != nil || claims.Type != tokenTypeAccess || claims.ID == "" || claims.SessionID == "" {
		return Access{}, ErrInvalidToken
	}
	id, err := strconv.Atoi(claims.Subject)
	if err != nil || id <= 0 {
		return Access{}, ErrInvalidToken
	}
	return Access{ResidentID: id, SessionID: claims.SessionID, ExpiresAt: claims.ExpiresAt.Time}, nil
}
