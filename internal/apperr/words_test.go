package apperr

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{2 * time.Hour, "2 hours"},
		{30 * time.Minute, "30 minutes"},
		{90 * time.Minute, "1 hour 30 minutes"},
		{time.Hour, "1 hour"},
		{time.Minute, "1 minute"},
		{61 * time.Second, "1 minute 1 second"},
		{45 * time.Second, "45 seconds"},
		{24 * time.Hour, "1 day"},
		{72 * time.Hour, "3 days"},
		{26*time.Hour + 5*time.Minute, "1 day 2 hours 5 minutes"},
		{time.Hour + 30*time.Second, "1 hour 30 seconds"},
		{1500 * time.Millisecond, "2 seconds"},
		{time.Millisecond, "1 second"},
		{0, "0 minutes"},
		{-time.Hour, "0 minutes"},
	} {
		if got := Duration(c.d); got != c.want {
			t.Errorf("Duration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
