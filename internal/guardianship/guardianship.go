// Package guardianship records who looks after whom: a resident asks to
// become the guardian of a family member and the dependent consents; grid
// staff witness the consent of an elder without a phone; a parent registers
// a child under 14, which creates the child's record only together with the
// parent's consent (PIPL art. 31); either side, or staff, end it. Every
// change is written as the system after the service checked who asks, with
// its notification in the same transaction.
package guardianship

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/phone"
	"github.com/jimei-linli/linli/internal/ratelimit"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// ChildAgeLimit is the age under which a child's record needs a guardian's
// consent (PIPL art. 28 and 31: personal information of minors under 14).
const ChildAgeLimit = 14

// Limits on asking by phone (issue 14): a phone must not tell whether it
// has an account, and nobody may be pestered through it.
var (
	// AsksPerViewer is how many requests by phone one resident may make.
	AsksPerViewer = ratelimit.Limit{Max: 10, Window: 24 * time.Hour}
	// AsksPerPhone is how many requests by phone, from anyone, one phone
	// may receive, whether or not it has an account.
	AsksPerPhone = ratelimit.Limit{Max: 5, Window: 24 * time.Hour}
	// NoticesPerPair is how often a dependent hears of requests from one
	// requester: once a day, however often they ask.
	NoticesPerPair = ratelimit.Limit{Max: 1, Window: 24 * time.Hour}
)

// Service changes guardianships.
type Service struct {
	client  *ent.Client
	outbox  *realtime.Outbox
	now     func() time.Time
	limiter ratelimit.Limiter
}

// New returns a guardianship service; limiter counts requests by phone
// (nil: in process, on now).
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, limiter ratelimit.Limiter) *Service {
	if now == nil {
		now = time.Now
	}
	if limiter == nil {
		limiter = ratelimit.NewMemory(now)
	}
	return &Service{client: client, outbox: outbox, now: now, limiter: limiter}
}

// Request is a resident's request to look after someone.
type Request struct {
	// DependentID names the dependent when the requester can see them
	// (someone of their household); otherwise DependentPhone does.
	DependentID    int
	DependentPhone string
	Relation       guardianship.Relation
}

// Request records a PENDING guardianship of the viewer for the dependent,
// who is told and must consent (or grid staff witness their consent).
//
// By ID (someone the viewer may see) it returns the guardianship, or
// CONFLICT when one is pending or active. By phone it returns nil and no
// error whether or not the phone has an account, and whether or not a
// request already exists (see RequestByPhone).
func (s *Service) Request(ctx context.Context, r Request) (*ent.Guardianship, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	if guardianship.RelationValidator(r.Relation) != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown relation %q", r.Relation)
	}
	switch {
	case r.DependentID != 0 && r.DependentPhone != "":
		return nil, apperr.New(apperr.BadUserInput, "give the dependent's ID or phone, not both")
	case r.DependentPhone != "":
		// Keyless: the answer is null whoever has the phone, and a retry
		// asks again, which leaves an existing request as it is; a stored
		// key would tell an account from none.
		return nil, s.requestByPhone(idempotency.Unkeyed(ctx), v, r)
	case r.DependentID == 0:
		return nil, apperr.New(apperr.BadUserInput, "give the dependent's ID or phone")
	}
	// By ID only someone the requester may see.
	if _, err := s.client.Resident.Get(ctx, r.DependentID); err != nil {
		return nil, apperr.New(apperr.NotFound, "no such resident")
	}
	if r.DependentID == v.ResidentID {
		return nil, apperr.New(apperr.BadUserInput, "one cannot be one's own guardian")
	}
	g, err := s.ask(ctx, v, r.DependentID, r.Relation, true)
	return s.reload(ctx, g, err)
}

