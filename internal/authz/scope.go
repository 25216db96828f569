package authz

import (
	"context"
	"slices"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/grid"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Administers reports whether v administers the community with the given ID:
// as its community admin, or as a street admin.
func Administers(v *viewer.Viewer, communityID int) bool {
	return v.IsStreetAdmin() || slices.Contains(v.CommunitiesWhere(viewer.CommunityAdmin), communityID)
}

// Lookups below run as the system: a rule must see the facts it decides on
// even where the viewer could not read them.

// communityOfGrid returns the community of a grid.
func communityOfGrid(ctx context.Context, c *ent.Client, gridID int) (int, error) {
	return c.Grid.Query().Where(grid.ID(gridID)).
		Select(grid.FieldCommunityID).Int(viewer.SystemContext(ctx))
}

// communityOfPlace returns the community of a place.
func communityOfPlace(ctx context.Context, c *ent.Client, placeID int) (int, error) {
	return c.Place.Query().Where(place.ID(placeID)).QueryGrid().
		Select(grid.FieldCommunityID).Int(viewer.SystemContext(ctx))
}

// communityOfHousehold returns the community of a household.
func communityOfHousehold(ctx context.Context, c *ent.Client, householdID int) (int, error) {
	return c.Household.Query().Where(household.ID(householdID)).QueryPlace().QueryGrid().
		Select(grid.FieldCommunityID).Int(viewer.SystemContext(ctx))
}

// communityOfResident returns the community a resident lives in, or 0 for a
// resident not yet in a household.
func communityOfResident(ctx context.Context, c *ent.Client, residentID int) (int, error) {
	ids, err := c.Resident.Query().Where(resident.ID(residentID)).
		QueryHousehold().QueryPlace().QueryGrid().
		Select(grid.FieldCommunityID).Ints(viewer.SystemContext(ctx))
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// gridInCommunities matches grids of the given communities.
func gridInCommunities(communities []int) predicate.Grid {
	return grid.CommunityIDIn(communities...)
}
