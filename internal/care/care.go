// Package care runs the street's elderly day care (老人日間照料中心),
// childcare (托育托管) and home health visits (巡診): facilities offer
// services in slots made from a weekly schedule; residents book for
// themselves or for a dependent they are the active guardian of; a full
// slot keeps a waitlist, and a freed place is offered to the first in line,
// who must confirm before the offer expires (Tick lets lapsed offers pass
// on); caregivers run the day (check-in, check-out, notes, incidents,
// no-shows); guardians follow it live.
//
// Capacity holds under concurrency because every change to a slot's places
// begins with an UPDATE of the slot's row: on PostgreSQL that is a row lock
// held to commit (bookings of one slot queue in arrival order), on SQLite
// the store's BEGIN IMMEDIATE serializes writers anyway. Every change and
// its care log entry, event and notifications commit together.
package care

import (
	"context"
	"slices"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/ent/carenote"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/guardianship"
	"github.com/jimei-linli/linli/ent/notification"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/localtime"
	"github.com/jimei-linli/linli/internal/personaldata"
	"github.com/jimei-linli/linli/internal/realtime"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Options are the configurable rules of care bookings.
type Options struct {
	// OfferTTL is how long a waitlisted person has to confirm an offered
	// place before it passes to the next one.
	OfferTTL time.Duration
	// CancelCutoff is how long before a slot begins cancellation closes.
	CancelCutoff time.Duration
}

// DefaultOptions are the defaults of the settings LINLI_CARE_OFFER_TTL and
// LINLI_CARE_CANCEL_CUTOFF.
var DefaultOptions = Options{OfferTTL: 30 * time.Minute, CancelCutoff: 2 * time.Hour}

// Service is the care capability.
type Service struct {
	client *ent.Client
	outbox *realtime.Outbox
	now    func() time.Time
	opts   Options
}

// New returns a care service; options left zero take their defaults.
func New(client *ent.Client, outbox *realtime.Outbox, now func() time.Time, opts Options) *Service {
	if now == nil {
		now = time.Now
	}
	if opts.OfferTTL <= 0 {
		opts.OfferTTL = DefaultOptions.OfferTTL
	}
	if opts.CancelCutoff <= 0 {
		opts.CancelCutoff = DefaultOptions.CancelCutoff
	}
	return &Service{client: client, outbox: outbox, now: now, opts: opts}
}

// clock returns now in UTC to the microsecond, what both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// holding are the statuses that hold one of a slot's places.
var holding = []carebooking.Status{
	carebooking.StatusCONFIRMED, carebooking.StatusOFFERED, carebooking.StatusCHECKED_IN,
	carebooking.StatusCHECKED_OUT, carebooking.StatusNO_SHOW,
}

// live are the statuses of a booking that still counts in its slot.
var live = append([]carebooking.Status{carebooking.StatusWAITLISTED}, holding...)

// lockSlot updates the slot's row (changing nothing but taking its row
// lock until the transaction ends) and returns it as it now is.
func lockSlot(ctx context.Context, tx *ent.Tx, id int) (*ent.CareSlot, error) {
	sys := viewer.SystemContext(ctx)
	n, err := tx.CareSlot.Update().Where(careslot.ID(id)).AddTaken(0).Save(sys)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, apperr.New(apperr.NotFound, "slot not found")
	}
	return tx.CareSlot.Get(sys, id)
}

// isCaregiver reports whether v is a CAREGIVER in community.
func isCaregiver(v *viewer.Viewer, community int) bool {
	return slices.Contains(v.CommunitiesWhere(viewer.Caregiver), community)
}

// family returns who hears of a person's care: their active guardians, and
// the person themself when they are an adult who signs in.
func (s *Service) family(ctx context.Context, tx *ent.Tx, residentID int, minor bool) ([]int, error) {
	ids, err := tx.Guardianship.Query().
		Where(guardianship.DependentID(residentID), guardianship.StatusEQ(guardianship.StatusACTIVE)).
		Select(guardianship.FieldGuardianID).Ints(viewer.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	if !minor {
		ids = append(ids, residentID)
	}
	return ids, nil
}

// logged is one entry of a person's care log to write.
type logged struct {
	booking    *ent.CareBooking
	kind       careevent.Kind
	noteID     int
	incidentID int
	minor      bool
	// msg and params are the family's notification.
	msg    *i18n.Message
	params []i18n.Param
}

// record writes a care log entry, its event and the family's
// notifications in tx.
func (s *Service) record(ctx context.Context, tx *ent.Tx, l logged) (*ent.CareEvent, error) {
	sys := viewer.SystemContext(ctx)
	b := l.booking
	c := tx.CareEvent.Create().SetBookingID(b.ID).SetResidentID(b.ResidentID).SetBookedByID(b.BookedByID).
		SetCommunityID(b.CommunityID).SetKind(l.kind).SetAt(s.clock())
	if l.noteID != 0 {
		c.SetNoteID(l.noteID)
	}
	if l.incidentID != 0 {
		c.SetIncidentID(l.incidentID)
	}
	ev, err := c.Save(sys)
	if err != nil {
		return nil, err
	}
	to, err := s.family(ctx, tx, b.ResidentID, l.minor)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(to, b.BookedByID) {
		to = append(to, b.BookedByID)
	}
	_, err = s.outbox.Emit(ctx, tx, realtime.Event{
		Kind: careKindPrefix + string(l.kind), SubjectID: ev.ID,
		Topics: []string{CareTopic(b.ResidentID), realtime.NodeTopic(b.ID)},
		Notify: to,
		Notification: realtime.NotificationContent{
			Kind: notification.KindCARE, Message: l.msg, Params: l.params,
		},
	})
	return ev, err
}

// CareTopic is the topic of a person's care log.
func CareTopic(residentID int) string { return realtime.NodeTopic(residentID) }

// day returns the Shanghai calendar day of t, as YYYY-MM-DD.
func day(t time.Time) string { return t.In(localtime.Zone).Format(time.DateOnly) }

// hhmm returns the Shanghai clock time of t.
func hhmm(t time.Time) string { return t.In(localtime.Zone).Format("15:04") }

// reload reads booking id after its transaction committed, as the system
// (the caller was checked), so that the fields a response asks for load
// through the client rather than the finished transaction.
func (s *Service) reload(ctx context.Context, id int) (*ent.CareBooking, error) {
	return s.client.CareBooking.Get(viewer.SystemContext(ctx), id)
}

// PersonalData is care's section of a resident's data export
// (exportMyData): the bookings about them, their care log, the incidents
// and the care notes about them (those written while they were an adult:
// notes about a child are their guardians' to read).
var PersonalData = personaldata.Section{
	Name:   "care",
	Covers: []string{"care_bookings.resident_id"},
	Export: func(ctx context.Context, c *ent.Client, id int) (any, error) {
		bookings, err := c.CareBooking.Query().Where(carebooking.ResidentID(id)).
			WithEvents().WithIncidents().
			WithNotes(func(q *ent.CareNoteQuery) { q.Where(carenote.AboutMinor(false)) }).
			Order(ent.Asc(carebooking.FieldID)).All(ctx)
		if err != nil {
			return nil, err
		}
		return map[string]any{"bookings": bookings}, nil
	},
}
