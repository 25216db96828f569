package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndMessage(t *testing.T) {
	wrapped := fmt.Errorf("loading grid: %w", New(NotFound, "grid %d not found", 7))
	if got := CodeOf(wrapped); got != NotFound {
		t.Errorf("CodeOf(wrapped) = %q, want NOT_FOUND", got)
	}
	if got := MessageOf(wrapped); got != "grid 7 not found" {
		t.Errorf("MessageOf(wrapped) = %q", got)
	}
	plain := errors.New("pq: connection refused")
	if got := CodeOf(plain); got != Internal {
		t.Errorf("CodeOf(plain) = %q, want INTERNAL", got)
	}
	if got := MessageOf(plain); got != "internal error" {
		t.Errorf("MessageOf(plain) leaks %q", got)
	}
	if got := CodeOf(nil); got != "" {
		t.Errorf("CodeOf(nil) = %q, want empty", got)
	}
}
