package localtime_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/localtime"
)

func TestDayIsTheStreetsDay(t *testing.T) {
	// 17:30 UTC on the 25th is 01:30 on the 26th in Xiamen.
	got := localtime.Day(time.Date(2026, 11, 25, 17, 30, 0, 0, time.UTC))
	want := time.Date(2026, 11, 26, 0, 0, 0, 0, localtime.Zone)
	if !got.Equal(want) || got.Location() != localtime.Zone {
		t.Fatalf("Day = %v, want %v", got, want)
	}
}

func TestInWords(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{2 * time.Hour, "2 hours"},
		{30 * time.Minute, "30 minutes"},
		{90 * time.Minute, "1 hour 30 minutes"},
		{time.Minute, "1 minute"},
		{14*time.Minute + 59*time.Second, "14 minutes"},
		{61 * time.Minute, "1 hour 1 minute"},
		{50 * time.Hour, "2 days 2 hours"},
		{24*time.Hour + 5*time.Minute, "1 day 5 minutes"},
		{40 * time.Second, "less than a minute"},
		{0, "less than a minute"},
		{-45 * time.Minute, "45 minutes"},
	} {
		if got := localtime.InWords(tc.d); got != tc.want {
			t.Errorf("InWords(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestClockReadsInXiamen(t *testing.T) {
	if got := localtime.Clock(time.Date(2026, 12, 2, 5, 30, 0, 0, time.UTC)); got != "2026-12-02 13:30" {
		t.Errorf("Clock = %q", got)
	}
}
