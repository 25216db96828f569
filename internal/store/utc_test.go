package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/auditrecord"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/store/storetest"
	"github.com/jimei-linli/linli/internal/viewer"
)

// TestTimesCompareAsTimesInAnyZone writes one time in Shanghai's zone and
// one in UTC and filters and orders by them: on SQLite, which compares
// times as text, this only works because every time is stored in UTC.
func TestTimesCompareAsTimesInAnyZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := viewer.SystemContext(context.Background())
		shanghai := time.FixedZone("CST", 8*60*60)
		early := time.Date(2026, 11, 26, 9, 0, 0, 0, shanghai) // 01:00 UTC
		late := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		for name, at := range map[string]time.Time{"early": early, "late": late} {
			s.Client.AuditRecord.Create().SetCreatedAt(at).SetAction("test." + name).
				SetSubjectID(1).SetDetail(name).ExecX(ctx)
		}
		after := time.Date(2026, 11, 26, 9, 30, 0, 0, shanghai) // 01:30 UTC
		got, err := s.Client.AuditRecord.Query().Where(auditrecord.CreatedAtGT(after)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Action != "test.late" {
			t.Errorf("after 01:30 UTC: %v, want only the 02:00 UTC record", actions(got))
		}
		ordered := s.Client.AuditRecord.Query().Order(ent.Asc(auditrecord.FieldCreatedAt)).AllX(ctx)
		if len(ordered) != 2 || ordered[0].Action != "test.early" || !ordered[0].CreatedAt.Equal(early) {
			t.Errorf("in time order: %v", actions(ordered))
		}
	})
}

func actions(rs []*ent.AuditRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Action)
	}
	return out
}
