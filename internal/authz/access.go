package authz

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/jimei-linli/linli/ent/intercept"
	"github.com/jimei-linli/linli/ent/privacy"
	"github.com/jimei-linli/linli/internal/viewer"
)

// AccessRecordPolicy: the access log (who read whose sensitive records) is
// read by the person it is about, their active guardians and the street's
// admins, who audit it; nobody else, and the reader does not read it as
// such. Only the system writes it (internal/accesslog).
func AccessRecordPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem,
			privacy.QueryRuleFunc(func(ctx context.Context, q ent.Query) error {
				v := viewer.FromContext(ctx)
				if v.IsStreetAdmin() {
					return privacy.Allow
				}
				p := nothing
				if v.SignedIn() {
					p = sql.FieldIn("subject_id", append([]int{v.ResidentID}, v.DependentIDs...)...)
				}
				iq, err := intercept.NewQuery(q)
				if err != nil {
					return privacy.Denyf("authz: access records: %v", err)
				}
				iq.WhereP(p)
				return privacy.Allow
			}),
		},
		Mutation: privacy.MutationPolicy{allowSystem, privacy.AlwaysDenyRule()},
	}
}
