package localtime

import (
	"fmt"
	"strings"
	"time"
)

// InWords says a duration the way a message to a resident does: whole days,
// hours and minutes, largest first and without the parts that are zero
// ("2 hours", "1 hour 30 minutes", "14 minutes", "3 days 2 hours").
// Seconds are dropped; anything under a minute is "less than a minute".
// A negative duration is said as its length.
func InWords(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return "less than a minute"
	}
	return Spell(d, time.Minute)
}

// Spell says d in whole days, hours, minutes and (when smallest is
// time.Second) seconds, largest first and without the parts that are zero;
// what is left under smallest is dropped. It is the one way messages say a
// duration: InWords for residents' times, apperr.Duration for retry waits.
// A d under smallest says nothing: callers decide how to word that.
func Spell(d, smallest time.Duration) string {
	var parts []string
	for _, u := range []struct {
		name string
		size time.Duration
	}{{"day", 24 * time.Hour}, {"hour", time.Hour}, {"minute", time.Minute}, {"second", time.Second}} {
		if u.size < smallest {
			break
		}
		if n := d / u.size; n > 0 {
			parts = append(parts, count(int(n), u.name))
			d -= n * u.size
		}
	}
	return strings.Join(parts, " ")
}

// count says n of unit, e.g. "1 hour", "2 hours".
func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Clock says an instant as the street reads it: "2026-12-02 13:30".
func Clock(t time.Time) string { return t.In(Zone).Format("2006-01-02 15:04") }