// requestByPhone asks for the guardianship of whoever signed in with the
// phone of r, answering the same whether or not anyone did: the phone's
// format is checked, the viewer's and the phone's limits are counted (the
// phone's by its number, account or not), and then nothing more is said.
// An existing request or guardianship is left as it is, silently; the
// dependent hears of a requester at most once a day (NoticesPerPair).
func (s *Service) requestByPhone(ctx context.Context, v *viewer.Viewer, r Request) error {
	p, err := phone.Normalize(r.DependentPhone)
	if err != nil {
		return apperr.New(apperr.BadUserInput, "%v", err)
	}
	if err := s.allow(ctx, fmt.Sprintf("guardianship:asks:%d", v.ResidentID), AsksPerViewer, "guardianship requests from you"); err != nil {
		return err
	}
	if err := s.allow(ctx, "guardianship:asked:"+p, AsksPerPhone, "guardianship requests for this phone"); err != nil {
		return err
	}
	sys := viewer.SystemContext(ctx)
	dependent, err := s.client.PersonalInfo.Query().Where(personalinfo.Phone(p)).
		Select(personalinfo.FieldResidentID).Int(sys)
	switch {
	case ent.IsNotFound(err):
		return nil
	case err != nil:
		return err
	case dependent == v.ResidentID:
		// The viewer's own phone: they know it has an account.
		return apperr.New(apperr.BadUserInput, "one cannot be one's own guardian")
	}
	d, err := s.limiter.Allow(ctx, fmt.Sprintf("guardianship:notice:%d:%d", v.ResidentID, dependent), NoticesPerPair)
	if err != nil {
		return err
	}
	_, err = s.ask(ctx, v, dependent, r.Relation, d.Allowed)
	if code := apperr.CodeOf(err); code == apperr.Conflict {
		return nil // pending or active already: indistinguishable from a new request
	}
	return err
}

// allow counts one operation against limit (ratelimit.Check).
func (s *Service) allow(ctx context.Context, key string, limit ratelimit.Limit, what string) error {
	return ratelimit.Check(ctx, s.limiter, key, limit, what)
}

// ask records a PENDING guardianship of v for dependent (reopening a
// revoked one; CONFLICT when one is pending or active) and, when notify,
// tells the dependent.
func (s *Service) ask(ctx context.Context, v *viewer.Viewer, dependent int, relation guardianship.Relation, notify bool) (*ent.Guardianship, error) {
	sys := viewer.SystemContext(ctx)
	var g *ent.Guardianship
	err := store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		old, err := tx.Guardianship.Query().
			Where(guardianship.GuardianID(v.ResidentID), guardianship.DependentID(dependent)).Only(sys)
		switch {
		case err == nil && old.Status != guardianship.StatusREVOKED:
			return apperr.New(apperr.Conflict, "there already is a %s guardianship for this resident", old.Status)
		case err == nil:
			// A revoked one is asked for again: the pair is unique.
			g, err = tx.Guardianship.UpdateOne(old).SetStatus(guardianship.StatusPENDING).
				ClearConsentMethod().ClearConsentRecordedByID().ClearConsentedAt().ClearRevokedAt().
				SetUpdatedAt(s.now()).Save(sys)
		case ent.IsNotFound(err):
			g, err = tx.Guardianship.Create().SetGuardianID(v.ResidentID).SetDependentID(dependent).
				SetRelation(relation).SetStatus(guardianship.StatusPENDING).
				SetCreatedAt(s.now()).SetUpdatedAt(s.now()).Save(sys)
		}
		if err != nil {
			return err
		}
		if notify {
			if err := s.tell(ctx, tx, g, []int{dependent}, i18n.GuardianshipAsked); err != nil {
				return err
			}
		}
		return idempotency.Record(ctx, tx, g.ID)
	})
	return g, err
}

// Consent records the dependent's own consent: the guardianship becomes
// ACTIVE with consent method DEPENDENT.
func (s *Service) Consent(ctx context.Context, id int) (*ent.Guardianship, error) {
	return s.activate(ctx, id, guardianship.ConsentMethodDEPENDENT, func(v *viewer.Viewer, g *ent.Guardianship, _ *ent.Resident) error {
		if g.DependentID != v.ResidentID {
			return apperr.New(apperr.Forbidden, "only the dependent consents to their guardianship")
		}
		return nil
	})
}

