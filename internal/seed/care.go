package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/carebooking"
	"github.com/jimei-linli/linli/ent/careevent"
	"github.com/jimei-linli/linli/ent/carefacility"
	"github.com/jimei-linli/linli/ent/careincident"
	"github.com/jimei-linli/linli/ent/careservice"
	"github.com/jimei-linli/linli/ent/careslot"
	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/internal/care"
)

// The care facilities of 盛光社区, by name.
const (
	DayCareCentre   = "盛光社区老人日间照料中心"
	ChildcareCentre = "盛光社区托育托管中心"
)

// careService is a service of the demo facilities.
type careService struct {
	name            string
	kind            careservice.Kind
	minutes, places int
	price, subsidy  int
	audience        careservice.Audience
	minAge, maxAge  int // 0: no bound
	weekdays        []int
	starts          []string
	caregiverOnDuty bool
}

var (
	dayCareServices = []careService{
		{"全日托", careservice.KindFULL_DAY, 8 * 60, 20, 3000, 2000, careservice.AudienceELDERLY, 60, 0, []int{1, 2, 3, 4, 5}, []string{"08:30"}, false},
		{"半日托", careservice.KindHALF_DAY, 4 * 60, 10, 1600, 1000, careservice.AudienceELDERLY, 60, 0, []int{1, 2, 3, 4, 5, 6}, []string{"08:30", "13:30"}, true},
		{"助浴", careservice.KindBATHING, 60, 2, 2000, 1500, careservice.AudienceELDERLY, 60, 0, []int{2, 4}, []string{"10:00", "15:00"}, false},
		{"康复训练", careservice.KindREHABILITATION, 45, 4, 2500, 1500, careservice.AudienceELDERLY, 60, 0, []int{1, 3, 5}, []string{"10:00"}, false},
		{"上门巡诊", careservice.KindHOME_VISIT, 60, 1, 5000, 4000, careservice.AudienceELDERLY, 60, 0, []int{1, 2, 3, 4, 5}, []string{"09:00", "14:00"}, false},
	}
	childcareServices = []careService{
		{"四点半课堂", careservice.KindAFTER_SCHOOL, 120, 15, 1000, 500, careservice.AudienceCHILD, 6, 12, []int{1, 2, 3, 4, 5}, []string{"16:30"}, true},
		{"托育半日", careservice.KindHALF_DAY, 4 * 60, 8, 4000, 2000, careservice.AudienceCHILD, 1, 3, []int{1, 2, 3, 4, 5}, []string{"08:00"}, false},
	}
)

