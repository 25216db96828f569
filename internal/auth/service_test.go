package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
)

var secret = []byte("service-test-secret-service-test-secret")

// lastCode is a CodeSender that remembers the last code per phone.
type lastCode struct {
	mu    sync.Mutex
	codes map[string]string
}

func (l *lastCode) SendCode(_ context.Context, phone, code string, _ time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[phone] = code
	return nil
}

func (l *lastCode) get(phone string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.codes[phone]
}

func newService(t *testing.T, s *store.Store) (*auth.Service, *lastCode) {
	t.Helper()
	tokens, err := auth.NewTokens(secret, "linli", "linli-app", 15*time.Minute, testclock.Start)
	if err != nil {
		t.Fatal(err)
	}
	sender := &lastCode{codes: map[string]string{}}
	policy := auth.DefaultPolicy
	policy.SignInsPerPhone = ratelimit.Limit{Max: 1000, Window: time.Minute}
	policy.SignInsPerAddress = ratelimit.Limit{Max: 1000, Window: time.Minute}
	svc, err := auth.NewService(auth.Config{
		Client: s.Client, Tokens: tokens, Sender: sender, Limiter: ratelimit.NewMemory(testclock.Start),
		Policy: policy, Secret: secret, Now: testclock.Start,
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, sender
}

// TestConcurrentSignInsUseACodeOnce races 20 sign-ins with the right code:
// exactly one opens a session.
func TestConcurrentSignInsUseACodeOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, sender := newService(t, s)
		ctx := context.Background()
		const p = "13700000001"
		if _, _, err := svc.RequestCode(ctx, p); err != nil {
			t.Fatal(err)
		}
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.SignIn(ctx, p, sender.get(p), auth.DefaultPolicy.PrivacyNoticeVersion); err == nil {
					wins.Add(1)
				} else if c := apperr.CodeOf(err); c != apperr.Unauthenticated {
					t.Errorf("a losing sign-in failed with %s: %v", c, err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d sign-ins succeeded with one code; want exactly 1", wins.Load())
		}
	})
}

// TestConcurrentRefreshRevokesTheFamily races two exchanges of one refresh
// token: at most one succeeds, and then the family is revoked, so even the
// winner's new token stops working.
func TestConcurrentRefreshRevokesTheFamily(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, sender := newService(t, s)
		ctx := context.Background()
		const p = "13700000002"
		svc.RequestCode(ctx, p)
		sess, err := svc.SignIn(ctx, p, sender.get(p), auth.DefaultPolicy.PrivacyNoticeVersion)
		if err != nil {
			t.Fatal(err)
		}
		results := make([]*auth.Session, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = svc.Refresh(ctx, sess.RefreshToken)
			}()
		}
		wg.Wait()
		wins := 0
		for i := range 2 {
			if errs[i] == nil {
				wins++
			} else if c := apperr.CodeOf(errs[i]); c != apperr.Unauthenticated {
				t.Errorf("refresh failed with %s: %v", c, errs[i])
			}
		}
		if wins > 1 {
			t.Fatalf("both concurrent refreshes succeeded")
		}
		for i := range 2 {
			if results[i] == nil {
				continue
			}
			if _, err := svc.Refresh(ctx, results[i].RefreshToken); err == nil && wins == 1 && errs[1-i] != nil {
				t.Errorf("the family survived a reused refresh token")
			}
			if _, err := svc.Viewer(ctx, results[i].AccessToken); err == nil && errs[1-i] != nil {
				t.Errorf("an access token of a revoked family still works")
			}
		}
	})
}

func TestWebhookSender(t *testing.T) {
	var got map[string]string
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&got)
	}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gateway down", http.StatusBadGateway)
	}))
	defer failing.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer slow.Close()
	ctx := context.Background()
	exp := time.Date(2026, 11, 26, 9, 5, 0, 0, time.UTC)
	if err := (auth.WebhookSender{URL: ok.URL}).SendCode(ctx, "13900000001", "123456", exp); err != nil {
		t.Fatal(err)
	}
	if got["phone"] != "13900000001" || got["code"] != "123456" || got["expiresAt"] != "2026-11-26T09:05:00Z" {
		t.Errorf("gateway got %v", got)
	}
	if err := (auth.WebhookSender{URL: failing.URL}).SendCode(ctx, "13900000001", "123456", exp); err == nil {
		t.Error("a 502 from the gateway is not an error")
	}
	start := time.Now()
	if err := (auth.WebhookSender{URL: slow.URL, Timeout: 100 * time.Millisecond}).SendCode(ctx, "13900000001", "123456", exp); err == nil {
		t.Error("a gateway past the timeout is not an error")
	}
	if time.Since(start) > time.Second {
		t.Error("the timeout was not applied")
	}
}
