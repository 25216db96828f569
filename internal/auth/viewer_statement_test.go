package auth_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/auth"
	"github.com/jimei-linli/linli/internal/seed"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/testclock"
	"github.com/jimei-linli/linli/internal/viewer"
)

// viewerByEdges is the reference for auth.LoadViewer: the viewer of resident id
// read the plain ent way, one query per edge.
func viewerByEdges(ctx context.Context, c *ent.Client, id int, sessionID string) *viewer.Viewer {
	r, err := c.Resident.Query().Where(resident.ID(id)).
		WithRoles().
		WithDependents(func(q *ent.GuardianshipQuery) { q.Where(guardianship.StatusEQ(guardianship.StatusACTIVE)) }).
		WithGuardians(func(q *ent.GuardianshipQuery) { q.Where(guardianship.StatusEQ(guardianship.StatusACTIVE)) }).
		WithHousehold(func(q *ent.HouseholdQuery) { q.WithPlace(func(q *ent.PlaceQuery) { q.WithGrid() }) }).
		Only(ctx)
	if err != nil {
		panic(err)
	}
	v := &viewer.Viewer{ResidentID: r.ID, SessionID: sessionID, Locale: r.Locale}
	if h := r.Edges.Household; h != nil {
		v.HouseholdID = h.ID
		if p := h.Edges.Place; p != nil && p.Edges.Grid != nil {
			v.GridID = p.Edges.Grid.ID
			v.CommunityID = p.Edges.Grid.CommunityID
		}
	}
	for _, g := range r.Edges.Dependents {
		v.DependentIDs = append(v.DependentIDs, g.DependentID)
	}
	for _, g := range r.Edges.Guardians {
		v.GuardianIDs = append(v.GuardianIDs, g.GuardianID)
	}
	for _, ra := range r.Edges.Roles {
		role := viewer.Role{Role: string(ra.Role)}
		for _, f := range []struct {
			to   *int
			from *int
		}{{&role.GridID, ra.GridID}, {&role.CommunityID, ra.CommunityID}, {&role.StreetID, ra.StreetID}, {&role.DepartmentID, ra.DepartmentID}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		v.Roles = append(v.Roles, role)
	}
	return v
}

// sorted returns v with its lists in a fixed order, so that viewers built
// from rows in different orders compare equal.
func sorted(v *viewer.Viewer) *viewer.Viewer {
	if v == nil {
		return nil
	}
	slices.Sort(v.DependentIDs)
	slices.Sort(v.GuardianIDs)
	slices.SortFunc(v.Roles, func(a, b viewer.Role) int {
		for _, d := range []int{cmpString(a.Role, b.Role), a.GridID - b.GridID, a.CommunityID - b.CommunityID, a.StreetID - b.StreetID, a.DepartmentID - b.DepartmentID} {
			if d != 0 {
				return d
			}
		}
		return 0
	})
	return v
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestViewerInOneStatement: on the demo street, every resident with a role
// or a guardianship, and residents without a household, get from the one
// statement the same viewer as from the per-edge reads, in exactly one
// statement; a revoked session, another resident's session and a deleted
// resident get none.
func TestViewerInOneStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sys := viewer.SystemContext(context.Background())
		if _, err := seed.Demo(sys, s.Client, testclock.Start()); err != nil {
			t.Fatal(err)
		}
		// Beside the demo street: a resident without a household who holds
		// a role, and a guardian with an active, a pending and a revoked
		// guardianship.
		homeless := s.Client.Resident.Create().SetName("无户籍").SaveX(sys)
		s.Client.RoleAssignment.Create().SetResidentID(homeless.ID).SetRole("VOLUNTEER").
			SetCommunityID(s.Client.Community.Query().FirstIDX(sys)).ExecX(sys)
		pool := s.Client.Resident.Query().Where(resident.HouseholdIDNotNil()).Order(ent.Desc(resident.FieldID)).Limit(4).AllX(sys)
		for i, status := range []guardianship.Status{guardianship.StatusACTIVE, guardianship.StatusPENDING, guardianship.StatusREVOKED} {
			s.Client.Guardianship.Create().SetGuardianID(pool[0].ID).SetDependentID(pool[i+1].ID).
				SetRelation(guardianship.RelationPARENT).SetStatus(status).ExecX(sys)
		}
		counter := storetest.NewCountingDriver(s.Driver)
		counted := ent.NewClient(ent.Driver(counter))

		var ids []int
		for _, q := range []*ent.ResidentQuery{
			s.Client.Resident.Query().Where(resident.HasRoles()),
			s.Client.Resident.Query().Where(resident.Or(resident.HasDependents(), resident.HasGuardians())),
			s.Client.Resident.Query().Where(resident.HouseholdIDIsNil()).Limit(20),
			s.Client.Resident.Query().Order(ent.Asc(resident.FieldID)).Limit(50),
			s.Client.Resident.Query().Where(resident.IDIn(pool[0].ID, pool[1].ID, pool[2].ID, pool[3].ID)),
		} {
			got, err := q.IDs(sys)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, got...)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) < 100 {
			t.Fatalf("only %d residents to check", len(ids))
		}
		var withRoles, withDependents, withGuardians, withoutHome int
		for _, id := range ids {
			family := "family-" + time.Duration(id).String()
			if err := s.Client.Session.Create().SetFamilyID(family).SetTokenHash(family).SetResidentID(id).SetCreatedAt(testclock.Start()).
				SetExpiresAt(testclock.Start().Add(time.Hour)).Exec(sys); err != nil {
				t.Fatal(err)
			}
			counter.Reset()
			got, err := auth.LoadViewer(context.Background(), counted, id, family)
			if err != nil {
				t.Fatal(err)
			}
			if n := counter.Count(); n != 1 {
				t.Fatalf("resident %d: %d statements, want 1", id, n)
			}
			want := viewerByEdges(sys, s.Client, id, family)
			if diff := cmp.Diff(sorted(want), sorted(got), cmpopts.IgnoreUnexported(viewer.Viewer{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("resident %d (-per edge +one statement):\n%s", id, diff)
			}
			withRoles += min(len(got.Roles), 1)
			withDependents += min(len(got.DependentIDs), 1)
			withGuardians += min(len(got.GuardianIDs), 1)
			if got.HouseholdID == 0 {
				withoutHome++
			}
			if v, err := auth.LoadViewer(context.Background(), s.Client, id, family+"-other"); err != nil || v != nil {
				t.Fatalf("resident %d under an unknown session: %+v, %v", id, v, err)
			}
		}
		if withRoles == 0 || withDependents < 2 || withGuardians < 2 || withoutHome == 0 {
			t.Fatalf("too few cases checked: %d with roles, %d guardians, %d dependents, %d without a household", withRoles, withDependents, withGuardians, withoutHome)
		}
		t.Logf("%d residents: %d with roles, %d guardians, %d dependents, %d without a household", len(ids), withRoles, withDependents, withGuardians, withoutHome)

		id := ids[0]
		family := "family-" + time.Duration(id).String()
		if err := s.Client.Session.Update().Where().SetRevokedAt(testclock.Start()).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if v, err := auth.LoadViewer(context.Background(), s.Client, id, family); err != nil || v != nil {
			t.Fatalf("revoked session: %+v, %v", v, err)
		}
		if err := s.Client.Session.Update().ClearRevokedAt().Exec(sys); err != nil {
			t.Fatal(err)
		}
		if err := s.Client.Resident.UpdateOneID(id).SetDeletedAt(testclock.Start()).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if v, err := auth.LoadViewer(context.Background(), s.Client, id, family); err != nil || v != nil {
			t.Fatalf("deleted resident: %+v, %v", v, err)
		}
		if v, err := auth.LoadViewer(context.Background(), s.Client, ids[1], "family-"+time.Duration(ids[1]).String()); err != nil || v == nil {
			t.Fatalf("another resident's live session: %+v, %v", v, err)
		}
	})
}
