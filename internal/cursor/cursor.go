// Package cursor marshals the Relay cursors of Linli's connections (the
// GraphQL Cursor scalar, ent.Cursor: an ID and the value ordered on). It
// works on entgql.Cursor[int], which ent.Cursor is, so that ent's generated
// code can use it too (ent/cursor.go).
//
// entgql writes a cursor as base64 of its msgpack encoding, so cursors of
// neighbouring rows differ in one or two characters. Clients' caches that
// key a page by a 32-bit hash of the query and its variables (urql's
// default cache hashes them with djb2) then give two different pages the
// same key: "…AAAZ" and "…AAB9" hash alike, and infinite scroll loops. A
// Linli cursor is instead
//
//	base64url( tag ‖ msgpack(cursor) XOR keystream(tag) )
//
// where tag is a 4-byte keyed checksum (HMAC-SHA-256) of the msgpack
// encoding, and the keystream is derived from the tag: every byte of a
// cursor depends on the whole position, so neighbouring cursors share no
// structure and their hashes spread. Decoding reverses the mask and checks
// the tag; a cursor that was edited, truncated or made by hand is refused
// with BAD_USER_INPUT (a *gqlscalar.Error).
//
// The key is not a secret and need not be: a cursor only positions a page
// inside what the viewer may read (privacy rules apply to the page as to
// any query), so a forged one gains nothing; the checksum is for spread
// and for telling a damaged cursor from a valid one.
package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/jimei-linli/linli/internal/gqlscalar"
)

// Cursor is a position in a connection: ent.Cursor.
type Cursor = entgql.Cursor[int]

// key keys the checksum and the mask. Changing it invalidates every cursor
// clients hold (they then start their lists again).
var key = []byte("linli relay cursor v1")

// tagSize is the length of the checksum in bytes.
const tagSize = 4

// encoding is the text encoding of cursors: URL-safe, so that a cursor can
// travel in a GET request's query string unescaped.
var encoding = base64.RawURLEncoding

// Encode returns c as an opaque cursor string.
func Encode(c Cursor) string {
	payload, err := msgpack.Marshal(c)
	if err != nil {
		// An int ID and an ent.Value read from a row always encode.
		panic("cursor: encode: " + err.Error())
	}
	out := make([]byte, tagSize+len(payload))
	copy(out, checksum(payload))
	mask(out[tagSize:], payload, out[:tagSize])
	return encoding.EncodeToString(out)
}

// errInvalid is the error for every cursor that does not decode: the
// client cannot repair it, only start the list again. It is a scalar's
// coercion error, so that the server names the argument at fault
// (extensions.field) and answers BAD_USER_INPUT.
var errInvalid = &gqlscalar.Error{Message: "the cursor is not valid; start the list again without it"}

// Decode returns the cursor that s encodes, or a BAD_USER_INPUT error when s
// is not a cursor Encode made.
func Decode(s string) (Cursor, error) {
	raw, err := encoding.DecodeString(s)
	if err != nil || len(raw) <= tagSize {
		return Cursor{}, errInvalid
	}
	tag := raw[:tagSize]
	payload := make([]byte, len(raw)-tagSize)
	mask(payload, raw[tagSize:], tag)
	if !hmac.Equal(tag, checksum(payload)) {
		return Cursor{}, errInvalid
	}
	var c Cursor
	dec := msgpack.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&c); err != nil {
		return Cursor{}, errInvalid
	}
	return c, nil
}

// checksum returns the keyed checksum of payload.
func checksum(payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tag"))
	m.Write(payload)
	return m.Sum(nil)[:tagSize]
}

// mask writes src XOR the keystream derived from tag into dst (len(dst) ==
// len(src)); masking twice restores src.
func mask(dst, src, tag []byte) {
	var block []byte
	for i := range src {
		if i%sha256.Size == 0 {
			m := hmac.New(sha256.New, key)
			m.Write([]byte("mask"))
			m.Write(tag)
			m.Write(binary.BigEndian.AppendUint32(nil, uint32(i/sha256.Size)))
			block = m.Sum(nil)
		}
		dst[i] = src[i] ^ block[i%sha256.Size]
	}
}

// MarshalCursor writes c as the GraphQL Cursor scalar (gqlgen's marshaler
// for it, see gqlgen.yml).
func MarshalCursor(c Cursor) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(Encode(c)))
	})
}

// UnmarshalCursor reads the GraphQL Cursor scalar (gqlgen's unmarshaler for
// it): a string Encode made.
func UnmarshalCursor(v any) (Cursor, error) {
	s, ok := v.(string)
	if !ok {
		return Cursor{}, &gqlscalar.Error{Message: "a cursor is a string"}
	}
	return Decode(s)
}
