package push

import (
	"context"
	"strings"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/device"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/store"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Devices registers residents' devices.
type Devices struct {
	client *ent.Client
	now    func() time.Time
}

// NewDevices returns a device registry over client.
func NewDevices(client *ent.Client, now func() time.Time) *Devices {
	if now == nil {
		now = time.Now
	}
	return &Devices{client: client, now: now}
}

// Register registers a push token for the signed-in resident. A token is
// one device: registering it again moves it to whoever registers it now
// (the phone changed hands, or another resident signed in on it).
func (d *Devices) Register(ctx context.Context, platform device.Platform, token string) error {
	v, err := viewer.Required(ctx)
	if err != nil {
		return err
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 4096 {
		return apperr.New(apperr.BadUserInput, "a push token has 1 to 4096 characters")
	}
	if err := device.PlatformValidator(platform); err != nil {
		return apperr.New(apperr.BadUserInput, "unknown platform %q", platform)
	}
	// The token row may belong to another resident; only the system may
	// move it, and only to the viewer.
	sys := viewer.SystemContext(ctx)
	now := d.now()
	return store.WithTx(sys, d.client, func(tx *ent.Tx) error {
		existing, err := tx.Device.Query().Where(device.Token(token)).Only(sys)
		switch {
		case ent.IsNotFound(err):
			return tx.Device.Create().SetResidentID(v.ResidentID).SetPlatform(platform).
				SetToken(token).SetCreatedAt(now).SetRegisteredAt(now).Exec(sys)
		case err != nil:
			return err
		default:
			return tx.Device.UpdateOne(existing).SetResidentID(v.ResidentID).SetPlatform(platform).
				SetRegisteredAt(now).Exec(sys)
		}
	})
}

// Unregister removes the signed-in resident's device with token; it
// reports whether there was one.
func (d *Devices) Unregister(ctx context.Context, token string) (bool, error) {
	v, err := viewer.Required(ctx)
	if err != nil {
		return false, err
	}
	n, err := d.client.Device.Delete().
		Where(device.Token(strings.TrimSpace(token)), device.ResidentID(v.ResidentID)).
		Exec(viewer.SystemContext(ctx))
	return n > 0, err
}
