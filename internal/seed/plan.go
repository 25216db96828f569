package seed

import (
	"math/rand/v2"
	"time"

	"github.com/jimei-linli/linli/ent/department"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/roleassignment"
)

// plan is the whole demo street in memory, before it is written. Rows refer
// to each other by index into the plan's slices; the slices are in insertion
// order, so the database IDs follow from the plan.
type plan struct {
	communities []communityRow
	grids       []gridRow
	places      []placeRow
	households  []householdRow
	residents   []residentRow
	departments []departmentRow
	roles       []roleRow
}

type communityRow struct {
	code, name string
}

type gridRow struct {
	community        int
	number           int
	code, name, area string
}

type placeRow struct {
	grid          int
	kind          place.Kind
	name, address string
	lat, lng      *float64
}

type householdRow struct {
	place int
	unit  string
}

type residentRow struct {
	household   int
	name, phone string
	birth       time.Time
	// age is the age on referenceDate, used to pick staff.
	age int
	// staff is set once the resident holds a role, so that nobody is
	// picked twice.
	staff bool
}

type departmentRow struct {
	code, name, description string
	kind                    department.Kind
}

// scope says what kind of place a role is held in.
type scope int

const (
	inGrid scope = iota
	inCommunity
	inStreet
	inDepartment
)

type roleRow struct {
	resident int
	role     roleassignment.Role
	title    string
	scope    scope
	// target indexes the plan's grids, communities or departments (unused
	// for the street: there is one).
	target int
}

// referenceDate is the day on which generated ages hold: a resident drawn
// as 40 years old was born in 1985. Nothing reads the clock, so the data is
// the same whenever it is seeded.
var referenceDate = date(2026, 1, 1)

// builder draws the plan from one seeded random source. Every draw happens
// in a fixed order, so the plan is the same on every run.
type builder struct {
	rng *rand.Rand
	p   plan
	// houseNumbers is the last house number given out on each road or lane.
	houseNumbers map[string]int
	// phones holds the phones given out, to keep them unique.
	phones map[string]bool
	// gridResidents lists each grid's residents, in insertion order.
	gridResidents [][]int
	// communityOf maps a grid to its community.
	communityOf []int
}

// buildPlan draws the demo street.
func buildPlan() (*plan, error) {
	b := &builder{
		rng:          rand.New(rand.NewPCG(1, 2)),
		houseNumbers: map[string]int{},
		phones:       map[string]bool{},
	}
	b.mapStreet()
	b.departments()
	if err := b.people(); err != nil {
		return nil, err
	}
	if err := b.staff(); err != nil {
		return nil, err
	}
	return &b.p, nil
}

// gridIndex returns the index of the grid with the given code, or -1.
func (p *plan) gridIndex(code string) int {
	for i, g := range p.grids {
		if g.code == code {
			return i
		}
	}
	return -1
}

// communityIndex returns the index of the community with the given code, or -1.
func (p *plan) communityIndex(code string) int {
	for i, c := range p.communities {
		if c.code == code {
			return i
		}
	}
	return -1
}

// departmentIndex returns the index of the department with the given code, or -1.
func (p *plan) departmentIndex(code string) int {
	for i, d := range p.departments {
		if d.code == code {
			return i
		}
	}
	return -1
}
