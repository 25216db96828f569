// Package seed builds Linli's demo street: Jimei Street (集美街道) as
// DOMAIN.md describes it, with 5 communities, 39 grids, Shengguang's 8
// compounds, 28 buildings, 320 self-built houses and 318 shops, a few
// thousand residents in their households, the departments that receive
// escalations, the staff of every grid, community, the street and every
// department, and the fixed demo accounts (DemoAccounts) that newcomers, the
// README and tests sign in with.
//
// The data is deterministic: it is drawn from a random source with a fixed
// seed, in a fixed order (ages are as of 2026-01-01; the demo elder's birth
// date is written out), so every run writes the same rows in the same order
// and, on a fresh database, gets the same IDs. The map never reads the
// clock; the extra parts (extras.go) that need "this week" count from the
// day of the instant the caller passes (the commands pass the real clock,
// tests their fixed one), so seeds at instants of the same day write the same
// rows and only timestamps differ between seeds on different days.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	_ "github.com/jimei-linli/linli/ent/runtime" // activates the role-scope hook
	"github.com/jimei-linli/linli/ent/street"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Result says what Demo wrote: how many rows of each kind it created.
type Result struct {
	// AlreadySeeded is set when the demo street was already there, in which
	// case Demo wrote nothing and all counts are zero.
	AlreadySeeded bool
	// Streets is the number of streets created (1).
	Streets int
	// Communities is the number of communities created.
	Communities int
	// Grids is the number of grids created.
	Grids int
	// Places is the number of places created.
	Places int
	// Households is the number of households created.
	Households int
	// Residents is the number of residents created, demo accounts included.
	Residents int
	// Departments is the number of departments created.
	Departments int
	// Roles is the number of role assignments created.
	Roles int
}

// Demo loads the demo street into the database through client, in one
// transaction: a failure leaves nothing behind. Running it on a database
// that already has the demo street (a street with code StreetCode) adds
// nothing and returns Result{AlreadySeeded: true}; so does losing a race
// with a concurrent Demo.
//
// Demo writes through client as ctx allows: once privacy policies guard the
// entities, ctx must be the system context.
//
// now is the instant the seed runs at: its day (in the street's zone) is
// the demo's "today", which this week's menus, the care slots around it and
// the months of history count from. Commands pass the real clock; tests pass
// their business clock, so the demo never depends on the hour they run.
func Demo(ctx context.Context, client *ent.Client, now time.Time) (Result, error) {
	ctx = viewer.SystemContext(ctx) // seeding is system work: privacy rules let it write the map
	p, err := buildPlan()
	if err != nil {
		return Result{}, err
	}
	// Another process may be seeding the same SQLite file (two `linli
	// serve --demo` at once): wait for it rather than fail, then find the
	// street there.
	tx, err := store.BeginLong(ctx, client, 2*time.Minute)
	if err != nil {
		return Result{}, fmt.Errorf("seed: begin: %w", err)
	}
	seeded, err := tx.Street.Query().Where(street.Code(StreetCode)).Exist(ctx)
	if err != nil {
		tx.Rollback()
		return Result{}, fmt.Errorf("seed: look for the demo street: %w", err)
	}
	if seeded {
		return Result{AlreadySeeded: true}, tx.Rollback()
	}
	res, err := p.write(ctx, tx.Client(), localtime.Day(now))
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if err != nil {
		// A concurrent Demo that committed first makes this one fail on the
		// street's unique code: the street is there, which is all we wanted.
		if ent.IsConstraintError(err) {
			if ok, _ := client.Street.Query().Where(street.Code(StreetCode)).Exist(ctx); ok {
				return Result{AlreadySeeded: true}, nil
			}
		}
		return Result{}, err
	}
	return res, nil
}
