package apitest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jimei-linli/linli/ent/accessrecord"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/pushdelivery"
	"github.com/jimei-linli/linli/ent/session"
	"github.com/jimei-linli/linli/ent/signincode"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestRetentionPurge drives the retention job with the injected clock:
// sign-in codes, expired sessions, delivered push records and read
// notifications older than their windows go; younger ones, live sessions,
// undelivered pushes and unread notifications stay.
func TestRetentionPurge(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		r := personaldata.Retention{SignInCodes: 24 * time.Hour, Sessions: time.Hour,
			PushDeliveries: 24 * time.Hour, Notifications: 48 * time.Hour}
		svc := personaldata.New(e.Client, nil, e.Clock.Now, nil)
		job := svc.RetentionJob(r)
		p := seed.PhoneElder
		rid := e.ResidentID(t, p)
		e.SignIn(t, p)
		start := e.Clock.Now()
		codes := func() int { n, _ := e.Client.SignInCode.Query().Where(signincode.Phone(p)).Count(ctx); return n }
		sessions := func() int { n, _ := e.Client.Session.Query().Where(session.ResidentID(rid)).Count(ctx); return n }
		if codes() == 0 || sessions() == 0 {
			t.Fatalf("signing in left %d codes and %d sessions", codes(), sessions())
		}
		// Two read notifications (one long ago, one recently), one unread.
		var ns []int
		for i := range 3 {
			ev := e.Client.Event.Create().SetKind("test.retention").SetTopics([]string{"resident:1"}).SetCreatedAt(start).SaveX(ctx)
			ns = append(ns, e.Client.Notification.Create().SetResidentID(rid).SetEventID(ev.ID).
				SetKind(notification.KindSYSTEM).SetTitle(fmt.Sprintf("retention %d", i)).SetCreatedAt(start.Add(-96*time.Hour)).
				SaveX(ctx).ID)
		}
		e.Client.Notification.UpdateOneID(ns[0]).SetReadAt(start.Add(-72 * time.Hour)).ExecX(ctx)
		e.Client.Notification.UpdateOneID(ns[1]).SetReadAt(start.Add(-time.Hour)).ExecX(ctx)
		e.Client.Notification.UpdateOneID(ns[2]).ClearReadAt().ExecX(ctx)
		push := func(key string, state pushdelivery.State, sent *time.Time) int {
			return e.Client.PushDelivery.Create().SetNotificationID(ns[2]).SetDeviceID(1).SetIdempotencyKey(key).
				SetState(state).SetNextAttemptAt(start).SetCreatedAt(start.Add(-96 * time.Hour)).SetNillableSentAt(sent).
				SaveX(ctx).ID
		}
		longAgo, recently := start.Add(-48*time.Hour), start.Add(-time.Hour)
		oldSent, newSent := push("old-sent", pushdelivery.StateSENT, &longAgo), push("new-sent", pushdelivery.StateSENT, &recently)
		pending := push("pending", pushdelivery.StatePENDING, nil)

		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if codes() == 0 || sessions() == 0 {
			t.Errorf("a fresh code (%d left) or live session (%d left) was purged", codes(), sessions())
		}
		exists := func(id int) bool {
			ok, _ := e.Client.PushDelivery.Query().Where(pushdelivery.ID(id)).Exist(ctx)
			return ok
		}
		if exists(oldSent) || !exists(newSent) || !exists(pending) {
			t.Errorf("push records: delivered long ago kept %v, delivered recently kept %v, pending kept %v; want false, true, true",
				exists(oldSent), exists(newSent), exists(pending))
		}
		left, _ := e.Client.Notification.Query().Where(notification.IDIn(ns...)).IDs(ctx)
		if len(left) != 2 {
			t.Errorf("notifications left %v of %v; want the recently read and the unread", left, ns)
		}
		for _, id := range left {
			if id == ns[0] {
				t.Errorf("the notification read 72h ago was kept")
			}
		}

		// A day later the code is past its window; after the session's
		// expiry and an hour more, the session is too.
		e.Clock.Advance(25 * time.Hour)
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if n := codes(); n != 0 {
			t.Errorf("%d sign-in codes older than a day are kept", n)
		}
		all, err := e.Client.Session.Query().Where(session.ResidentID(rid)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last := start
		for _, s := range all {
			if s.ExpiresAt.After(last) {
				last = s.ExpiresAt
			}
		}
		e.Clock.Set(last.Add(30 * time.Minute))
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if sessions() == 0 {
			t.Error("sessions expired within the window were purged")
		}
		e.Clock.Set(last.Add(2 * time.Hour))
		if err := job.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if n := sessions(); n != 0 {
			t.Errorf("%d sessions expired more than an hour ago are kept", n)
		}
	})
}

