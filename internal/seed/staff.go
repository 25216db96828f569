package seed

import (
	"fmt"

	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/roleassignment"
)

// titles are the job titles shown with each role.
var titles = map[roleassignment.Role]string{
	roleassignment.RoleGRID_LEADER:      "网格长",
	roleassignment.RoleGRID_WORKER:      "专职网格员",
	roleassignment.RoleSAFETY_INFORMANT: "平安信息员",
	roleassignment.RoleRED_STEWARD:      "红管家",
	roleassignment.RoleVOLUNTEER:        "集美热心人",
	roleassignment.RoleCAREGIVER:        "日间照料中心照护员",
	roleassignment.RoleCANTEEN_STAFF:    "社区食堂工作人员",
	roleassignment.RoleCOMMUNITY_ADMIN:  "社区工作者",
	roleassignment.RoleSTREET_ADMIN:     "街道工作人员",
	roleassignment.RoleDEPARTMENT_STAFF: "部门联络员",
}

// staffing says how many holders of a role a scope gets (at least min, up
// to max, drawn), and how old they may be.
type staffing struct {
	role             roleassignment.Role
	min, max         int
	minAge, maxAge   int
	onlyWithCompound bool
}

// Staff of every grid: "一长多员", 6–7 safety informants, a few volunteers,
// and a red steward where there is a compound to look after.
var gridStaffing = []staffing{
	{role: roleassignment.RoleGRID_LEADER, min: 1, max: 1, minAge: 28, maxAge: 55},
	{role: roleassignment.RoleGRID_WORKER, min: 2, max: 4, minAge: 22, maxAge: 55},
	{role: roleassignment.RoleSAFETY_INFORMANT, min: 6, max: 7, minAge: 25, maxAge: 70},
	{role: roleassignment.RoleVOLUNTEER, min: 2, max: 5, minAge: 16, maxAge: 75},
	{role: roleassignment.RoleRED_STEWARD, min: 1, max: 1, minAge: 35, maxAge: 70, onlyWithCompound: true},
}

// Staff of every community: its office, day-care centre and canteen.
var communityStaffing = []staffing{
	{role: roleassignment.RoleCOMMUNITY_ADMIN, min: 1, max: 2, minAge: 25, maxAge: 58},
	{role: roleassignment.RoleCAREGIVER, min: 1, max: 2, minAge: 25, maxAge: 58},
	{role: roleassignment.RoleCANTEEN_STAFF, min: 1, max: 2, minAge: 25, maxAge: 62},
}

var (
	streetStaffing     = staffing{role: roleassignment.RoleSTREET_ADMIN, min: 2, max: 2, minAge: 25, maxAge: 55}
	departmentStaffing = staffing{role: roleassignment.RoleDEPARTMENT_STAFF, min: 1, max: 2, minAge: 25, maxAge: 58}
)

// staff gives out the roles: first the demo accounts theirs, then every
// grid, community, the street and every department its staff, drawn from
// the residents (grid and community staff from those living there).
func (b *builder) staff() error {
	for _, a := range DemoAccounts {
		r := b.residentByPhone(a.Phone)
		b.p.residents[r].staff = true // plain residents stay plain
		if a.Role == RoleResident {
			continue
		}
		sc, target, ok := b.p.scopeOf(a.Scope)
		if !ok {
			return fmt.Errorf("seed: demo account %s: no scope %q", a.Phone, a.Scope)
		}
		b.addRole(r, roleassignment.Role(a.Role), sc, target)
	}
	hasCompound := make([]bool, len(b.p.grids))
	for _, pl := range b.p.places {
		if pl.kind == place.KindCompound {
			hasCompound[pl.grid] = true
		}
	}
	for gi, g := range b.p.grids {
		pool := b.shuffled(b.gridResidents[gi])
		for _, s := range gridStaffing {
			if s.onlyWithCompound && !hasCompound[gi] {
				continue
			}
			if err := b.fill(s, inGrid, gi, pool); err != nil {
				return fmt.Errorf("seed: grid %s: %w", g.code, err)
			}
		}
	}
	for ci, c := range b.p.communities {
		var living []int
		for gi, g := range b.p.grids {
			if g.community == ci {
				living = append(living, b.gridResidents[gi]...)
			}
		}
		pool := b.shuffled(living)
		for _, s := range communityStaffing {
			if err := b.fill(s, inCommunity, ci, pool); err != nil {
				return fmt.Errorf("seed: community %s: %w", c.code, err)
			}
		}
	}
	everyone := make([]int, len(b.p.residents))
	for i := range everyone {
		everyone[i] = i
	}
	pool := b.shuffled(everyone)
	if err := b.fill(streetStaffing, inStreet, 0, pool); err != nil {
		return fmt.Errorf("seed: street: %w", err)
	}
	for di, d := range b.p.departments {
		if err := b.fill(departmentStaffing, inDepartment, di, pool); err != nil {
			return fmt.Errorf("seed: department %s: %w", d.code, err)
		}
	}
	return nil
}

// fill draws how many holders of s.role the scope gets and picks the ones
// it still lacks (the demo accounts may already hold some) from pool.
func (b *builder) fill(s staffing, sc scope, target int, pool []int) error {
	want := s.min + b.rng.IntN(s.max-s.min+1)
	have := 0
	for _, r := range b.p.roles {
		if r.role == s.role && r.scope == sc && r.target == target {
			have++
		}
	}
	for ; have < want; have++ {
		r, ok := b.pick(pool, s.minAge, s.maxAge)
		if !ok {
			return fmt.Errorf("no resident aged %d–%d left to be %s", s.minAge, s.maxAge, s.role)
		}
		b.addRole(r, s.role, sc, target)
	}
	return nil
}

// pick takes the first resident of pool who holds no role yet and is of
// the right age.
func (b *builder) pick(pool []int, minAge, maxAge int) (int, bool) {
	for _, r := range pool {
		res := &b.p.residents[r]
		if !res.staff && res.age >= minAge && res.age <= maxAge {
			res.staff = true
			return r, true
		}
	}
	return 0, false
}

func (b *builder) addRole(resident int, role roleassignment.Role, sc scope, target int) {
	b.p.residents[resident].staff = true
	b.p.roles = append(b.p.roles, roleRow{resident: resident, role: role, title: titles[role], scope: sc, target: target})
}

// shuffled returns the residents in random order.
func (b *builder) shuffled(residents []int) []int {
	out := make([]int, len(residents))
	for i, j := range b.rng.Perm(len(residents)) {
		out[i] = residents[j]
	}
	return out
}

// residentByPhone returns the index of the resident with the given phone.
func (b *builder) residentByPhone(phone string) int {
	for i, r := range b.p.residents {
		if r.phone == phone {
			return i
		}
	}
	panic("seed: no resident with phone " + phone)
}

// scopeOf resolves the code of a grid, community, department or the street.
func (p *plan) scopeOf(code string) (scope, int, bool) {
	if code == StreetCode {
		return inStreet, 0, true
	}
	if i := p.gridIndex(code); i >= 0 {
		return inGrid, i, true
	}
	if i := p.communityIndex(code); i >= 0 {
		return inCommunity, i, true
	}
	if i := p.departmentIndex(code); i >= 0 {
		return inDepartment, i, true
	}
	return 0, 0, false
}
