package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/apperr"
)

func TestPresent(t *testing.T) {
	validation := gqlerror.Errorf(`Cannot query field "communitie" on type "Query". Did you mean "communities"?`)
	errcode.Set(validation, errcode.ValidationFailed)
	parse := gqlerror.Errorf("Expected Name, found <EOF>")
	errcode.Set(parse, errcode.ParseFailed)

	for _, tc := range []struct {
		name       string
		err        error
		production bool
		code       apperr.Code
		msg        string
		logged     bool
	}{
		{"apperr", apperr.New(apperr.Conflict, "the slot is taken"), false, apperr.Conflict, "the slot is taken", false},
		{"wrapped apperr", fmt.Errorf("booking: %w", apperr.New(apperr.RateLimited, "slow down")), false, apperr.RateLimited, "slow down", false},
		{"apperr in gqlerror", gqlerror.WrapPath(nil, apperr.New(apperr.Unauthenticated, "sign in first")), false, apperr.Unauthenticated, "sign in first", false},
		{"ent not found", fmt.Errorf("loading grid: %w", &ent.NotFoundError{}), false, apperr.NotFound, "not found", false},
		{"privacy deny", fmt.Errorf("grid 7: %w", privacy.Deny), false, apperr.NotFound, "not found", false},
		{"privacy denyf", privacy.Denyf("viewer 3 is not staff of grid 7"), false, apperr.NotFound, "not found", false},
		{"ent validation", fmt.Errorf("creating: %w", &ent.ValidationError{Name: "birth_date"}), false, apperr.BadUserInput, `invalid value for field "birthDate"`, false},
		{"ent constraint", &ent.ConstraintError{}, false, apperr.Conflict, "the change conflicts with existing data", false},
		{"deadline", fmt.Errorf("sql: %w", context.DeadlineExceeded), false, apperr.Internal, "internal error", true},
		{"validation", validation, false, apperr.ValidationFailed, validation.Message, false},
		{"validation in production", validation, true, apperr.ValidationFailed, `Cannot query field "communitie" on type "Query".`, false},
		{"parse", parse, true, apperr.ParseFailed, "Expected Name, found <EOF>", false},
		{"empty filter under not", fmt.Errorf("%w: field 'not'", ent.ErrEmptyCommunityWhereInput), false, apperr.BadUserInput, "an empty filter ({}) inside not, and or or selects nothing; leave it out", false},
		{"plain", errors.New("pq: relation grids does not exist"), false, apperr.Internal, "internal error", true},
		{"gqlerror without code", gqlerror.Errorf("must not be null"), false, apperr.Internal, "internal error", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncBuffer{}
			p := &presenter{logger: slog.New(slog.NewTextHandler(logs, nil)), production: tc.production}
			got := p.present(context.Background(), tc.err)
			if got.Extensions["code"] != string(tc.code) || got.Message != tc.msg {
				t.Errorf("got %v %q, want %s %q", got.Extensions["code"], got.Message, tc.code, tc.msg)
			}
			if logged := logs.String() != ""; logged != tc.logged {
				t.Errorf("logged %v, want %v:\n%s", logged, tc.logged, logs)
			}
			if tc.logged && !strings.Contains(logs.String(), tc.err.Error()) {
				t.Errorf("the log lacks the error:\n%s", logs)
			}
		})
	}
	if (&presenter{}).present(context.Background(), nil) != nil {
		t.Error("a nil error must present as nil")
	}
}

// TestPresentRetryAfter: RATE_LIMITED and UNAVAILABLE always tell the app
// how many seconds to wait (extensions.retryAfter), from the error or a
// default when its source said nothing.
func TestPresentRetryAfter(t *testing.T) {
	p := &presenter{logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil))}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"rate limited with a wait", &apperr.Error{Code: apperr.RateLimited, Message: "slow down", RetryAfter: 2500 * time.Millisecond}, 3},
		{"rate limited without one", apperr.New(apperr.RateLimited, "slow down"), 1},
		{"unavailable without one", apperr.New(apperr.Unavailable, "shutting down"), 1},
	} {
		got := p.present(context.Background(), tc.err)
		if got.Extensions["retryAfter"] != tc.want {
			t.Errorf("%s: retryAfter = %v (%T), want %d", tc.name, got.Extensions["retryAfter"], got.Extensions["retryAfter"], tc.want)
		}
	}
	if got := p.present(context.Background(), apperr.New(apperr.Conflict, "taken")); got.Extensions["retryAfter"] != nil {
		t.Errorf("a CONFLICT has retryAfter %v", got.Extensions["retryAfter"])
	}
}

func TestRecover(t *testing.T) {
	logs := &syncBuffer{}
	p := &presenter{logger: slog.New(slog.NewTextHandler(logs, nil))}
	ctx := graphql.WithResponseContext(context.Background(), p.present, p.recover)
	got := p.present(ctx, p.recover(ctx, "secret detail"))
	if got.Extensions["code"] != "INTERNAL" || got.Message != "internal error" {
		t.Errorf("got %v %q", got.Extensions["code"], got.Message)
	}
	if l := logs.String(); !strings.Contains(l, "secret detail") || !strings.Contains(l, "stack=") || strings.Count(l, "\n") != 1 {
		t.Errorf("want one log line with the panic and its stack:\n%s", l)
	}
}
