package canteen

import (
	"fmt"
	"testing"

	"github.com/jimei-linli/linli/ent"
)

// TestGridDeliveriesOrdersPages pages a grid's deliveries as a Relay
// connection: first/after walk forwards, last/before backwards, and the
// total is always the grid's whole day.
func TestGridDeliveriesOrdersPages(t *testing.T) {
	d := GridDeliveries{}
	for _, id := range []int{3, 5, 8, 13, 21} {
		d.orders = append(d.orders, &ent.MealOrder{ID: id})
	}
	n := func(i int) *int { return &i }
	c := func(id int) *ent.Cursor { return &ent.Cursor{ID: id} }
	for _, tc := range []struct {
		name          string
		after, before *ent.Cursor
		first, last   *int
		want          string
		next, prev    bool
	}{
		{name: "all", want: "[3 5 8 13 21]"},
		{name: "first 2", first: n(2), want: "[3 5]", next: true},
		{name: "first 2 after 5", first: n(2), after: c(5), want: "[8 13]", next: true, prev: true},
		{name: "first 2 after 13", first: n(2), after: c(13), want: "[21]", prev: true},
		{name: "last 2", last: n(2), want: "[13 21]", prev: true},
		{name: "last 2 before 13", last: n(2), before: c(13), want: "[5 8]", next: true, prev: true},
		{name: "first 0", first: n(0), want: "[]", next: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := d.Orders(tc.after, tc.first, tc.before, tc.last)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int{}
			for _, e := range conn.Edges {
				if e.Cursor.ID != e.Node.ID {
					t.Errorf("cursor %v of order %d", e.Cursor, e.Node.ID)
				}
				ids = append(ids, e.Node.ID)
			}
			if got := fmt.Sprint(ids); got != tc.want || conn.TotalCount != 5 ||
				conn.PageInfo.HasNextPage != tc.next || conn.PageInfo.HasPreviousPage != tc.prev {
				t.Errorf("got %s total %d next %v prev %v, want %s next %v prev %v", got, conn.TotalCount,
					conn.PageInfo.HasNextPage, conn.PageInfo.HasPreviousPage, tc.want, tc.next, tc.prev)
			}
		})
	}
	if _, err := d.Orders(nil, n(-1), nil, nil); err == nil {
		t.Errorf("first: -1 accepted")
	}
}
