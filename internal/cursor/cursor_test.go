package cursor

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/jimei-linli/linli/internal/gqlscalar"
)

func TestRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 30, 0, 123456789, time.UTC)
	for _, c := range []Cursor{
		{ID: 1},
		{ID: 1<<32 + 194},
		{ID: 7, Value: "盛光社區"},
		{ID: 8, Value: int64(42)},
		{ID: 9, Value: strings.Repeat("長", 100)}, // longer than one keystream block
	} {
		s := Encode(c)
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("Decode(Encode(%v)) = %v", c, err)
		}
		if got.ID != c.ID || got.Value != c.Value {
			t.Errorf("Decode(Encode(%v)) = %v", c, got)
		}
		if strings.ContainsAny(s, "+/=") {
			t.Errorf("cursor %q is not URL-safe", s)
		}
	}
	got, err := Decode(Encode(Cursor{ID: 3, Value: at}))
	if v, ok := got.Value.(time.Time); err != nil || !ok || !v.Equal(at) {
		t.Errorf("a time value came back as %#v, %v", got.Value, err)
	}
}

func TestTamperedCursorsAreBadUserInput(t *testing.T) {
	s := Encode(Cursor{ID: 194})
	var old bytes.Buffer
	entgql.Cursor[int]{ID: 194}.MarshalGQL(&old) // entgql's own encoding, quoted
	flipped := []byte(s)
	flipped[len(flipped)/2] ^= 1
	for _, bad := range []string{
		"", "a", "!!!!", s[:len(s)-1], s + "A", string(flipped),
		strings.Trim(old.String(), `"`), // a cursor from before this encoding
	} {
		if _, err := Decode(bad); !isCoercionError(err) {
			t.Errorf("Decode(%q) = %v, want BAD_USER_INPUT", bad, err)
		}
	}
	if _, err := UnmarshalCursor(12); !isCoercionError(err) {
		t.Errorf("UnmarshalCursor(12) = %v", err)
	}
}

// djb2 is urql's hash (phash in @urql/core), over UTF-16 code units.
func djb2(s string) uint32 {
	h := uint32(5381)
	for _, r := range s { // cursors and the JSON around them are ASCII
		h = (h << 5) + h + uint32(r)
	}
	return h
}

// TestNeighbouringCursorsSpread: the variables of consecutive pages, as
// urql keys them, hash to distinct values, which entgql's encoding does not.
func TestNeighbouringCursorsSpread(t *testing.T) {
	const n = 5000
	key := func(c string) uint32 { return djb2(`{"after":"` + c + `","first":10}`) }
	seen := map[uint32]int{}
	for id := 1; id <= n; id++ {
		h := key(Encode(Cursor{ID: id}))
		if other, ok := seen[h]; ok {
			t.Fatalf("cursors of ids %d and %d hash alike", other, id)
		}
		seen[h] = id
	}
	old := map[uint32]bool{}
	collisions := 0
	for id := 1; id <= n; id++ {
		var b bytes.Buffer
		entgql.Cursor[int]{ID: id}.MarshalGQL(&b)
		h := key(strings.Trim(b.String(), `"`))
		if old[h] {
			collisions++
		}
		old[h] = true
	}
	if collisions == 0 {
		t.Log("entgql's cursors did not collide either; the test no longer shows the problem")
	}
	t.Logf("%d ids: 0 collisions (entgql's encoding: %d)", n, collisions)
}

// isCoercionError reports whether err is a scalar's coercion error, which
// the server answers as BAD_USER_INPUT on the argument.
func isCoercionError(err error) bool {
	_, ok := errors.AsType[*gqlscalar.Error](err)
	return ok
}
