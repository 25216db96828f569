package push_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/push"
)

func TestWebhookGatewayClassifiesAnswers(t *testing.T) {
	for _, tt := range []struct {
		status         int
		rejected, gone bool
		wantErr        bool
	}{
		{status: 200}, {status: 202}, {status: 204},
		{status: 400, wantErr: true, rejected: true},
		{status: 404, wantErr: true, rejected: true},
		{status: 408, wantErr: true},
		{status: 410, wantErr: true, gone: true},
		{status: 429, wantErr: true},
		{status: 500, wantErr: true},
		{status: 503, wantErr: true},
	} {
		g := newGateway(t, func(push.Push, int) int { return tt.status })
		err := g.webhook().Send(context.Background(), push.Push{IdempotencyKey: "n1-d2", Platform: "IOS", Token: "t", Title: "x"})
		if (err != nil) != tt.wantErr || errors.Is(err, push.ErrRejected) != tt.rejected || errors.Is(err, push.ErrTokenGone) != tt.gone {
			t.Errorf("%d: err %v; want error %v, rejected %v, gone %v", tt.status, err, tt.wantErr, tt.rejected, tt.gone)
		}
		if g.received("n1-d2") != 1 {
			t.Errorf("%d: the gateway got the key %d times", tt.status, g.received("n1-d2"))
		}
	}
}

func TestWebhookGatewayTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	err := push.WebhookGateway{URL: srv.URL, Timeout: 50 * time.Millisecond}.Send(context.Background(), push.Push{IdempotencyKey: "k"})
	if err == nil || errors.Is(err, push.ErrRejected) || errors.Is(err, push.ErrTokenGone) {
		t.Errorf("a timeout gave %v, want an error to retry", err)
	}
}

func TestBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{
		1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 7: 128 * time.Second,
		8: 256 * time.Second, 9: 5 * time.Minute, 30: 5 * time.Minute,
	} {
		if got := push.Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", attempts, got, want)
		}
	}
}
