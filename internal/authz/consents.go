package authz

import (
	"context"

	"entgo.io/ent"

	gen "github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/consent"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ConsentPolicy: a resident reads their own consents; only the system
// records them (at sign-in).
func ConsentPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.ConsentQueryRuleFunc(func(ctx context.Context, q *gen.ConsentQuery) error {
				q.Where(ownedBy(viewer.FromContext(ctx), consent.ResidentID))
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}
