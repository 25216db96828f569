package i18n_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/jimei-linli/linli/internal/i18n"
)

var braces = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9]*)\}`)

func names(s string) []string {
	var ns []string
	for _, m := range braces.FindAllStringSubmatch(s, -1) {
		ns = append(ns, m[1])
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// problems says what is wrong with tx: a language lacks the text, or the
// two read different parameters.
func problems(what string, tx i18n.Text) []string {
	var ps []string
	if strings.TrimSpace(tx.ZhHans) == "" {
		ps = append(ps, what+" has no zh-Hans text")
	}
	if strings.TrimSpace(tx.En) == "" {
		ps = append(ps, what+" has no en text")
	}
	if zh, en := names(tx.ZhHans), names(tx.En); !slices.Equal(zh, en) {
		ps = append(ps, fmt.Sprintf("%s: zh-Hans reads %v, en reads %v", what, zh, en))
	}
	return ps
}

func checkText(t *testing.T, what string, tx i18n.Text) {
	t.Helper()
	for _, p := range problems(what, tx) {
		t.Error(p)
	}
}

// TestCatalogueComplete: every message (title and body) and every term is
// in both languages, with the same parameters; rendering fills each one.
func TestCatalogueComplete(t *testing.T) {
	all := i18n.All()
	if len(all) < 40 {
		t.Fatalf("only %d messages in the catalogue", len(all))
	}
	for _, m := range all {
		checkText(t, string(m.Key)+".title", m.Title)
		if m.Body != (i18n.Text{}) {
			checkText(t, string(m.Key)+".body", m.Body)
		}
		var ps []i18n.Param
		for _, n := range append(names(m.Title.ZhHans), names(m.Body.ZhHans)...) {
			ps = append(ps, i18n.Param{Key: n, Value: "<" + n + ">"})
		}
		for _, tag := range i18n.Supported {
			out := m.RenderTitle(tag, ps) + "|" + m.RenderBody(tag, ps)
			if strings.ContainsAny(out, "{}") || strings.Contains(out, "%!") {
				t.Errorf("%s in %s renders %q", m.Key, tag, out)
			}
			for _, p := range ps {
				if _, term := m.Terms[p.Key]; !term && !strings.Contains(out, p.Value) {
					t.Errorf("%s in %s renders %q without %s", m.Key, tag, out, p.Key)
				}
			}
		}
		for p, group := range m.Terms {
			if len(i18n.Terms()[group]) == 0 {
				t.Errorf("%s: parameter %s names term group %q, which has no terms", m.Key, p, group)
			}
		}
	}
	for group, values := range i18n.Terms() {
		for v, tx := range values {
			checkText(t, "term "+group+"."+v, tx)
		}
	}
}

// A missing translation or parameter is found (the check itself can fail).
func TestProblemsFindsAMissingTranslation(t *testing.T) {
	if len(problems("x", i18n.Text{ZhHans: "只有中文"})) == 0 {
		t.Error("a text without English passed")
	}
	if len(problems("x", i18n.Text{ZhHans: "{name}的午餐", En: "lunch"})) == 0 {
		t.Error("an English text without the parameter passed")
	}
	if ps := problems("x", i18n.Text{ZhHans: "{name}的午餐", En: "{name}'s lunch"}); len(ps) != 0 {
		t.Errorf("a complete text: %v", ps)
	}
}

func TestRenderInEachLanguage(t *testing.T) {
	ps := i18n.Params("recipient", "林秀英", "period", "LUNCH", "code", "0421")
	if got := i18n.MealOnItsWay.RenderTitle(i18n.ZhHans, ps); got != "林秀英的午餐正在送来" {
		t.Errorf("zh-Hans: %q", got)
	}
	if got := i18n.MealOnItsWay.RenderTitle(i18n.En, ps); got != "林秀英's lunch is on its way" {
		t.Errorf("en: %q", got)
	}
	if got := i18n.MealOnItsWay.RenderBody(i18n.En, ps); got != "Show code 0421 when it arrives." {
		t.Errorf("en body: %q", got)
	}
	ctx := i18n.WithLocale(context.Background(), i18n.En)
	if got := i18n.ErrAnswerRequired.Sprint(ctx, "label", "具体位置（楼层、单元）"); got != `"具体位置（楼层、单元）" is required` {
		t.Errorf("en error: %q", got)
	}
	if got := i18n.ErrAnswerRequired.Sprint(context.Background(), "label", "100%"); got != "请填写「100%」" {
		t.Errorf("default zh-Hans error: %q", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	for header, want := range map[string]language.Tag{
		"":                        i18n.ZhHans,
		"en-US,en;q=0.9":          i18n.En,
		"zh-CN,zh;q=0.9,en;q=0.5": i18n.ZhHans,
		"fr-FR":                   i18n.ZhHans,
		"fr-FR, en;q=0.3":         i18n.En,
		"not a header;;;":         i18n.ZhHans,
	} {
		if got := i18n.FromAcceptLanguage(header); got != want {
			t.Errorf("Accept-Language %q: %v, want %v", header, got, want)
		}
	}
	for s, want := range map[string]bool{"zh-Hans": true, "en": true, "en-GB": true, "zh-CN": true, "fr": false, "x": false} {
		if _, ok := i18n.Parse(s); ok != want {
			t.Errorf("Parse(%q) ok=%v, want %v", s, ok, want)
		}
	}
	if i18n.Name(i18n.ZhHans) != "zh-Hans" || i18n.Name(i18n.En) != "en" {
		t.Errorf("names %q %q", i18n.Name(i18n.ZhHans), i18n.Name(i18n.En))
	}
}