// Witness records consent given in front of grid staff (an elder without a
// phone): the viewer must be a grid leader or worker of the dependent's
// grid; the method is STAFF_WITNESSED.
func (s *Service) Witness(ctx context.Context, id int) (*ent.Guardianship, error) {
	return s.activate(ctx, id, guardianship.ConsentMethodSTAFF_WITNESSED, func(v *viewer.Viewer, _ *ent.Guardianship, dep *ent.Resident) error {
		if dep.GridID == nil || !slices.Contains(v.GridsWhere(viewer.GridLeader, viewer.GridWorker), *dep.GridID) {
			return apperr.New(apperr.Forbidden, "only the grid leader or a grid worker of the dependent's grid witnesses consent")
		}
		return nil
	})
}

// activate turns a PENDING guardianship the viewer may see ACTIVE when may
// allows it.
func (s *Service) activate(ctx context.Context, id int, method guardianship.ConsentMethod, may func(*viewer.Viewer, *ent.Guardianship, *ent.Resident) error) (*ent.Guardianship, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.client.Guardianship.Get(ctx, id)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "guardianship not found")
	}
	sys := viewer.SystemContext(ctx)
	dep, err := s.client.Resident.Get(sys, g.DependentID)
	if err != nil {
		return nil, err
	}
	if err := may(v, g, dep); err != nil {
		return nil, err
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.now()
		n, err := tx.Guardianship.Update().
			Where(guardianship.ID(id), guardianship.StatusEQ(guardianship.StatusPENDING)).
			SetStatus(guardianship.StatusACTIVE).SetConsentMethod(method).
			SetConsentRecordedByID(v.ResidentID).SetConsentedAt(now).SetUpdatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the guardianship is %s, not PENDING", g.Status)
		}
		if g, err = tx.Guardianship.Get(sys, id); err != nil {
			return err
		}
		return s.tell(ctx, tx, g, []int{g.GuardianID}, i18n.GuardianshipActive)
	})
	return s.reload(ctx, g, err)
}

// Child is a child under 14 registered by a parent.
type Child struct {
	Name      string
	BirthDate time.Time
}

// RegisterChild records a child under 14 in the viewer's household, with
// their birth date, and the viewer as their ACTIVE guardian with consent
// PARENT_OF_MINOR: the record and the parent's consent are written
// together, so no record of the child exists without it.
func (s *Service) RegisterChild(ctx context.Context, c Child) (*ent.Guardianship, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	c.Name = strings.TrimSpace(c.Name)
	now := s.now()
	switch {
	case !v.Verified():
		return nil, apperr.New(apperr.Forbidden, "register your household with the community first: a child is registered into it")
	case c.Name == "" || len([]rune(c.Name)) > 100:
		return nil, apperr.New(apperr.BadUserInput, "a name has 1 to 100 characters")
	case c.BirthDate.IsZero() || c.BirthDate.After(now):
		return nil, apperr.New(apperr.BadUserInput, "the birth date must be a day in the past")
	case AgeOn(birthDay(c.BirthDate), now) >= ChildAgeLimit:
		return nil, apperr.New(apperr.BadUserInput, "a child registered by a parent is under %d; an older child consents themself", ChildAgeLimit)
	}
	sys := viewer.SystemContext(ctx)
	var g *ent.Guardianship
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		child, err := tx.Resident.Create().SetName(c.Name).SetHouseholdID(v.HouseholdID).SetGridID(v.GridID).Save(sys)
		if err != nil {
			return err
		}
		if err := tx.PersonalInfo.Create().SetResidentID(child.ID).SetBirthDate(birthDay(c.BirthDate)).Exec(sys); err != nil {
			return err
		}
		g, err = tx.Guardianship.Create().SetGuardianID(v.ResidentID).SetDependentID(child.ID).
			SetRelation(guardianship.RelationCHILD).SetStatus(guardianship.StatusACTIVE).
			SetConsentMethod(guardianship.ConsentMethodPARENT_OF_MINOR).SetConsentRecordedByID(v.ResidentID).
			SetConsentedAt(now).SetCreatedAt(now).SetUpdatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if err := realtime.ViewerChanged(ctx, s.outbox, tx, v.ResidentID); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, g.ID)
	})
	return s.reload(ctx, g, err)
}

