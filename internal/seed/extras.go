package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
)

// Written is what the map part of the seed wrote, for the parts that build
// on it (guardianships, requests, Red Neighbor, canteens, care): the IDs of
// what they refer to, by the codes and phones of DemoAccounts and the plan.
type Written struct {
	// StreetID is the demo street.
	StreetID int
	// Communities, Grids and Departments map codes to IDs.
	Communities map[string]int
	Grids       map[string]int
	Departments map[string]int
	// Residents maps the phones of the demo accounts to resident IDs.
	Residents map[string]int
	// GridResidents lists the IDs of each grid's residents (by grid code),
	// in insertion order, demo accounts included.
	GridResidents map[string][]int
	// Today is the day the seed runs (midnight, Asia/localtime.Zone): parts that
	// need "this week" or "the last few months" count from it, so a seed
	// is the same all day long.
	Today time.Time
}

// Extra is one part of the demo street written after the map, in the same
// transaction.
type Extra struct {
	// Name says what it writes, for errors.
	Name string
	// Write writes it through c (the seed transaction's client).
	Write func(ctx context.Context, c *ent.Client, w *Written) error
}

// extras are written in this order after the map. A capability adds its
// demo data by adding a line here.
var extras = []Extra{
	{"guardianships", writeGuardianships},
	{"requests", writeRequests},
	{"care", writeCare},
	{"red neighbor", writeRedNeighbor},
	{"canteen", writeCanteen},
}

// writeExtras writes every extra part in order.
func writeExtras(ctx context.Context, c *ent.Client, w *Written) error {
	for _, x := range extras {
		if err := x.Write(ctx, c, w); err != nil {
			return fmt.Errorf("seed: %s: %w", x.Name, err)
		}
	}
	return nil
}

// writeGuardianships makes the demo guardian (PhoneGuardian) the active
// guardian of his mother, the demo elder (PhoneElder), with her consent,
// witnessed by the grid worker of shengguang-01.
func writeGuardianships(ctx context.Context, c *ent.Client, w *Written) error {
	at := w.Today.AddDate(0, -3, 0)
	return c.Guardianship.Create().
		SetGuardianID(w.Residents[PhoneGuardian]).
		SetDependentID(w.Residents[PhoneElder]).
		SetRelation("PARENT").
		SetStatus("ACTIVE").
		SetConsentMethod("STAFF_WITNESSED").
		SetConsentRecordedByID(w.Residents[PhoneGridWorker]).
		SetConsentedAt(at).
		SetCreatedAt(at).SetUpdatedAt(at).
		Exec(ctx)
}
