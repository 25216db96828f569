package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Push is one notification for one device, as a Gateway sends it.
type Push struct {
	// IdempotencyKey is the same on every attempt to push this notification
	// to this device: the gateway drops a key it has already accepted.
	IdempotencyKey string `json:"idempotencyKey"`
	// Platform is IOS, ANDROID or WEB.
	Platform string `json:"platform"`
	// Token is the platform's push token of the device.
	Token string `json:"token"`
	// NotificationID is the notification's ID (the app opens it).
	NotificationID int `json:"notificationId"`
	// Kind, Title and Body are what the notification says.
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Gateway sends pushes to devices. Send returns nil once the gateway has
// accepted the push; an error wrapping ErrRejected or ErrTokenGone when
// retrying cannot help; any other error when a later attempt may succeed.
type Gateway interface {
	Send(ctx context.Context, p Push) error
}

// ErrRejected marks a push the gateway refused for good: it is not retried.
var ErrRejected = errors.New("push rejected")

// ErrTokenGone marks a push to a token that no longer exists (the app was
// uninstalled): it is not retried, and the device is deleted.
var ErrTokenGone = errors.New("push token gone")

// WebhookGateway POSTs each push as JSON (the fields of Push) to URL, with
// the push's idempotency key in the Idempotency-Key header. A 2xx answer
// means sent; 410 Gone means the token is dead; any other 4xx but 408 and
// 429 means rejected; 408, 429, 5xx, no answer within Timeout or a network
// error mean try again later.
type WebhookGateway struct {
	URL string
	// Timeout bounds one attempt (DefaultWebhookTimeout when zero).
	Timeout time.Duration
	// Client sends the requests (http.DefaultClient when nil).
	Client *http.Client
}

// DefaultWebhookTimeout bounds one webhook attempt.
const DefaultWebhookTimeout = 10 * time.Second

// Send implements Gateway.
func (g WebhookGateway) Send(ctx context.Context, p Push) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	timeout := g.Timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: push gateway: %v", ErrRejected, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", p.IdempotencyKey)
	client := g.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("push gateway: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	status := resp.Status
	if s := strings.TrimSpace(string(answer)); s != "" {
		status += ": " + s
	}
	switch c := resp.StatusCode; {
	case c/100 == 2:
		return nil
	case c == http.StatusGone:
		return fmt.Errorf("%w: push gateway answered %s", ErrTokenGone, status)
	case c/100 == 4 && c != http.StatusRequestTimeout && c != http.StatusTooManyRequests:
		return fmt.Errorf("%w: push gateway answered %s", ErrRejected, status)
	default:
		return fmt.Errorf("push gateway answered %s", status)
	}
}
