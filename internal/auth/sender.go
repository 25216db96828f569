package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/localtime"
)

// CodeSender delivers a sign-in code to a phone. The context carries the
// language of the phone's resident (i18n.LocaleOf), which CodeText reads.
type CodeSender interface {
	SendCode(ctx context.Context, phone, code string, expiresAt time.Time) error
}

// LogSender is the development CodeSender: it writes the code to the server
// log instead of sending an SMS. Production refuses to run with it.
type LogSender struct {
	Logger *slog.Logger
}

// SendCode implements CodeSender.
func (s LogSender) SendCode(ctx context.Context, phone, code string, expiresAt time.Time) error {
	s.Logger.Info("sign-in code (development: not sent by SMS)", "phone", phone, "code", code, "expires_at", expiresAt.Format(time.RFC3339),
		"text", CodeText(ctx, code, expiresAt))
	return nil
}

// WebhookSender POSTs each code as JSON to an SMS gateway:
// {"phone": "...", "code": "...", "expiresAt": "RFC 3339 time", "text":
// "the SMS in the resident's language", "locale": "zh-Hans"}. Any
// answer other than 2xx, or no answer within Timeout, is a failure.
type WebhookSender struct {
	URL     string
	Timeout time.Duration
	Client  *http.Client
}

// SendCode implements CodeSender.
func (s WebhookSender) SendCode(ctx context.Context, phone, code string, expiresAt time.Time) error {
	body, err := json.Marshal(map[string]string{
		"phone": phone, "code": code, "expiresAt": expiresAt.UTC().Format(time.RFC3339),
		"text": CodeText(ctx, code, expiresAt), "locale": i18n.Name(i18n.LocaleOf(ctx)),
	})
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sms gateway: answered %s", resp.Status)
	}
	return nil
}

// CodeText is the SMS that carries code, in the language of ctx: the
// catalogue's i18n.SignInCode, with the expiry as Shanghai clock time.
func CodeText(ctx context.Context, code string, expiresAt time.Time) string {
	return i18n.SignInCode.Sprint(ctx, "code", code, "expires", expiresAt.In(localtime.Zone).Format("15:04"))
}
