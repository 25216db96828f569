package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/config"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
)

// rateLimitKeys start the rate limiters' Redis keys, after
// LINLI_REDIS_PREFIX.
const rateLimitKeys = "ratelimit:"

// newAuth builds the sign-in service for cfg: the token secret, the code
// sender and the rate limiter (in Redis when rdb is not nil); sign-outs
// go through outbox to close the sessions' websockets. now is the clock
// codes, sessions and tokens are issued and checked on.
func newAuth(cfg config.Config, s *store.Store, rdb *redis.Client, outbox *realtime.Outbox, now func() time.Time, log *slog.Logger) (*auth.Service, error) {
	var sender auth.CodeSender = auth.LogSender{Logger: log}
	switch {
	case cfg.SMSWebhookURL != "":
		sender = auth.WebhookSender{URL: cfg.SMSWebhookURL}
	case cfg.Production():
		return nil, errors.New("production needs LINLI_SMS_WEBHOOK_URL: sign-in codes must not go to the log")
	}
	return newAuthWith(cfg, sender, s, rdb, outbox, now, log)
}

// newAuthWith is newAuth sending sign-in codes through sender.
func newAuthWith(cfg config.Config, sender auth.CodeSender, s *store.Store, rdb *redis.Client, outbox *realtime.Outbox, now func() time.Time, log *slog.Logger) (*auth.Service, error) {
	secret, err := jwtSecret(cfg, log)
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(secret, "linli", "linli-app", cfg.AccessTokenTTL, now)
	if err != nil {
		return nil, err
	}
	var limiter ratelimit.Limiter = ratelimit.NewMemory(now)
	if rdb != nil {
		limiter = &ratelimit.Fallback{Primary: ratelimit.NewRedis(rdb, cfg.RedisPrefix+rateLimitKeys), Secondary: limiter, Logger: log}
	}
	policy := auth.DefaultPolicy
	policy.PrivacyNoticeVersion = cfg.PrivacyNoticeVersion
	return auth.NewService(auth.Config{
		Client: s.Client, Tokens: tokens, Sender: sender, Limiter: limiter, Policy: policy, Secret: secret,
		Outbox: outbox, Now: now,
	})
}

// openRedis connects to LINLI_REDIS_URL, or returns nil when it is not set.
func openRedis(ctx context.Context, cfg config.Config) (*redis.Client, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("LINLI_REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to Redis: %w", err)
	}
	return rdb, nil
}

// jwtSecret returns the configured secret. Without one, production refuses
// to start; development makes one and keeps it in a file beside its SQLite
// database (or in the working folder), so tokens survive a restart.
func jwtSecret(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.JWTSecret != "" {
		return []byte(cfg.JWTSecret), nil
	}
	if cfg.Production() {
		return nil, errors.New("production needs LINLI_JWT_SECRET (at least 32 bytes)")
	}
	if cfg.DatabaseURL == ":memory:" {
		return randomSecret()
	}
	path := ".linli-jwt-secret"
	if !store.IsPostgres(cfg.DatabaseURL) {
		path = cfg.DatabaseURL + ".jwt-secret"
	}
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= auth.MinSecretBytes {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	secret, err := randomSecret()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		return nil, fmt.Errorf("keep the development JWT secret: %w", err)
	}
	log.Info("made a development JWT secret", "file", path)
	return secret, nil
}

func randomSecret() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(base64.RawURLEncoding.EncodeToString(b)), nil
}