// TestRetentionPurgesPushesOfPurgedNotificationsAndOldAccesses: a read
// notification purged takes all its push records with it (also pending and
// failed ones), and access records older than their window go while
// younger ones stay.
func TestRetentionPurgesPushesOfPurgedNotificationsAndOldAccesses(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.SystemCtx()
		svc := personaldata.New(e.Client, nil, e.Clock.Now, nil)
		r := personaldata.Retention{Notifications: 48 * time.Hour, AccessRecords: 3 * 365 * 24 * time.Hour}
		start := e.Clock.Now()
		rid := e.ResidentID(t, seed.PhoneElder)
		notice := func(readAt time.Time) int {
			ev := e.Client.Event.Create().SetKind("test.retention").SetTopics([]string{"resident:1"}).SetCreatedAt(start).SaveX(ctx)
			return e.Client.Notification.Create().SetResidentID(rid).SetEventID(ev.ID).SetKind(notification.KindSYSTEM).
				SetTitle("retention").SetCreatedAt(start.Add(-96 * time.Hour)).SetReadAt(readAt).SaveX(ctx).ID
		}
		old, recent := notice(start.Add(-72*time.Hour)), notice(start.Add(-time.Hour))
		push := func(n int, key string, state pushdelivery.State) int {
			return e.Client.PushDelivery.Create().SetNotificationID(n).SetDeviceID(1).SetIdempotencyKey(key).
				SetState(state).SetNextAttemptAt(start).SetCreatedAt(start.Add(-96 * time.Hour)).SaveX(ctx).ID
		}
		oldPending, oldFailed := push(old, "old-pending", pushdelivery.StatePENDING), push(old, "old-failed", pushdelivery.StateFAILED)
		recentPending := push(recent, "recent-pending", pushdelivery.StatePENDING)

		reader, subject := e.ResidentID(t, seed.PhoneCaregiver), rid
		access := func(at time.Time) int {
			return e.Client.AccessRecord.Create().SetReaderID(reader).SetSubjectID(subject).SetKind(accessrecord.KindCARE_NOTE).
				SetRecordID(1).SetPath("node").SetAt(at).SaveX(ctx).ID
		}
		oldAccess, youngAccess := access(start.AddDate(-3, 0, -1)), access(start.AddDate(-2, 0, 0))

		p, err := svc.Purge(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		pushes, _ := e.Client.PushDelivery.Query().Where(pushdelivery.IDIn(oldPending, oldFailed, recentPending)).IDs(ctx)
		if len(pushes) != 1 || pushes[0] != recentPending || p.PushDeliveries != 2 || p.Notifications != 1 {
			t.Errorf("push records left %v (want only %d), purged %+v", pushes, recentPending, p)
		}
		accesses, _ := e.Client.AccessRecord.Query().IDs(ctx)
		if len(accesses) != 1 || accesses[0] != youngAccess || p.AccessRecords != 1 {
			t.Errorf("access records left %v of %d and %d (want the younger), purged %+v", accesses, oldAccess, youngAccess, p)
		}
	})
}
