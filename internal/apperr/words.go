package apperr

import (
	"time"

	"github.com/jimei-linli/linli/internal/localtime"
)

// Duration says d in words for a message: "2 hours", "30 minutes",
// "1 hour 30 minutes", "1 day 2 hours", "45 seconds". It counts whole days,
// hours, minutes and seconds, largest first, and leaves out the units that
// are zero; a fraction of a second counts as a whole one, so that "try
// again in" never says too little. A duration of zero or less is
// "0 minutes". (Messages keep a duration in words, never Go's 2h0m0s.)
func Duration(d time.Duration) string {
	if d <= 0 {
		return "0 minutes"
	}
	if rest := d % time.Second; rest != 0 {
		d += time.Second - rest
	}
	return localtime.Spell(d, time.Second)
}
