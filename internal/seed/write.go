package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/roleassignment"
)

// batchSize is how many rows one INSERT carries: well under SQLite's limit
// on bound variables (6 columns × 500 rows) and PostgreSQL's.
const batchSize = 500

// write inserts the plan through c (a transaction's client), parents before
// children, in plan order, and then the extra parts that build on the map.
func (p *plan) write(ctx context.Context, c *ent.Client, today time.Time) (Result, error) {
	st, err := c.Street.Create().SetCode(StreetCode).SetName(streetName).SetDistrict(streetDistrict).Save(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("seed: create street: %w", err)
	}
	communities, err := insert(ctx, "communities", len(p.communities), func(i int) *ent.CommunityCreate {
		r := p.communities[i]
		return c.Community.Create().SetCode(r.code).SetName(r.name).SetStreetID(st.ID)
	}, c.Community.CreateBulk, func(e *ent.Community) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	departments, err := insert(ctx, "departments", len(p.departments), func(i int) *ent.DepartmentCreate {
		r := p.departments[i]
		return c.Department.Create().SetCode(r.code).SetName(r.name).SetKind(r.kind).
			SetDescription(r.description).SetStreetID(st.ID)
	}, c.Department.CreateBulk, func(e *ent.Department) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	grids, err := insert(ctx, "grids", len(p.grids), func(i int) *ent.GridCreate {
		r := p.grids[i]
		return c.Grid.Create().SetCode(r.code).SetName(r.name).SetNumber(r.number).
			SetAreaDescription(r.area).SetCommunityID(communities[r.community])
	}, c.Grid.CreateBulk, func(e *ent.Grid) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	places, err := insert(ctx, "places", len(p.places), func(i int) *ent.PlaceCreate {
		r := p.places[i]
		return c.Place.Create().SetKind(r.kind).SetName(r.name).SetAddress(r.address).
			SetNillableLatitude(r.lat).SetNillableLongitude(r.lng).SetGridID(grids[r.grid])
	}, c.Place.CreateBulk, func(e *ent.Place) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	households, err := insert(ctx, "households", len(p.households), func(i int) *ent.HouseholdCreate {
		r := p.households[i]
		return c.Household.Create().SetUnit(r.unit).SetPlaceID(places[r.place])
	}, c.Household.CreateBulk, func(e *ent.Household) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	residents, err := insert(ctx, "residents", len(p.residents), func(i int) *ent.ResidentCreate {
		r := p.residents[i]
		grid := grids[p.places[p.households[r.household].place].grid]
		return c.Resident.Create().SetName(r.name).SetHouseholdID(households[r.household]).SetGridID(grid)
	}, c.Resident.CreateBulk, func(e *ent.Resident) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	verifiedAt := today.AddDate(0, -6, 0)
	_, err = insert(ctx, "personal info", len(p.residents), func(i int) *ent.PersonalInfoCreate {
		r := p.residents[i]
		create := c.PersonalInfo.Create().SetResidentID(residents[i]).SetBirthDate(r.birth)
		// The community office checked the birth dates against the
		// household register: the canteen's age tiers count them.
		if by, ok := p.birthDateVerifier(i); ok {
			create.SetBirthDateVerifiedAt(verifiedAt).SetBirthDateVerifiedByID(residents[by])
		}
		if r.phone != "" {
			create.SetPhone(r.phone)
		}
		return create
	}, c.PersonalInfo.CreateBulk, func(e *ent.PersonalInfo) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	roles, err := insert(ctx, "role assignments", len(p.roles), func(i int) *ent.RoleAssignmentCreate {
		r := p.roles[i]
		create := c.RoleAssignment.Create().SetRole(r.role).SetTitle(r.title).SetResidentID(residents[r.resident])
		switch r.scope {
		case inGrid:
			create.SetGridID(grids[r.target])
		case inCommunity:
			create.SetCommunityID(communities[r.target])
		case inStreet:
			create.SetStreetID(st.ID)
		case inDepartment:
			create.SetDepartmentID(departments[r.target])
		}
		return create
	}, c.RoleAssignment.CreateBulk, func(e *ent.RoleAssignment) int { return e.ID })
	if err != nil {
		return Result{}, err
	}
	w := &Written{
		StreetID: st.ID, Today: today,
		Communities: map[string]int{}, Grids: map[string]int{}, Departments: map[string]int{},
		Residents: map[string]int{}, GridResidents: map[string][]int{},
	}
	for i, r := range p.communities {
		w.Communities[r.code] = communities[i]
	}
	for i, r := range p.grids {
		w.Grids[r.code] = grids[i]
	}
	for i, r := range p.departments {
		w.Departments[r.code] = departments[i]
	}
	for i, r := range p.residents {
		code := p.grids[p.places[p.households[r.household].place].grid].code
		w.GridResidents[code] = append(w.GridResidents[code], residents[i])
		if r.phone != "" {
			w.Residents[r.phone] = residents[i]
		}
	}
	if err := writeExtras(ctx, c, w); err != nil {
		return Result{}, err
	}
	return Result{
		Streets:     1,
		Communities: len(communities),
		Grids:       len(grids),
		Places:      len(places),
		Households:  len(households),
		Residents:   len(residents),
		Departments: len(departments),
		Roles:       len(roles),
	}, nil
}

// bulkSaver is the Save of an ent CreateBulk builder.
type bulkSaver[E any] interface {
	Save(context.Context) ([]E, error)
}

// insert creates n rows, built by build, in batches of batchSize through
// the entity's CreateBulk, and returns their IDs in order.
func insert[C any, E any, B bulkSaver[E]](ctx context.Context, what string, n int, build func(int) C, bulk func(...C) B, id func(E) int) ([]int, error) {
	ids := make([]int, 0, n)
	for start := 0; start < n; start += batchSize {
		end := min(start+batchSize, n)
		creates := make([]C, 0, end-start)
		for i := start; i < end; i++ {
			creates = append(creates, build(i))
		}
		saved, err := bulk(creates...).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("seed: create %s: %w", what, err)
		}
		for _, e := range saved {
			ids = append(ids, id(e))
		}
	}
	return ids, nil
}

// birthDateVerifier returns the staff member (an index into the plan's
// residents) who verified resident i's birth date: an admin of i's
// community, else a street admin, never i themselves.
func (p *plan) birthDateVerifier(i int) (int, bool) {
	community := p.grids[p.places[p.households[p.residents[i].household].place].grid].community
	for _, want := range []scope{inCommunity, inStreet} {
		for _, r := range p.roles {
			if r.resident == i || r.scope != want {
				continue
			}
			if want == inCommunity && (r.role != roleassignment.RoleCOMMUNITY_ADMIN || r.target != community) {
				continue
			}
			if want == inStreet && r.role != roleassignment.RoleSTREET_ADMIN {
				continue
			}
			return r.resident, true
		}
	}
	return 0, false
}
