package apitest_test

import (
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// TestTimestampsFollowTheClock: the createdAt and updatedAt the API shows
// come from the server's clock, like the business times beside them, not
// from the wall clock: on an Env whose clock stands years away from the
// run, the seeded residents, a resident who signs up and a change of
// profile all carry the clock's time.
func TestTimestampsFollowTheClock(t *testing.T) {
	at := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		const me = `{ me { createdAt updatedAt } }`
		stamps := func(r apitest.Response, field string) (created, updated time.Time) {
			t.Helper()
			var err error
			if created, err = time.Parse(time.RFC3339, r.Value(field, "createdAt").(string)); err == nil {
				updated, err = time.Parse(time.RFC3339, r.Value(field, "updatedAt").(string))
			}
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			return created, updated
		}
		check := func(what string, got, want time.Time) {
			t.Helper()
			if !got.Equal(want) {
				t.Errorf("%s is %v, want the clock's %v", what, got.UTC(), want)
			}
		}

		created, updated := stamps(e.Do(t, e.TokenFor(t, seed.PhoneGuardian), me, nil).Must(t), "me")
		check("a seeded resident's createdAt", created, at)
		check("a seeded resident's updatedAt", updated, at)

		e.Clock.Advance(time.Hour)
		access, _ := e.SignIn(t, "13700000099")
		created, updated = stamps(e.Do(t, access, me, nil).Must(t), "me")
		check("a new resident's createdAt", created, at.Add(time.Hour))
		check("a new resident's updatedAt", updated, at.Add(time.Hour))

		e.Clock.Advance(10 * time.Minute) // within the access token's 15 minutes
		r := e.Do(t, access, `mutation { updateMyProfile(input: {name: "新邻居"}) { createdAt updatedAt } }`, nil).Must(t)
		created, updated = stamps(r, "updateMyProfile")
		check("createdAt after a change", created, at.Add(time.Hour))
		check("updatedAt after a change", updated, at.Add(70*time.Minute))
	}, apitest.WithClockStart(at))
}
