package canteen

import (
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/internal/apperr"
)

// Qualifies says what a beneficiary qualifies for on a meal day.
type Qualifies struct {
	// Age is their age on the meal day by a birth date staff verified; -1
	// when none is (then no age tier applies).
	Age int
	// UnverifiedAge is their age on the meal day by a birth date only
	// declared (by themselves or a guardian), which gives no tier; -1 when
	// there is none or it is verified.
	UnverifiedAge int
	// LowIncome and Disabled say they hold a valid recorded qualification.
	LowIncome, Disabled bool
}

// Subsidy returns the subsidy per meal of tier at canteen c, in fen.
func Subsidy(c *ent.Canteen, tier mealorder.Tier) int {
	switch tier {
	case mealorder.TierAGE_60_79:
		return c.SubsidyAge6079
	case mealorder.TierAGE_80_PLUS:
		return c.SubsidyAge80Plus
	case mealorder.TierLOW_INCOME:
		return c.SubsidyLowIncome
	case mealorder.TierDISABLED:
		return c.SubsidyDisabled
	}
	return 0
}

// Eligible returns the tiers q qualifies for at canteen c, best first (the
// largest subsidy; REGULAR, which everyone has, last among equals).
func Eligible(c *ent.Canteen, q Qualifies) []mealorder.Tier {
	tiers := []mealorder.Tier{}
	switch {
	case q.Age >= 80:
		tiers = append(tiers, mealorder.TierAGE_80_PLUS)
	case q.Age >= 60:
		tiers = append(tiers, mealorder.TierAGE_60_79)
	}
	if q.LowIncome {
		tiers = append(tiers, mealorder.TierLOW_INCOME)
	}
	if q.Disabled {
		tiers = append(tiers, mealorder.TierDISABLED)
	}
	tiers = append(tiers, mealorder.TierREGULAR)
	// A stable insertion sort by subsidy, largest first: a handful of tiers.
	for i := 1; i < len(tiers); i++ {
		for j := i; j > 0 && Subsidy(c, tiers[j]) > Subsidy(c, tiers[j-1]); j-- {
			tiers[j], tiers[j-1] = tiers[j-1], tiers[j]
		}
	}
	return tiers
}

// Breakdown is what a meal costs and who pays what, in fen.
type Breakdown struct {
	Tier          mealorder.Tier
	ListPrice     int
	Subsidy       int
	CreditMinutes int
	CreditValue   int
	AmountPaid    int
}

// Price computes the breakdown of a meal with the given list price at
// canteen c in tier, paying creditMinutes of time-bank credit. The subsidy
// never exceeds the list price; credit may pay at most what the subsidy
// leaves, and only at a canteen that takes credit.
func Price(c *ent.Canteen, tier mealorder.Tier, listPrice, creditMinutes int) (Breakdown, error) {
	b := Breakdown{Tier: tier, ListPrice: listPrice, CreditMinutes: creditMinutes}
	b.Subsidy = min(Subsidy(c, tier), listPrice)
	rest := listPrice - b.Subsidy
	if creditMinutes < 0 {
		return b, apperr.New(apperr.BadUserInput, "credit minutes cannot be negative")
	}
	if creditMinutes > 0 {
		if c.CreditFenPerMinute == 0 {
			return b, apperr.New(apperr.BadUserInput, "%s does not take time-bank credit", c.Name)
		}
		b.CreditValue = creditMinutes * c.CreditFenPerMinute
		if b.CreditValue > rest {
			return b, apperr.New(apperr.BadUserInput,
				"credit can pay at most what is left after the subsidy (%s): at most %d minutes here",
				Yuan(rest), rest/c.CreditFenPerMinute)
		}
	}
	b.AmountPaid = rest - b.CreditValue
	return b, nil
}

// Yuan formats an amount in fen as yuan, e.g. ¥12.50.
func Yuan(fen int) string { return fmt.Sprintf("¥%d.%02d", fen/100, fen%100) }

// AgeOn returns the age on day of someone born on birth (a date: its
// year, month and day in UTC, as birth dates are stored).
func AgeOn(birth time.Time, day time.Time) int {
	by, bm, bd := birth.UTC().Date()
	y, m, d := day.Date()
	age := y - by
	if m < bm || (m == bm && d < bd) {
		age--
	}
	return age
}
