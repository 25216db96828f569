package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// apperrFormats returns the English format strings that the non-test Go
// files under root pass to apperr.New and apperr.OnField, with where each
// is first used. Formats that only pass a message through ("%s", "%v") are
// left out: their text is translated where it was made.
func apperrFormats(t *testing.T, root string) map[string]string {
	t.Helper()
	formats := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "ent", "generated", "wip", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || pkg.Name != "apperr" {
				return true
			}
			i := map[string]int{"New": 1, "OnField": 2}[sel.Sel.Name]
			if i == 0 || len(call.Args) <= i {
				return true
			}
			lit, ok := call.Args[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || s == "%s" || s == "%v" {
				return true
			}
			if _, seen := formats[s]; !seen {
				formats[s] = fset.Position(call.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return formats
}

var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*[0-9]*(\.[0-9]+)?([a-zA-Z%])`)

// verbs maps each argument (1-based) a format reads to its verb.
func verbs(format string) map[int]string {
	out := map[int]string{}
	next := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if m[4] == "%" {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		out[next] = m[4]
		next++
	}
	return out
}

// errorProblems lists the formats without a translation and the
// translations whose arguments differ from their English.
func errorProblems(formats map[string]string, texts map[string]string) []string {
	var problems []string
	for f, where := range formats {
		zh, ok := texts[f]
		if !ok {
			problems = append(problems, where+": no zh-Hans for error "+strconv.Quote(f))
			continue
		}
		if en, tr := verbs(f), verbs(zh); !equalVerbs(en, tr) {
			problems = append(problems, where+": zh-Hans of "+strconv.Quote(f)+" reads other arguments: "+strconv.Quote(zh))
		}
	}
	for f, zh := range texts {
		if !equalVerbs(verbs(f), verbs(zh)) {
			problems = append(problems, "zh-Hans of "+strconv.Quote(f)+" reads other arguments: "+strconv.Quote(zh))
		}
	}
	return problems
}

func equalVerbs(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if b[i] != v {
			return false
		}
	}
	return true
}

// Every error message the source composes has its Simplified Chinese, and
// the translation reads the same arguments.
func TestEveryErrorTranslated(t *testing.T) {
	formats := apperrFormats(t, filepath.Join("..", ".."))
	if len(formats) < 200 {
		t.Fatalf("found only %d error formats in the source", len(formats))
	}
	for _, p := range errorProblems(formats, errorTexts) {
		t.Error(p)
	}
}

// The check finds a missing translation and a translation that drops or
// retypes an argument (it can fail).
func TestErrorProblemsFound(t *testing.T) {
	formats := map[string]string{"a %s is %d": "x.go:1", "no %s": "x.go:2", "gone": "x.go:3"}
	texts := map[string]string{"a %s is %d": "%[2]s 是 %[1]s", "no %s": "没有"}
	if got := errorProblems(formats, texts); len(got) != 5 {
		t.Errorf("problems %q, want a retyped and a dropped argument (each where used and as an entry) and a missing translation", got)
	}
}

// An error renders in the reader's language, arguments reordered where
// Chinese needs it; an unknown format is left as it is.
func TestErrorMessage(t *testing.T) {
	const f = "%s already has %s on %s (ordered %s); cancel that order first to change it"
	if got, want := ErrorMessage(ZhHans, f, "林秀英", "午餐", "2026-12-04", "陈志明"), "林秀英 在 2026-12-04 已有午餐（由 陈志明 下单）；如需更改，请先取消那份订单"; got != want {
		t.Errorf("zh-Hans: %q, want %q", got, want)
	}
	if got, want := ErrorMessage(En, f, "Lin", "lunch", "2026-12-04", "Chen"), "Lin already has lunch on 2026-12-04 (ordered Chen); cancel that order first to change it"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := ErrorMessage(ZhHans, "no entry %d", 5); got != "no entry 5" {
		t.Errorf("unknown format: %q", got)
	}
	if got := ErrorText(ZhHans, "not found"); got != "未找到" {
		t.Errorf("fixed text: %q", got)
	}
}
