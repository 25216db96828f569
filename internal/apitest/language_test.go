package apitest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jimei-linli/linli/ent/personalinfo"
	"github.com/jimei-linli/linli/ent/resident"
	"github.com/jimei-linli/linli/ent/roleassignment"
	"github.com/jimei-linli/linli/internal/apitest"
	"github.com/jimei-linli/linli/internal/seed"
)

const setMyLocale = `mutation($l: String!) { setMyLocale(locale: $l) { id locale } }`

const newestNotification = `{ notifications(first: 1) { edges { node { kind title body messageKey params { key value } } } } }`

// TestResidentsReadTheSameEventInTheirLanguages: two volunteers of a grid
// hear of the same help request, one who chose English and one in the
// default Simplified Chinese; each reads it in their language, with the
// same message key and parameters. Changing language changes how the old
// notification reads.
func TestResidentsReadTheSameEventInTheirLanguages(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		tokens := e.DemoTokens(t)
		elder, en := tokens[seed.PhoneElder], tokens[seed.PhoneVolunteer]
		sg01 := e.GridID(t, seed.GridShengguang01)
		// Another volunteer of the grid, who keeps the default language.
		other, err := e.Client.PersonalInfo.Query().Where(personalinfo.PhoneNEQ(seed.PhoneVolunteer), personalinfo.PhoneNotNil(),
			personalinfo.HasResidentWith(resident.HasRolesWith(roleassignment.RoleEQ(roleassignment.RoleVOLUNTEER), roleassignment.GridID(sg01)))).
			First(e.SystemCtx())
		if err != nil {
			t.Fatal(err)
		}
		zh := e.TokenFor(t, *other.Phone)

		if got := e.Do(t, en, setMyLocale, map[string]any{"l": "en-GB"}).Must(t).Value("setMyLocale", "locale"); got != "en" {
			t.Fatalf("locale after en-GB: %v", got)
		}
		if got := e.Do(t, zh, `{ me { locale } }`, nil).Must(t).Value("me", "locale"); got != "zh-Hans" {
			t.Fatalf("default locale: %v", got)
		}
		bad := e.Do(t, en, setMyLocale, map[string]any{"l": "fr"})
		if bad.Code() != "BAD_USER_INPUT" || !strings.Contains(bad.Message(), "unsupported language") {
			t.Errorf("setMyLocale(fr) in English: %s", bad)
		}

		e.Do(t, elder, askForHelp, helpInput(e, map[string]any{"title": "帮忙买菜"})).Must(t)
		e.Relay.Flush(t.Context())
		read := func(token string) (title, body string, r apitest.Response) {
			r = e.Do(t, token, newestNotification, nil).Must(t)
			return r.Value("notifications", "edges", 0, "node", "title").(string),
				r.Value("notifications", "edges", 0, "node", "body").(string), r
		}
		enTitle, enBody, enR := read(en)
		zhTitle, zhBody, zhR := read(zh)
		if enTitle != "A neighbour asks for help: 帮忙买菜" || !strings.HasSuffix(enBody, " · 60 minutes") {
			t.Errorf("in English: %q / %q", enTitle, enBody)
		}
		if zhTitle != "邻呼我应：帮忙买菜" || !strings.HasSuffix(zhBody, " · 60 分钟") {
			t.Errorf("in Simplified Chinese: %q / %q", zhTitle, zhBody)
		}
		for _, r := range []apitest.Response{enR, zhR} {
			if r.Value("notifications", "edges", 0, "node", "messageKey") != "help.requested" {
				t.Errorf("message key: %s", r)
			}
		}
		if p1, p2 := enR.Value("notifications", "edges", 0, "node", "params"), zhR.Value("notifications", "edges", 0, "node", "params"); len(p1.([]any)) != 4 || !same(p1, p2) {
			t.Errorf("params: %v and %v", p1, p2)
		}

		// The English reader switches back: the old notification follows.
		e.Do(t, en, setMyLocale, map[string]any{"l": "zh-Hans"}).Must(t)
		if title, _, _ := read(en); title != zhTitle {
			t.Errorf("after switching to zh-Hans: %q", title)
		}
	})
}

func same(a, b any) bool { return strings.EqualFold(stringOf(a), stringOf(b)) }

func stringOf(v any) string {
	var sb strings.Builder
	for _, p := range v.([]any) {
		m := p.(map[string]any)
		sb.WriteString(m["key"].(string) + "=" + m["value"].(string) + ";")
	}
	return sb.String()
}

// TestSignInCodesInTheirLanguage: the SMS of a sign-in code reads in the
// Accept-Language of an anonymous caller (a phone Linli does not know),
// and in the resident's own language once Linli knows the phone, whatever
// the request's header says.
func TestSignInCodesInTheirLanguage(t *testing.T) {
	apitest.EachDemo(t, func(t *testing.T, e *apitest.Env) {
		request := func(phone, lang string) string {
			t.Helper()
			h := http.Header{}
			if lang != "" {
				h.Set("Accept-Language", lang)
			}
			body := fmt.Sprintf(`{"query":"mutation { requestSignInCode(phone: \"%s\") { expiresAt } }"}`, phone)
			e.Post(t, h, []byte(body)).Must(t)
			m, ok := e.Codes.Last(phone)
			if !ok {
				t.Fatalf("no code for %s", phone)
			}
			if !strings.Contains(m.Text, m.Code) {
				t.Errorf("the SMS %q lacks its code %s", m.Text, m.Code)
			}
			return m.Text
		}
		if got := request("13912345678", "en-US,en;q=0.9"); !strings.HasPrefix(got, "[Linli] Your sign-in code is ") {
			t.Errorf("anonymous, en-US: %q", got)
		}
		if got := request("13912345679", ""); !strings.HasPrefix(got, "【邻里】您的登录验证码是 ") {
			t.Errorf("anonymous, no header: %q", got)
		}
		e.Do(t, e.TokenFor(t, seed.PhoneElder), setMyLocale, map[string]any{"l": "en"}).Must(t)
		if got := request(seed.PhoneElder, "zh-CN"); !strings.HasPrefix(got, "[Linli] ") {
			t.Errorf("a resident who chose en, asking with zh-CN: %q", got)
		}
	})
}
