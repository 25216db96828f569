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
