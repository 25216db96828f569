package apitest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/helpoffer"
	"github.com/jimei-linli/linli/ent/mealorder"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/volunteerteammember"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
)

// TestHiddenReferencesInListsReadAsOneByOne: a reference to a resident
// that is null when the viewer may not see them (an order's beneficiary, a
// volunteer, a request's filer) is loaded for a whole list at once
// (graph/batch.go). For every viewer of the matrix, asking for it on the
// first objects of each kind of the demo street in one list must answer
// for each object exactly what asking for that object alone answers:
// visible ones, hidden ones and null ones alike.
func TestHiddenReferencesInListsReadAsOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		ctx := w.e.SystemCtx()
		const n = 12
		kinds := []struct {
			typ, fields string
			ids         func(context.Context, *ent.Client) ([]int, error)
		}{
			{"MealOrder", "beneficiary { id name } orderedBy { id name }", func(ctx context.Context, c *ent.Client) ([]int, error) {
				return c.MealOrder.Query().Order(ent.Asc(mealorder.FieldID)).Limit(n).IDs(ctx)
			}},
			{"CareBooking", "resident { id name } bookedBy { id name }", func(ctx context.Context, c *ent.Client) ([]int, error) {
				return c.CareBooking.Query().Order(ent.Asc(carebooking.FieldID)).Limit(n).IDs(ctx)
			}},
			{"HelpOffer", "volunteer { id name }", func(ctx context.Context, c *ent.Client) ([]int, error) {
				return c.HelpOffer.Query().Order(ent.Asc(helpoffer.FieldID)).Limit(n).IDs(ctx)
			}},
			{"VolunteerTeamMember", "resident { id name }", func(ctx context.Context, c *ent.Client) ([]int, error) {
				return c.VolunteerTeamMember.Query().Order(ent.Asc(volunteerteammember.FieldID)).Limit(n).IDs(ctx)
			}},
			{"Request", "subject { id name } filer { id name }", func(ctx context.Context, c *ent.Client) ([]int, error) {
				return c.Request.Query().Order(ent.Asc(request.FieldID)).Limit(n).IDs(ctx)
			}},
		}
		for _, k := range kinds {
			t.Run(k.typ, func(t *testing.T) {
				ids, err := k.ids(ctx, w.e.Client)
				if err != nil || len(ids) < 2 {
					t.Fatalf("the demo street has %d %s (%v)", len(ids), k.typ, err)
				}
				strs := make([]string, len(ids))
				for i, id := range ids {
					strs[i] = str(id)
				}
				list := fmt.Sprintf(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on %s { id %s } } }`, k.typ, k.fields)
				one := fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on %s { id %s } } }`, k.typ, k.fields)
				shown := 0
				for _, v := range allViewers {
					r := w.e.Do(t, w.tokens[v], list, map[string]any{"ids": strs})
					nodes, _ := apitest.Dig(data(t, r), "nodes").([]any)
					if len(nodes) != len(ids) {
						t.Fatalf("viewer %s: %d nodes for %d ids: %s", v, len(nodes), len(ids), r)
					}
					for i, id := range ids {
						alone := w.e.Do(t, w.tokens[v], one, map[string]any{"id": str(id)})
						got, _ := json.Marshal(nodes[i])
						want, _ := json.Marshal(apitest.Dig(data(t, alone), "node"))
						if string(got) != string(want) {
							t.Errorf("viewer %s, %s %d: in the list %s, alone %s", v, k.typ, id, got, want)
						}
						if nodes[i] != nil {
							shown++
						}
					}
				}
				if shown == 0 {
					t.Errorf("no viewer sees any %s: the comparison proves nothing", k.typ)
				}
			})
		}
	})
}
