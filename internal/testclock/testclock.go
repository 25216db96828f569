// Package testclock is where tests get business time from. Every test that
// reads a business clock (deadlines, cut-offs, slots, the demo seed's "today")
// starts it at Start(), a fixed instant, never at the wall clock, so a suite
// passes or fails the same way whatever hour, weekday or date it runs on.
//
// LINLI_TEST_NOW (RFC 3339, e.g. 2026-12-05T15:30:00+08:00) moves that
// instant, so CI can run the suites at a weekday morning, a Saturday
// afternoon, a Sunday, 23:59 in Shanghai and the last day of a month.
package testclock

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// Env is the environment variable that sets the instant tests start at.
const Env = "LINLI_TEST_NOW"

// Default is the instant tests start at when Env is unset: a Wednesday
// morning in Xiamen (09:30 China Standard Time).
var Default = time.Date(2026, 12, 2, 1, 30, 0, 0, time.UTC)

var (
	once  sync.Once
	start time.Time
)

// Start returns the fixed instant of this test run, in UTC, to the second:
// LINLI_TEST_NOW when set, Default otherwise. A value that is not RFC 3339
// stops the run: a mistyped instant must not quietly test another hour.
func Start() time.Time {
	once.Do(func() {
		start = Default
		if v := os.Getenv(Env); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				panic(fmt.Sprintf("testclock: %s=%q is not an RFC 3339 time: %v", Env, v, err))
			}
			start = t
		}
		start = start.UTC().Truncate(time.Second)
	})
	return start
}
