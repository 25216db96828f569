// Package localtime is the street's clock face: the time zone in which Linli
// reads days, meal periods, care slots, cut-offs and the times it writes in
// messages. Jimei Street is in Xiamen, on China Standard Time (UTC+8, no
// daylight saving). Times are stored in UTC; only reading them as a day or
// an hour of the day needs Zone.
package localtime

import "time"

// Zone is China Standard Time.
var Zone = time.FixedZone("CST", 8*60*60)

// Day returns the midnight that begins t's day in Zone.
func Day(t time.Time) time.Time {
	t = t.In(Zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Zone)
}
