package auth

import (
	"context"
	stdsql "database/sql"

	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/internal/viewer"
)

// viewerRow is one row of the viewer statement: the resident's home (kind
// "home": household, grid, community), one role (kind "role": grid,
// community, street, department and the role's name; in the home row, Role
// carries the resident's locale), or one active
// dependent or guardian (kinds "dependent" and "guardian": the other
// resident's id in A).
type viewerRow struct {
	Kind string            `sql:"kind"`
	A    stdsql.NullInt64  `sql:"a"`
	B    stdsql.NullInt64  `sql:"b"`
	C    stdsql.NullInt64  `sql:"c"`
	D    stdsql.NullInt64  `sql:"d"`
	Role stdsql.NullString `sql:"role"`
}

// Row kinds of the viewer statement.
const (
	rowHome      = "home"
	rowRole      = "role"
	rowDependent = "dependent"
	rowGuardian  = "guardian"
)

// loadViewer reads the viewer of resident residentID under session family
// sessionID in one statement: the resident's home row exists only while the
// resident is not deleted and the session is not revoked, and the roles,
// dependents and guardians follow in the same UNION ALL. It returns nil when
// there is no home row (the token no longer identifies a signed-in
// resident). Every request that carries a token pays this one statement
// instead of one per edge, and it is read fresh each time, so a revoked role
// or a sign-out takes effect on the next request.
func loadViewer(ctx context.Context, client *ent.Client, residentID int, sessionID string) (*viewer.Viewer, error) {
	var rows []viewerRow
	err := client.Resident.Query().
		Where(resident.ID(residentID), resident.DeletedAtIsNil()).
		Modify(func(s *sql.Selector) {
			h := sql.Table(household.Table)
			p := sql.Table(place.Table)
			g := sql.Table(grid.Table)
			live := sql.Select(session.FieldID).From(sql.Table(session.Table)).Where(sql.And(
				sql.EQ(session.FieldFamilyID, sessionID),
				sql.EQ(session.FieldResidentID, residentID),
				sql.IsNull(session.FieldRevokedAt),
			))
			s.LeftJoin(h).On(s.C(resident.FieldHouseholdID), h.C(household.FieldID)).
				LeftJoin(p).On(h.C(household.FieldPlaceID), p.C(place.FieldID)).
				LeftJoin(g).On(p.C(place.FieldGridID), g.C(grid.FieldID)).
				Where(sql.Exists(live))
			s.Select()
			s.AppendSelectExprAs(sql.Expr("'"+rowHome+"'"), "kind").
				AppendSelectAs(h.C(household.FieldID), "a").
				AppendSelectAs(p.C(place.FieldGridID), "b").
				AppendSelectAs(g.C(grid.FieldCommunityID), "c").
				AppendSelectExprAs(sql.Expr("NULL"), "d").
				AppendSelectAs(s.C(resident.FieldLocale), "role")
			roles := sql.Table(roleassignment.Table)
			s.UnionAll(sql.Select().From(roles).
				AppendSelectExprAs(sql.Expr("'"+rowRole+"'"), "kind").
				AppendSelectAs(roles.C(roleassignment.FieldGridID), "a").
				AppendSelectAs(roles.C(roleassignment.FieldCommunityID), "b").
				AppendSelectAs(roles.C(roleassignment.FieldStreetID), "c").
				AppendSelectAs(roles.C(roleassignment.FieldDepartmentID), "d").
				AppendSelectAs(roles.C(roleassignment.FieldRole), "role").
				Where(sql.EQ(roles.C(roleassignment.FieldResidentID), residentID)))
			s.UnionAll(guardianshipRows(rowDependent, guardianship.FieldDependentID, guardianship.FieldGuardianID, residentID))
			s.UnionAll(guardianshipRows(rowGuardian, guardianship.FieldGuardianID, guardianship.FieldDependentID, residentID))
		}).
		Scan(viewer.SystemContext(ctx), &rows)
	if err != nil {
		return nil, err
	}
	return viewerFromRows(residentID, sessionID, rows), nil
}

// guardianshipRows selects the other side (column other) of the resident's
// active guardianships in which the resident is column self.
func guardianshipRows(kind, other, self string, residentID int) *sql.Selector {
	t := sql.Table(guardianship.Table)
	return sql.Select().From(t).
		AppendSelectExprAs(sql.Expr("'"+kind+"'"), "kind").
		AppendSelectAs(t.C(other), "a").
		AppendSelectExprAs(sql.Expr("NULL"), "b").
		AppendSelectExprAs(sql.Expr("NULL"), "c").
		AppendSelectExprAs(sql.Expr("NULL"), "d").
		AppendSelectExprAs(sql.Expr("NULL"), "role").
		Where(sql.And(
			sql.EQ(t.C(self), residentID),
			sql.EQ(t.C(guardianship.FieldStatus), string(guardianship.StatusACTIVE)),
		))
}

// viewerFromRows builds the viewer from the viewer statement's rows, or nil
// when the home row is missing.
func viewerFromRows(residentID int, sessionID string, rows []viewerRow) *viewer.Viewer {
	v := &viewer.Viewer{ResidentID: residentID, SessionID: sessionID}
	home := false
	for _, r := range rows {
		switch r.Kind {
		case rowHome:
			home = true
			v.Locale = r.Role.String
			v.HouseholdID = int(r.A.Int64)
			if r.B.Valid {
				v.GridID = int(r.B.Int64)
				v.CommunityID = int(r.C.Int64)
			}
		case rowRole:
			v.Roles = append(v.Roles, viewer.Role{
				Role:         r.Role.String,
				GridID:       int(r.A.Int64),
				CommunityID:  int(r.B.Int64),
				StreetID:     int(r.C.Int64),
				DepartmentID: int(r.D.Int64),
			})
		case rowDependent:
			v.DependentIDs = append(v.DependentIDs, int(r.A.Int64))
		case rowGuardian:
			v.GuardianIDs = append(v.GuardianIDs, int(r.A.Int64))
		}
	}
	if !home {
		return nil
	}
	return v
}
