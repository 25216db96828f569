package viewer

import (
	"context"
	"slices"
	"testing"
)

func TestContextRoundTrip(t *testing.T) {
	ctx := context.Background()
	if v := FromContext(ctx); v == nil || v.SignedIn() || v.IsSystem() || len(v.Roles) != 0 {
		t.Fatalf("an empty context has viewer %+v", v)
	}
	if !FromContext(SystemContext(ctx)).IsSystem() {
		t.Fatal("SystemContext is not the system")
	}
	if FromContext(SystemContext(ctx)).SignedIn() {
		t.Fatal("the system counts as a signed-in resident")
	}
	v := &Viewer{ResidentID: 7}
	if got := FromContext(NewContext(ctx, v)); got != v || !got.SignedIn() || got.Verified() {
		t.Fatalf("round trip gave %+v", got)
	}
}

func TestScopes(t *testing.T) {
	v := &Viewer{ResidentID: 1, Roles: []Role{
		{Role: GridLeader, GridID: 10},
		{Role: GridWorker, GridID: 11},
		{Role: GridWorker, GridID: 10},
		{Role: SafetyInformant, GridID: 12},
		{Role: CommunityAdmin, CommunityID: 3},
		{Role: DepartmentStaff, DepartmentID: 9},
	}}
	if got := v.GridsWhere(GridLeader, GridWorker); !slices.Equal(got, []int{10, 11}) {
		t.Errorf("staff grids = %v", got)
	}
	if got := v.GridsWhere(SafetyInformant); !slices.Equal(got, []int{12}) {
		t.Errorf("informant grids = %v", got)
	}
	if got := v.CommunitiesWhere(CommunityAdmin); !slices.Equal(got, []int{3}) {
		t.Errorf("admin communities = %v", got)
	}
	if got := v.DepartmentsWhere(DepartmentStaff); !slices.Equal(got, []int{9}) {
		t.Errorf("departments = %v", got)
	}
	if v.IsStreetAdmin() || !v.Has(CommunityAdmin) {
		t.Error("Has is wrong")
	}
}
