package apitest_test

import (
	"regexp"
	"testing"

	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

// implementationDetail matches what must never reach a client in an error
// message: Go's parse errors, decoders, Go types, the database and ent.
var implementationDetail = regexp.MustCompile(`(?i)strconv|parsing|base64|input byte|illegal|` +
	`unmarshal|msgpack|json:|invalid character|cannot parse|cannot use|decod|` +
	`reflect|\bsql\b|pq:|sqlite|ent:|constraint|panic|runtime error|\*[a-z]+\.|` +
	`(?-i:\bint(8|16|32|64)?\b|float64|\bstring\b)`)

// TestInputErrorsSayWhatIsWrongAndWhere (issue 16): malformed IDs, cursors,
// times, dates, enums and numbers, sent as literals and as variables to
// many fields, are BAD_USER_INPUT (or, written wrongly in the document
// itself, GRAPHQL_VALIDATION_FAILED) with a plain message about the
// argument and extensions.field naming it, never an implementation detail.
func TestInputErrorsSayWhatIsWrongAndWhere(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		admin := e.TokenFor(t, seed.PhoneStreetAdmin)
		for _, tc := range []struct {
			name  string
			query string
			vars  map[string]any
			code  string
			field string // extensions.field; "" for a document error
			about string // the message names this (the argument or variable)
		}{
			{"ID literal", `{ node(id: "abc") { id } }`, nil, "BAD_USER_INPUT", "id", "id"},
			{"ID variable", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "12x"}, "BAD_USER_INPUT", "id", "id"},
			{"ID too big", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "99999999999999999999999"}, "BAD_USER_INPUT", "id", "id"},
			{"ID in a list", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"1", "x"}}, "BAD_USER_INPUT", "ids.1", "ids"},
			{"cursor literal", `{ communities(after: "AAA") { totalCount } }`, nil, "BAD_USER_INPUT", "after", "after"},
			{"cursor variable", `query($c: Cursor) { communities(after: $c) { totalCount } }`, map[string]any{"c": "!!not base64"}, "BAD_USER_INPUT", "after", "after"},
			{"cursor of valid base64", `query($c: Cursor) { notifications(after: $c) { totalCount } }`, map[string]any{"c": "aGVsbG8="}, "BAD_USER_INPUT", "after", "after"},
			{"time literal", `{ requestStatistics(scopeId: "1", from: "yesterday", to: "2026-12-01T00:00:00Z") { received } }`, nil, "BAD_USER_INPUT", "from", "from"},
			{"time variable", `query($to: Time!) { requestStatistics(scopeId: "1", from: "2026-11-01T00:00:00Z", to: $to) { received } }`, map[string]any{"to": "2026-13-01"}, "BAD_USER_INPUT", "to", "to"},
			{"time in a filter", `query($w: CommunityWhereInput) { communities(where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"createdAtGT": "soon"}}, "BAD_USER_INPUT", "where.createdAtGT", "where"},
			{"enum variable", `mutation($p: DevicePlatform!) { registerDevice(platform: $p, token: "t") }`, map[string]any{"p": "PAGER"}, "BAD_USER_INPUT", "$p", "$p"},
			{"enum in a filter", `query($w: RequestWhereInput) { requests(where: $w) { totalCount } }`, map[string]any{"w": map[string]any{"status": "LOST"}}, "BAD_USER_INPUT", "$w.status", "$w"},
			{"order field", `query($o: CommunityOrder) { communities(orderBy: $o) { totalCount } }`, map[string]any{"o": map[string]any{"field": "SHOE_SIZE", "direction": "ASC"}}, "BAD_USER_INPUT", "$o.field", "$o"},
			{"Int as a string", `query($n: Int) { communities(first: $n) { totalCount } }`, map[string]any{"n": "5"}, "BAD_USER_INPUT", "first", "first"},
			{"Int beyond 32 bits", `mutation($n: Int!) { rateRequest(id: "1", rating: $n) { id } }`, map[string]any{"n": 1 << 40}, "BAD_USER_INPUT", "rating", "rating"},
			{"String as a number", `mutation($t: String!) { registerDevice(platform: ANDROID, token: $t) }`, map[string]any{"t": 12345}, "BAD_USER_INPUT", "token", "token"},
			{"Boolean as a string", `query($u: Boolean) { notifications(unreadOnly: $u) { totalCount } }`, map[string]any{"u": "true"}, "BAD_USER_INPUT", "$u", "Boolean"},
			{"Int as a fraction", `query($n: Int) { communities(first: $n) { totalCount } }`, map[string]any{"n": 2.5}, "BAD_USER_INPUT", "$n", "$n"},
			{"Int literal as a string", `{ communities(first: "5") { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", "", "Int"},
			{"missing variable", `query($id: ID!) { node(id: $id) { id } }`, nil, "BAD_USER_INPUT", "$id", "$id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Do(t, admin, tc.query, tc.vars)
				if len(r.Errors) != 1 {
					t.Fatalf("want one error, got %s", r)
				}
				if r.Code() != tc.code || r.Field() != tc.field {
					t.Errorf("code %s field %q, want %s %q: %s", r.Code(), r.Field(), tc.code, tc.field, r)
				}
				if m := r.Message(); implementationDetail.MatchString(m) {
					t.Errorf("the message leaks an implementation detail: %q", m)
				} else if !regexp.MustCompile(regexp.QuoteMeta(tc.about)).MatchString(m) {
					t.Errorf("the message %q does not name %s", m, tc.about)
				}
			})
		}
	})
}