// writeCare opens 盛光社区's day-care and childcare centres with slots from
// three days ago to six days ahead, the demo caregiver on duty in the
// half-day and after-school slots, the demo elder booked by her son (with
// yesterday's day done: checked in and out, a note and a minor incident),
// and neighbors over 60 booked into the full-day slots.
func writeCare(ctx context.Context, c *ent.Client, w *Written) error {
	sg := w.Communities[CommunityShengguang]
	pl, err := c.Place.Query().Where(place.GridID(w.Grids[GridShengguang01])).Order(ent.Asc(place.FieldID)).First(ctx)
	if err != nil {
		return err
	}
	from := w.Today.AddDate(0, 0, -3)
	caregiver := w.Residents[PhoneCaregiver]
	services := map[string]*ent.CareService{}
	for _, f := range []struct {
		name     string
		kind     carefacility.Kind
		services []careService
	}{
		{DayCareCentre, carefacility.KindELDER_DAY_CARE, dayCareServices},
		{ChildcareCentre, carefacility.KindCHILDCARE, childcareServices},
	} {
		// Closed on a public holiday beyond the demo week.
		closed := []string{w.Today.AddDate(0, 0, 10).Format(time.DateOnly)}
		fac, err := c.CareFacility.Create().SetCommunityID(sg).SetPlaceID(pl.ID).SetName(f.name).
			SetKind(f.kind).SetClosedDays(closed).Save(ctx)
		if err != nil {
			return err
		}
		for _, s := range f.services {
			create := c.CareService.Create().SetFacilityID(fac.ID).SetName(s.name).SetKind(s.kind).
				SetDurationMinutes(s.minutes).SetCapacity(s.places).SetPriceFen(s.price).SetSubsidyFen(s.subsidy).
				SetAudience(s.audience).SetWeekdays(s.weekdays).SetStartTimes(s.starts)
			if s.minAge > 0 {
				create.SetMinAge(s.minAge)
			}
			if s.maxAge > 0 {
				create.SetMaxAge(s.maxAge)
			}
			svc, err := create.Save(ctx)
			if err != nil {
				return err
			}
			services[s.name+"@"+f.name] = svc
			if err := care.MakeSlots(ctx, c, svc, closed, from, 10); err != nil {
				return err
			}
			if s.caregiverOnDuty {
				if err := c.CareSlot.Update().Where(careslot.ServiceID(svc.ID)).SetCaregiverIds([]int{caregiver}).Exec(ctx); err != nil {
					return err
				}
			}
		}
	}
	b := careBooker{c: c, community: sg, today: w.Today}
	// The demo elder, booked by her son: yesterday's half day done, and
	// the next full days booked.
	halfDay := services["半日托@"+DayCareCentre]
	fullDay := services["全日托@"+DayCareCentre]
	elder, son := w.Residents[PhoneElder], w.Residents[PhoneGuardian]
	past, err := c.CareSlot.Query().Where(careslot.ServiceID(halfDay.ID), careslot.StartsAtLT(w.Today.UTC())).
		Order(ent.Desc(careslot.FieldStartsAt)).First(ctx)
	if err != nil {
		return err
	}
	done, err := b.book(ctx, past, halfDay, elder, son, carebooking.StatusCHECKED_OUT)
	if err != nil {
		return err
	}
	in := past.StartsAt.Add(2 * time.Minute)
	out := past.EndsAt.Add(-5 * time.Minute)
	if err := c.CareBooking.UpdateOne(done).SetCheckedInAt(in).SetCheckedOutAt(out).Exec(ctx); err != nil {
		return err
	}
	note, err := c.CareNote.Create().SetBookingID(done.ID).SetResidentID(elder).SetCommunityID(sg).
		SetAuthorID(caregiver).SetBody("精神不错，午餐吃完一碗粥；下午血压 135/85，已提醒按时服药。").
		SetCreatedAt(past.StartsAt.Add(3 * time.Hour)).Save(ctx)
	if err != nil {
		return err
	}
	inc, err := c.CareIncident.Create().SetBookingID(done.ID).SetResidentID(elder).SetCommunityID(sg).
		SetReporterID(caregiver).SetSeverity(careincident.SeverityMINOR).
		SetDescription("上洗手间时脚滑，扶住未跌倒；已检查无外伤。").SetOccurredAt(past.StartsAt.Add(90 * time.Minute)).Save(ctx)
	if err != nil {
		return err
	}
	for _, e := range []struct {
		kind careevent.Kind
		at   time.Time
		set  func(*ent.CareEventCreate)
	}{
		{careevent.KindCHECKED_IN, in, func(*ent.CareEventCreate) {}},
		{careevent.KindINCIDENT, inc.OccurredAt, func(c *ent.CareEventCreate) { c.SetIncidentID(inc.ID) }},
		{careevent.KindNOTE, note.CreatedAt, func(c *ent.CareEventCreate) { c.SetNoteID(note.ID) }},
		{careevent.KindCHECKED_OUT, out, func(*ent.CareEventCreate) {}},
	} {
		create := c.CareEvent.Create().SetBookingID(done.ID).SetResidentID(elder).SetBookedByID(son).
			SetCommunityID(sg).SetKind(e.kind).SetAt(e.at)
		e.set(create)
		if err := create.Exec(ctx); err != nil {
			return err
		}
	}
	coming, err := c.CareSlot.Query().Where(careslot.ServiceID(fullDay.ID), careslot.StartsAtGTE(w.Today.UTC())).
		Order(ent.Asc(careslot.FieldStartsAt)).All(ctx)
	if err != nil {
		return err
	}
	for _, sl := range coming {
		if _, err := b.book(ctx, sl, fullDay, elder, son, carebooking.StatusCONFIRMED); err != nil {
			return err
		}
	}
	// Neighbors over 60 of the first grid book full days themselves.
	elders, err := c.PersonalInfo.Query().Where(personalinfo.ResidentIDIn(w.GridResidents[GridShengguang01]...),
		personalinfo.BirthDateLTE(w.Today.AddDate(-65, 0, 0).UTC()), personalinfo.BirthDateVerifiedAtNotNil(),
		personalinfo.ResidentIDNEQ(elder)).
		Order(ent.Asc(personalinfo.FieldResidentID)).Limit(12).All(ctx)
	if err != nil {
		return err
	}
	all, err := c.CareSlot.Query().Where(careslot.ServiceID(fullDay.ID)).Order(ent.Asc(careslot.FieldStartsAt)).All(ctx)
	if err != nil {
		return err
	}
	for i, sl := range all {
		for j, e := range elders {
			if (i+j)%3 == 0 {
				continue // not everyone comes every day
			}
			status := carebooking.StatusCONFIRMED
			if sl.EndsAt.Before(w.Today) { // (a moment: zones do not matter)
				status = carebooking.StatusCHECKED_OUT
				if j == 0 {
					status = carebooking.StatusNO_SHOW
				}
			}
			bk, err := b.book(ctx, sl, fullDay, e.ResidentID, e.ResidentID, status)
			if err != nil {
				return err
			}
			if status == carebooking.StatusCHECKED_OUT {
				if err := c.CareBooking.UpdateOne(bk).SetCheckedInAt(sl.StartsAt.Add(time.Duration(j) * time.Minute)).
					SetCheckedOutAt(sl.EndsAt.Add(-time.Duration(j) * time.Minute)).Exec(ctx); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// careBooker writes demo bookings with their slot's places taken and a
// care log entry.
type careBooker struct {
	c         *ent.Client
	community int
	today     time.Time
}

// book writes a booking of slot for resident by booker with status.
func (b careBooker) book(ctx context.Context, slot *ent.CareSlot, svc *ent.CareService, resident, booker int, status carebooking.Status) (*ent.CareBooking, error) {
	at := slot.StartsAt.AddDate(0, 0, -2)
	bk, err := b.c.CareBooking.Create().SetSlotID(slot.ID).SetResidentID(resident).SetBookedByID(booker).
		SetCommunityID(b.community).SetStatus(status).SetPriceFen(svc.PriceFen).SetSubsidyFen(svc.SubsidyFen).
		SetCreatedAt(at).SetUpdatedAt(at).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("booking slot %d: %w", slot.ID, err)
	}
	if err := b.c.CareSlot.UpdateOneID(slot.ID).AddTaken(1).Exec(ctx); err != nil {
		return nil, err
	}
	return bk, b.c.CareEvent.Create().SetBookingID(bk.ID).SetResidentID(resident).SetBookedByID(booker).
		SetCommunityID(b.community).SetKind(careevent.KindCONFIRMED).SetAt(at).Exec(ctx)
}
