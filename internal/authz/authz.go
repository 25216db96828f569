// Package authz holds the privacy rules that ent/schema attaches to every
// entity: who may read and change what. Reads are filtered in the query
// itself, so node, nodes, connections, counts and edges all obey the same
// rule and what a viewer may not see is indistinguishable from what does not
// exist. Writes are refused unless a rule allows them.
//
// The rules, in short: the map (street, communities, grids, places,
// departments) and who holds which staff role are public; a resident is
// visible to themselves, their household, the staff and safety informants of
// their grid, their community's admins and the street's admins, and a
// resident who holds a role is visible to all by name; personal details and
// households are visible to the person, their household, their active
// guardians, their grid's leader and workers, their community's admins and
// the street's admins. Department
// staff see no residents but the public ones. A child registered by a
// parent is not shown to the grid's safety informants. Care records
// (care.go) are read by the person, their guardians and the facility's
// caregivers; care notes by nobody else at all.
package authz

import (
	"context"
	"slices"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/viewer"
)

// gridStaffRoles are the grid roles whose work needs residents' personal
// details; safety informants see names only.
var gridStaffRoles = []string{viewer.GridLeader, viewer.GridWorker}

// allowSystem allows everything to the system context.
var allowSystem = privacy.ContextQueryMutationRule(func(ctx context.Context) error {
	if viewer.FromContext(ctx).IsSystem() {
		return privacy.Allow
	}
	return privacy.Skip
})

// PublicPolicy is the policy of public map entities: anyone reads them, only
// the system writes them.
func PublicPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysAllowRule()},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// InternalPolicy is the policy of entities only the system touches (sign-in
// codes, sessions, audit records): everyone else reads and writes nothing.
func InternalPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{allowSystem, privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}

// nothing is a predicate that matches no row, for a viewer with no right at
// all; it keeps "hidden" and "missing" the same answer.
func nothing(s *sql.Selector) { s.Where(sql.False()) }

// ownedBy returns the predicate that keeps only v's own rows (those whose
// resident is v), or no row at all for a viewer who is not signed in.
func ownedBy[P ~func(*sql.Selector)](v *viewer.Viewer, resident func(int) P) P {
	if v.SignedIn() {
		return resident(v.ResidentID)
	}
	return P(nothing)
}

// fieldsWithin reports whether a mutation sets only the given fields (and
// the update timestamp) and clears nothing.
func fieldsWithin(m ent.Mutation, allowed ...string) bool {
	allowed = append(allowed, "updated_at", "created_at")
	for _, f := range m.Fields() {
		if !slices.Contains(allowed, f) {
			return false
		}
	}
	return len(m.ClearedFields()) == 0 && len(m.ClearedEdges()) == 0
}