// Revoke ends a guardianship: its guardian, its dependent, the grid leader
// and workers of the dependent's grid, the community admins there and
// street admins may.
func (s *Service) Revoke(ctx context.Context, id int) (*ent.Guardianship, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	g, err := s.client.Guardianship.Get(ctx, id)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "guardianship not found")
	}
	sys := viewer.SystemContext(ctx)
	if g.GuardianID != v.ResidentID && g.DependentID != v.ResidentID {
		dep, err := s.client.Resident.Query().Where(resident.ID(g.DependentID)).WithGrid().Only(sys)
		if err != nil {
			return nil, err
		}
		staff := dep.GridID != nil && slices.Contains(v.GridsWhere(viewer.GridLeader, viewer.GridWorker), *dep.GridID)
		admin := v.IsStreetAdmin() || (dep.Edges.Grid != nil && slices.Contains(v.CommunitiesWhere(viewer.CommunityAdmin), dep.Edges.Grid.CommunityID))
		if !staff && !admin {
			return nil, apperr.New(apperr.Forbidden, "only the two of them, the dependent's grid staff or admins end a guardianship")
		}
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.now()
		before, err := tx.Guardianship.Get(sys, id)
		if err != nil {
			return err
		}
		n, err := tx.Guardianship.Update().
			Where(guardianship.ID(id), guardianship.StatusNEQ(guardianship.StatusREVOKED)).
			SetStatus(guardianship.StatusREVOKED).SetRevokedAt(now).SetUpdatedAt(now).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "the guardianship is REVOKED already")
		}
		if g, err = tx.Guardianship.Get(sys, id); err != nil {
			return err
		}
		var others []int
		for _, r := range []int{g.GuardianID, g.DependentID} {
			if r != v.ResidentID {
				others = append(others, r)
			}
		}
		if before.Status == guardianship.StatusPENDING {
			// A request declined (or ended by staff) before consent: what
			// either side may see has not changed, and the requester, who
			// may not see a pending request made by phone, is not told
			// either, or the answer would say that the phone has an
			// account (issue 14).
			others = slices.DeleteFunc(others, func(r int) bool { return r == g.GuardianID })
			return s.announce(ctx, tx, g, others, i18n.GuardianshipRequestEnded)
		}
		return s.tell(ctx, tx, g, others, i18n.GuardianshipEnded)
	})
	return s.reload(ctx, g, err)
}

// reload reads g again after its transaction committed (as the system: the
// caller was checked), so that a response's fields load through the client
// rather than the finished transaction.
func (s *Service) reload(ctx context.Context, g *ent.Guardianship, err error) (*ent.Guardianship, error) {
	if err != nil {
		return nil, err
	}
	return s.client.Guardianship.Get(viewer.SystemContext(ctx), g.ID)
}

// tell writes the guardianship's event and notifications in tx; a
// guardianship that begins or ends changes what both sides may see, so
// their open websockets reconnect.
func (s *Service) tell(ctx context.Context, tx *ent.Tx, g *ent.Guardianship, to []int, msg *i18n.Message) error {
	if g.Status != guardianship.StatusPENDING {
		if err := realtime.ViewerChanged(ctx, s.outbox, tx, g.GuardianID, g.DependentID); err != nil {
			return err
		}
	}
	return s.announce(ctx, tx, g, to, msg)
}

// announce writes the guardianship's event in tx, with notifications for
// the residents to (none when to is empty).
func (s *Service) announce(ctx context.Context, tx *ent.Tx, g *ent.Guardianship, to []int, msg *i18n.Message) error {
	_, err := s.outbox.Emit(ctx, tx, realtime.Event{
		Kind: "guardianship." + strings.ToLower(string(g.Status)), SubjectID: g.ID,
		Topics: []string{realtime.NodeTopic(g.ID)}, Notify: to,
		Notification: realtime.Note(notification.KindGUARDIANSHIP, msg),
	})
	return err
}

// AgeOn returns the age in whole years on day (read in localtime.Zone) of
// someone born on birth (stored as UTC midnight of the calendar day).
func AgeOn(birth, day time.Time) int {
	b, d := birth.UTC(), day.In(localtime.Zone)
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || (d.Month() == b.Month() && d.Day() < b.Day()) {
		age--
	}
	return age
}

// birthDay returns the calendar day of t in localtime.Zone as UTC midnight, the
// form birth dates are stored in.
func birthDay(t time.Time) time.Time {
	b := t.In(localtime.Zone)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}
