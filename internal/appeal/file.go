package appeal

import (
	"context"
	"math"
	"net/url"
	"strings"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/household"
	"github.com/jimei-linli/linli/ent/place"
	"github.com/jimei-linli/linli/ent/request"
	"github.com/jimei-linli/linli/ent/requestevent"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/internal/appeal/form"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/i18n"
	"github.com/jimei-linli/linli/internal/idempotency"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Filing is a request to file.
type Filing struct {
	CategoryID  int
	Description string
	// PlaceID is where; 0 means the place of the household of the
	// resident it is for.
	PlaceID   int
	PhotoURLs []string
	// Latitude and Longitude are both set or both nil.
	Latitude, Longitude *float64
	Urgency             request.Urgency
	// ForResidentID is a dependent of the filer's; 0 means the filer.
	ForResidentID int
	Anonymous     bool
	Answers       []form.Answer
}

// Limits of a filing.
const (
	maxDescription = 2000
	maxPhotos      = 9
	maxPhotoURL    = 1000
)

// File files a request: it goes to the grid of its place, whose staff hear
// of it at once, and its 54321 clock starts.
func (s *Service) File(ctx context.Context, f Filing) (*ent.Request, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return nil, err
	}
	f.Description = strings.TrimSpace(f.Description)
	if f.Description == "" || len([]rune(f.Description)) > maxDescription {
		return nil, apperr.New(apperr.BadUserInput, "a description has 1 to %d characters", maxDescription)
	}
	if err := checkPhotos(f.PhotoURLs); err != nil {
		return nil, err
	}
	if (f.Latitude == nil) != (f.Longitude == nil) ||
		(f.Latitude != nil && (math.Abs(*f.Latitude) > 90 || math.Abs(*f.Longitude) > 180)) {
		return nil, apperr.New(apperr.BadUserInput, "give both latitude (-90 to 90) and longitude (-180 to 180), or neither")
	}
	if f.Urgency == "" {
		f.Urgency = request.UrgencyNORMAL
	}
	if request.UrgencyValidator(f.Urgency) != nil {
		return nil, apperr.New(apperr.BadUserInput, "unknown urgency %q", f.Urgency)
	}
	subject := v.ResidentID
	if f.ForResidentID != 0 && f.ForResidentID != v.ResidentID {
		if !v.GuardianOf(f.ForResidentID) {
			return nil, apperr.New(apperr.Forbidden, "you may file only for yourself and for the residents you are the active guardian of")
		}
		subject = f.ForResidentID
	}
	sys := viewer.SystemContext(ctx)
	cat, err := s.client.RequestCategory.Get(sys, f.CategoryID)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "request category not found")
	}
	if !cat.Active {
		return nil, apperr.New(apperr.BadUserInput, "the category %q no longer takes new requests", cat.Name)
	}
	if err := form.CheckAnswers(ctx, cat.FormFields, f.Answers); err != nil {
		return nil, apperr.New(apperr.BadUserInput, "%v", err)
	}
	pl, err := s.placeOf(sys, f.PlaceID, subject)
	if err != nil {
		return nil, err
	}
	var id int
	err = store.WithTx(ctx, s.client, func(tx *ent.Tx) error {
		now := s.now()
		d := s.deadlines
		create := tx.Request.Create().SetCategoryID(cat.ID).SetDescription(f.Description).
			SetPlaceID(pl.ID).SetGridID(pl.GridID).SetUrgency(f.Urgency).
			SetFilerID(v.ResidentID).SetSubjectID(subject).SetAnonymous(f.Anonymous).
			SetCreatedAt(now).SetUpdatedAt(now).
			SetAcknowledgeDueAt(now.Add(d.Acknowledge)).SetContactDueAt(now.Add(d.Contact)).
			SetResolveDueAt(now.Add(d.Resolve)).
			SetClockStage(request.ClockStageACKNOWLEDGE).SetClockDueAt(now.Add(d.Acknowledge)).
			SetNextEscalationAt(now.Add(d.Acknowledge)).
			SetNillableLatitude(f.Latitude).SetNillableLongitude(f.Longitude)
		if len(f.PhotoURLs) > 0 {
			create.SetPhotoUrls(f.PhotoURLs)
		}
		if len(f.Answers) > 0 {
			create.SetAnswers(f.Answers)
		}
		r, err := create.Save(sys)
		if err != nil {
			return err
		}
		id = r.ID
		s.rearmOnCommit(tx)
		sc := scope{gridID: pl.GridID, firstRole: cat.FirstRole}
		staff, err := gridHandlers(ctx, tx.Client(), sc)
		if err != nil {
			return err
		}
		msg := i18n.RequestFiled
		if f.Urgency == request.UrgencyURGENT {
			msg = i18n.RequestFiledUrgent
		}
		if _, err = s.record(sys, tx, r, &v.ResidentID, &step{kind: requestevent.KindFILED, notify: staff, msg: msg,
			params: i18n.Params("category", cat.Name)}, now); err != nil {
			return err
		}
		return idempotency.Record(ctx, tx, r.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// placeOf returns the place a request is about: the given one, or the
// place of the household of the resident it is for.
func (s *Service) placeOf(sys context.Context, placeID, subject int) (*ent.Place, error) {
	if placeID != 0 {
		pl, err := s.client.Place.Get(sys, placeID)
		if err != nil {
			return nil, apperr.New(apperr.NotFound, "place not found")
		}
		return pl, nil
	}
	pl, err := s.client.Place.Query().
		Where(place.HasHouseholdsWith(household.HasMembersWith(resident.ID(subject)))).First(sys)
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, apperr.New(apperr.BadUserInput, "give a place: the resident the request is for is not registered in a household")
		}
		return nil, err
	}
	return pl, nil
}

// checkPhotos checks photo URLs: at most 9, each an http(s) URL.
func checkPhotos(urls []string) error {
	if len(urls) > maxPhotos {
		return apperr.New(apperr.BadUserInput, "at most %d photos", maxPhotos)
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || len(u) > maxPhotoURL {
			return apperr.New(apperr.BadUserInput, "a photo is an http(s) URL of at most %d characters", maxPhotoURL)
		}
	}
	return nil
}
