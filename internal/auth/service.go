package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
)

// Policy holds the numbers of the sign-in flow.
type Policy struct {
	// CodeTTL is how long a sign-in code works (5 minutes).
	CodeTTL time.Duration
	// MaxCodeAttempts is how many wrong codes lock a code (5).
	MaxCodeAttempts int
	// RefreshTTL is how long an unused refresh token works (30 days).
	RefreshTTL time.Duration
	// CodesPerPhone limits code requests per phone; CodesPerPhoneBurst is the
	// shortest spacing (one a minute); CodesPerAddress limits code requests
	// per client address; SignInsPerAddress and SignInsPerPhone limit signIn
	// attempts.
	CodesPerPhone, CodesPerPhoneBurst, CodesPerAddress ratelimit.Limit
	SignInsPerAddress, SignInsPerPhone                 ratelimit.Limit
	// PrivacyNoticeVersion is the version of the privacy notice a resident
	// must accept to sign in.
	PrivacyNoticeVersion string
}

// DefaultPolicy is the sign-in policy of the issue: 5-minute codes locked
// after 5 wrong tries, 30-day refresh tokens.
var DefaultPolicy = Policy{
	CodeTTL:              5 * time.Minute,
	MaxCodeAttempts:      5,
	RefreshTTL:           30 * 24 * time.Hour,
	CodesPerPhone:        ratelimit.Limit{Max: 5, Window: time.Hour},
	CodesPerPhoneBurst:   ratelimit.Limit{Max: 1, Window: time.Minute},
	CodesPerAddress:      ratelimit.Limit{Max: 30, Window: time.Hour},
	SignInsPerAddress:    ratelimit.Limit{Max: 60, Window: 10 * time.Minute},
	SignInsPerPhone:      ratelimit.Limit{Max: 10, Window: 10 * time.Minute},
	PrivacyNoticeVersion: "2026-11-01",
}

// Service signs residents in and out and turns access tokens into viewers.
type Service struct {
	client  *ent.Client
	tokens  *Tokens
	sender  CodeSender
	limiter ratelimit.Limiter
	policy  Policy
	now     func() time.Time
	outbox  *realtime.Outbox
	// codeKey keys the HMAC of stored sign-in codes.
	codeKey []byte
}

// Config is what a Service needs.
type Config struct {
	Client  *ent.Client
	Tokens  *Tokens
	Sender  CodeSender
	Limiter ratelimit.Limiter
	Policy  Policy
	// Secret keys the HMAC of stored codes (the JWT secret will do: a
	// different purpose string is mixed in).
	Secret []byte
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Outbox, if set, carries SessionEnded events, so that a sign-out
	// closes the websockets of the sessions it ends.
	Outbox *realtime.Outbox
}

// NewService returns a sign-in service.
func NewService(c Config) (*Service, error) {
	if c.Client == nil || c.Tokens == nil || c.Sender == nil || c.Limiter == nil {
		return nil, errors.New("auth: NewService needs a client, tokens, a sender and a limiter")
	}
	if len(c.Secret) < MinSecretBytes {
		return nil, fmt.Errorf("auth: secret shorter than %d bytes", MinSecretBytes)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	mac := hmac.New(sha256.New, c.Secret)
	mac.Write([]byte("linli sign-in codes"))
	return &Service{
		client: c.Client, tokens: c.Tokens, sender: c.Sender, limiter: c.Limiter,
		policy: c.Policy, now: c.Now, outbox: c.Outbox, codeKey: mac.Sum(nil),
	}, nil
}

// PrivacyNoticeVersion returns the version residents accept at sign-in.
func (s *Service) PrivacyNoticeVersion() string { return s.policy.PrivacyNoticeVersion }

// Limiter returns the rate limiter the service counts with, for other
// services' limits to share (in Redis when instances do).
func (s *Service) Limiter() ratelimit.Limiter { return s.limiter }

// Tokens returns the access-token signer.
func (s *Service) Tokens() *Tokens { return s.tokens }

// allow counts one operation against limit (ratelimit.Check).
func (s *Service) allow(ctx context.Context, key string, limit ratelimit.Limit, what string) error {
	return ratelimit.Check(ctx, s.limiter, key, limit, what)
}

// hashCode returns the stored form of a sign-in code for a phone.
func (s *Service) hashCode(phone, code string) string {
	mac := hmac.New(sha256.New, s.codeKey)
	mac.Write([]byte(phone + "\x00" + code))
	return hex.EncodeToString(mac.Sum(nil))
}

// hashRefresh returns the stored form of a refresh token.
func hashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
