package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/broadcast"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/predicate"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/viewer"
)

// NotificationPolicy: a resident reads their own inbox and marks their own
// notifications read; only the system (the outbox) writes notifications.
func NotificationPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.NotificationQueryRuleFunc(func(ctx context.Context, q *gen.NotificationQuery) error {
				q.Where(ownedBy(viewer.FromContext(ctx), notification.ResidentID))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.NotificationMutationRuleFunc(func(ctx context.Context, m *gen.NotificationMutation) error {
				v := viewer.FromContext(ctx)
				if v.SignedIn() && m.Op().Is(ent.OpUpdate) && fieldsWithin(m, notification.FieldReadAt) {
					m.Where(notification.ResidentID(v.ResidentID)) // only one's own
					return privacy.Allow
				}
				return privacy.Skip
			}),
			privacy.AlwaysDenyRule(),
		},
	}
}

// broadcasterRoles may send broadcasts within their scope.
var broadcasterRoles = []string{viewer.GridLeader, viewer.GridWorker}

// BroadcastPolicy: residents read the broadcasts sent to their grid, their
// community or the street; staff read those in their scope; grid leaders
// and workers send to their grids, community admins to their community and
// its grids, street admins anywhere.
func BroadcastPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.BroadcastQueryRuleFunc(func(ctx context.Context, q *gen.BroadcastQuery) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				if !v.SignedIn() {
					q.Where(predicate.Broadcast(nothing))
					return privacy.Allow
				}
				preds := []predicate.Broadcast{broadcast.StreetIDNotNil()}
				grids := v.GridsWhere(broadcasterRoles...)
				grids = append(grids, v.GridsWhere(viewer.SafetyInformant)...)
				communities := v.CommunitiesWhere(viewer.CommunityAdmin)
				if v.GridID != 0 {
					grids = append(grids, v.GridID)
				}
				if v.CommunityID != 0 {
					communities = append(communities, v.CommunityID)
				}
				if len(grids) > 0 {
					preds = append(preds, broadcast.GridIDIn(grids...))
				}
				if len(communities) > 0 {
					preds = append(preds, broadcast.CommunityIDIn(communities...),
						broadcast.HasGridWith(gridInCommunities(communities)))
				}
				q.Where(broadcast.Or(preds...))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem,
			privacy.BroadcastMutationRuleFunc(broadcastMutation),
			privacy.AlwaysDenyRule(),
		},
	}
}

func broadcastMutation(ctx context.Context, m *gen.BroadcastMutation) error {
	v := viewer.FromContext(ctx)
	if !v.SignedIn() || !m.Op().Is(ent.OpCreate) {
		return privacy.Skip
	}
	if sender, _ := m.SenderID(); sender != v.ResidentID {
		return privacy.Skip
	}
	if v.IsStreetAdmin() {
		return privacy.Allow
	}
	if g, ok := m.GridID(); ok {
		for _, id := range v.GridsWhere(broadcasterRoles...) {
			if id == g {
				return privacy.Allow
			}
		}
		if c, err := communityOfGrid(ctx, m.Client(), g); err == nil && Administers(v, c) {
			return privacy.Allow
		}
	}
	if c, ok := m.CommunityID(); ok && Administers(v, c) {
		return privacy.Allow
	}
	return privacy.Skip
}

// DevicePolicy: residents see and manage their own devices.
func DevicePolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.DeviceQueryRuleFunc(func(ctx context.Context, q *gen.DeviceQuery) error {
				q.Where(ownedBy(viewer.FromContext(ctx), device.ResidentID))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}
