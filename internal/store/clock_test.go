package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/viewer"
)

// TestTimestampsComeFromTheStoreClock: created_at and updated_at a write
// leaves unset are the store clock's time; those it sets are kept; an
// update moves updated_at to the clock's time unless it sets it.
func TestTimestampsComeFromTheStoreClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := viewer.SystemContext(context.Background())
		now := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
		s.UseClock(func() time.Time { return now })
		want := func(what string, got, want time.Time) {
			t.Helper()
			if !got.Equal(want) {
				t.Errorf("%s = %v, want %v", what, got, want)
			}
		}

		st := s.Client.Street.Create().SetCode("clock").SetName("时钟街道").SaveX(ctx)
		want("created_at of a new row", st.CreatedAt, now)
		want("updated_at of a new row", st.UpdatedAt, now)

		explicit := now.Add(-48 * time.Hour)
		old := s.Client.Street.Create().SetCode("old").SetName("旧街道").
			SetCreatedAt(explicit).SetUpdatedAt(explicit).SaveX(ctx)
		want("a created_at the write sets", old.CreatedAt, explicit)
		want("an updated_at the write sets", old.UpdatedAt, explicit)

		now = now.Add(time.Hour)
		st = st.Update().SetName("时钟街道二").SaveX(ctx)
		want("created_at after an update", st.CreatedAt, now.Add(-time.Hour))
		want("updated_at after an update", st.UpdatedAt, now)
		n := s.Client.Street.Update().SetName("同名").SaveX(ctx)
		for _, got := range s.Client.Street.Query().AllX(ctx) {
			want("updated_at after a bulk update", got.UpdatedAt, now)
		}
		if n != 2 {
			t.Errorf("the bulk update changed %d streets, want 2", n)
		}
		st = st.Update().SetName("时钟街道三").SetUpdatedAt(explicit).SaveX(ctx)
		want("an updated_at the update sets", st.UpdatedAt, explicit)
	})
}
