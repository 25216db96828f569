// Package idempotency makes a retried mutation safe: a mutation sent with
// an idempotency key is done once per signed-in resident and key, and the
// same key again (also while the first call is still running) returns the
// first call's result instead of doing anything.
//
// The convention, for every mutation that creates or moves something:
//
//   - The GraphQL field takes `idempotencyKey: String` and carries the
//     `@idempotent` directive; graph's directive calls Keys.Do around the
//     resolver with the viewer, the key, the field's name and a hash of its
//     other arguments (Hash).
//   - The service, in the transaction that does the writes, calls
//     Record(ctx, tx, resultID) as its last write (or just before the
//     update of a row every call contends for). Without a key on ctx it
//     does nothing, so services work the same for calls without a key.
//
// The use of the key is thus committed with the writes or not at all: a
// failed (rolled back) mutation leaves no key, and a retry runs anew. A
// duplicate that runs concurrently with the first either fails on what the
// first wrote or blocks on the unique index of (resident, key) in Record
// until the first commits; it then rolls back, and Do answers with the
// first call's result. A stored key with another operation or other
// arguments is CONFLICT on the field idempotencyKey.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jimei-linli/linli/ent"
	"github.com/jimei-linli/linli/ent/idempotencykey"
	"github.com/jimei-linli/linli/internal/apperr"
	"github.com/jimei-linli/linli/internal/viewer"
)

// Field is the name of the argument that carries the key.
const Field = "idempotencyKey"

// MaxKeyLength is the longest key accepted, in characters.
const MaxKeyLength = 100

// MinWindow is the shortest time a key is kept: a retry within a day of
// the first call is always answered with its result.
const MinWindow = 24 * time.Hour

// Use is one use of a key: who sent it, for which mutation, with which
// arguments.
type Use struct {
	ResidentID int
	Key        string
	// Operation is the mutation field's name, e.g. "placeMealOrder".
	Operation string
	// InputHash is Hash of the field's arguments.
	InputHash string
}

// Keys stores the uses of idempotency keys in the database.
type Keys struct {
	client *ent.Client
	now    func() time.Time
}

// New returns the keys stored through client, dated by now.
func New(client *ent.Client, now func() time.Time) *Keys {
	return &Keys{client: client, now: now}
}

// Hash returns the hex SHA-256 of args (without the key itself) as
// canonical JSON: object keys sorted, input objects in their fields'
// order. Equal arguments hash equally.
func Hash(args map[string]any) (string, error) {
	rest := make(map[string]any, len(args))
	for k, v := range args {
		if k != Field {
			rest[k] = v
		}
	}
	b, err := json.Marshal(rest)
	if err != nil {
		return "", fmt.Errorf("idempotency: hashing arguments: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Check validates a key: 1 to MaxKeyLength visible ASCII characters (a
// UUID, say), so that characters and bytes count alike.
func Check(key string) error {
	if len(key) == 0 || len(key) > MaxKeyLength {
		return apperr.OnField(apperr.BadUserInput, Field, "an idempotency key has 1 to %d characters", MaxKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return apperr.OnField(apperr.BadUserInput, Field, "an idempotency key has only visible ASCII characters (e.g. a UUID)")
		}
	}
	return nil
}

type ctxKey struct{}

// pending is a use on the context of a mutation running for the first time.
type pending struct {
	use      Use
	now      time.Time
	recorded bool
}

// Unkeyed returns ctx without the key of the mutation running: for a path
// of a keyed mutation that deliberately records nothing (Record does
// nothing under it), so that a retry runs it again.
func Unkeyed(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxKey{}, (*pending)(nil))
}

// Do runs the mutation run under u. When u's key was used before (a retry,
// or a concurrent duplicate that lost), it runs nothing and returns the
// stored result instead, loaded (in its current state) by load; a stored
// use for another operation or other arguments is CONFLICT. Otherwise run
// gets a context carrying u, whose transaction must call Record.
func (k *Keys) Do(ctx context.Context, u Use, run func(context.Context) (any, error), load func(ctx context.Context, id int) (any, error)) (any, error) {
	if err := Check(u.Key); err != nil {
		return nil, err
	}
	if res, found, err := k.replay(ctx, u, load); found || err != nil {
		return res, err
	}
	p := &pending{use: u, now: k.now().UTC()}
	res, err := run(context.WithValue(ctx, ctxKey{}, p))
	if err != nil {
		// A duplicate that ran while the first call did fails on what the
		// first one wrote, or on the key in Record: when the key is there
		// now, the first call's result is the answer.
		if res, found, rerr := k.replay(ctx, u, load); found || rerr != nil {
			return res, rerr
		}
		return nil, err
	}
	return res, nil
}

// replay looks for a committed use of u's key.
func (k *Keys) replay(ctx context.Context, u Use, load func(ctx context.Context, id int) (any, error)) (any, bool, error) {
	row, err := k.client.IdempotencyKey.Query().
		Where(idempotencykey.ResidentID(u.ResidentID), idempotencykey.Key(u.Key)).
		Only(viewer.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if row.Operation != u.Operation || row.InputHash != u.InputHash {
		return nil, true, apperr.OnField(apperr.Conflict, Field,
			"this idempotency key was already used for another %s; use a new key for a new action", describe(row.Operation, u.Operation))
	}
	if row.ResultID == 0 {
		return nil, true, nil
	}
	res, err := load(ctx, row.ResultID)
	return res, true, err
}

func describe(stored, asked string) string {
	if stored != asked {
		return "mutation (" + stored + ")"
	}
	return "input"
}

// errDuplicate reports that the key was committed by a concurrent call;
// Do answers with that call's result.
var errDuplicate = errors.New("idempotency: the key was used by a concurrent call")

// Record stores the use of the key on ctx, with the ID of the mutation's
// result (0 for none), in tx: the transaction that does the mutation's
// writes, so the key is committed with them or not at all. Call it as the
// last write. Without a key on ctx (a call without one, or a nested
// service call) it does nothing.
func Record(ctx context.Context, tx *ent.Tx, resultID int) error {
	p, _ := ctx.Value(ctxKey{}).(*pending)
	if p == nil || p.recorded {
		return nil
	}
	err := tx.IdempotencyKey.Create().
		SetResidentID(p.use.ResidentID).SetKey(p.use.Key).SetOperation(p.use.Operation).
		SetInputHash(p.use.InputHash).SetResultID(resultID).SetCreatedAt(p.now).
		Exec(viewer.SystemContext(ctx))
	if ent.IsConstraintError(err) {
		return errDuplicate
	}
	if err != nil {
		return err
	}
	p.recorded = true
	return nil
}
