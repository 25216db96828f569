// Package i18n is Linli's message catalogue: every text the server composes
// (notification titles and bodies, push payloads, task titles, sign-in
// codes, error messages) is a Message here, written in Simplified Chinese
// (zh-Hans, the default) and English (en), and rendered in the reader's
// language with golang.org/x/text/message.
//
// A message's text names its parameters in braces, e.g. "{name}的午餐已送出";
// callers pass the values by name (Params), so that a notification can be
// stored as its message key and parameters and rendered whenever it is read.
// A parameter listed in a message's Terms holds a value that is itself
// translated (a meal period LUNCH reads 午餐 or lunch).
package i18n

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// The supported languages; the first is the default.
var (
	// ZhHans is Simplified Chinese, the default language.
	ZhHans = language.MustParse("zh-Hans")
	// En is English.
	En = language.English
	// Supported lists the languages of the catalogue, the default first.
	Supported = []language.Tag{ZhHans, En}
)

// Tag is a language (BCP 47), as golang.org/x/text/language has it.
type Tag = language.Tag

// Default is the language of whoever has not chosen one.
var Default = ZhHans

// Key names one message of the catalogue, e.g. "meal.ready.title".
type Key string

// Text is one message in each supported language.
type Text struct {
	ZhHans, En string
}

// Message is one catalogue entry: the title (and optional body) of one kind
// of text, with the parameters it reads.
type Message struct {
	// Key identifies the message; its title is Key+".title" in the catalogue
	// and its body Key+".body".
	Key Key
	// Title is the one-line text (for an error: the message).
	Title Text
	// Body is the longer text, if any.
	Body Text
	// Terms maps a parameter to the term group its values are translated
	// in (see Term).
	Terms map[string]string
}

// Param is one named parameter of a rendered message.
type Param struct {
	// Key is the parameter's name, as in the message's braces.
	Key string `json:"k"`
	// Value is its value (untranslated).
	Value string `json:"v"`
}

// Params builds a parameter list from alternating names and values; a
// value that is not a string is formatted with fmt.
func Params(kv ...any) []Param {
	ps := make([]Param, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v, ok := kv[i+1].(string)
		if !ok {
			v = fmt.Sprint(kv[i+1])
		}
		ps = append(ps, Param{Key: fmt.Sprint(kv[i]), Value: v})
	}
	return ps
}

// Get returns the value of parameter key in ps, or "".
func Get(ps []Param, key string) string {
	for _, p := range ps {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

var (
	messages = map[Key]*Message{}
	terms    = map[string]map[string]Text{}
	builder  = catalog.NewBuilder(catalog.Fallback(Default))
	printers = map[language.Tag]*message.Printer{}
	matcher  = language.NewMatcher(Supported)
	// order lists each compiled text's parameters in argument order.
	order = map[string][]string{}
)

var placeholder = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9]*)\}`)

// define adds m to the catalogue; it panics on a duplicate key (a
// programming error found by any test).
func define(m Message) *Message {
	if _, dup := messages[m.Key]; dup {
		panic("i18n: duplicate message " + string(m.Key))
	}
	mm := m
	messages[m.Key] = &mm
	add(string(m.Key)+".title", m.Title)
	if m.Body != (Text{}) {
		add(string(m.Key)+".body", m.Body)
	}
	return &mm
}

// term adds the translations of one value of a term group.
func term(group, value string, t Text) {
	if terms[group] == nil {
		terms[group] = map[string]Text{}
	}
	terms[group][value] = t
	add("term."+group+"."+value, t)
}

// add compiles t's texts into the x/text catalogue under id: named
// placeholders become positional arguments in the order the parameters
// first appear in either language.
func add(id string, t Text) {
	var names []string
	for _, s := range []string{t.ZhHans, t.En} {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	order[id] = names
	for tag, s := range map[language.Tag]string{ZhHans: t.ZhHans, En: t.En} {
		if s == "" {
			continue
		}
		f := strings.ReplaceAll(s, "%", "%%")
		f = placeholder.ReplaceAllStringFunc(f, func(ph string) string {
			return fmt.Sprintf("%%[%d]s", slices.Index(names, ph[1:len(ph)-1])+1)
		})
		if err := builder.SetString(tag, id, f); err != nil {
			panic(err)
		}
	}
}

func printer(tag language.Tag) *message.Printer {
	if p, ok := printers[tag]; ok {
		return p
	}
	return message.NewPrinter(tag, message.Catalog(builder))
}

func init() {
	for _, tag := range Supported {
		printers[tag] = message.NewPrinter(tag, message.Catalog(builder))
	}
}

// Match returns the supported language closest to tag.
func Match(tag language.Tag) language.Tag {
	_, i, _ := matcher.Match(tag)
	return Supported[i]
}

// Parse returns the supported language a BCP 47 tag such as "en-GB" or
// "zh-CN" asks for, and whether the tag is one the catalogue has (the
// same base language and script).
func Parse(s string) (language.Tag, bool) {
	tag, err := language.Parse(s)
	if err != nil {
		return Default, false
	}
	_, i, c := matcher.Match(tag)
	return Supported[i], c >= language.High
}

// FromAcceptLanguage returns the supported language an Accept-Language
// header prefers most (the default when it names none of them).
func FromAcceptLanguage(header string) language.Tag {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, c := matcher.Match(tags...)
	if c == language.No {
		return Default
	}
	return Supported[i]
}

type ctxKey struct{}

// WithLocale returns ctx whose texts are rendered in tag.
func WithLocale(ctx context.Context, tag language.Tag) context.Context {
	return context.WithValue(ctx, ctxKey{}, tag)
}

// LocaleOf returns the language of ctx's reader: the one WithLocale set
// (the signed-in resident's preference, else the request's
// Accept-Language), or the default.
func LocaleOf(ctx context.Context) language.Tag {
	if tag, ok := ctx.Value(ctxKey{}).(language.Tag); ok {
		return tag
	}
	return Default
}

// Name returns the BCP 47 name of tag as Linli stores and shows it:
// "zh-Hans" or "en".
func Name(tag language.Tag) string { return Match(tag).String() }

// Lookup returns the message with key k.
func Lookup(k Key) (*Message, bool) {
	m, ok := messages[k]
	return m, ok
}

// All returns every message of the catalogue, ordered by key.
func All() []*Message {
	all := make([]*Message, 0, len(messages))
	for _, m := range messages {
		all = append(all, m)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Key < all[j].Key })
	return all
}

// Terms returns the values of each term group with their translations.
func Terms() map[string]map[string]Text { return terms }

// render renders catalogue entry id in tag with ps.
func render(tag language.Tag, id string, m *Message, ps []Param) string {
	names := order[id]
	args := make([]any, len(names))
	for i, n := range names {
		v := Get(ps, n)
		if group, ok := m.Terms[n]; ok {
			if _, known := terms[group][v]; known {
				v = printer(Match(tag)).Sprintf(message.Key("term."+group+"."+v, v))
			}
		}
		args[i] = v
	}
	return printer(Match(tag)).Sprintf(message.Key(id, ""), args...)
}

// RenderTitle renders m's title in tag with ps.
func (m *Message) RenderTitle(tag language.Tag, ps []Param) string {
	return render(tag, string(m.Key)+".title", m, ps)
}

// RenderBody renders m's body in tag with ps ("" when m has none).
func (m *Message) RenderBody(tag language.Tag, ps []Param) string {
	if m.Body == (Text{}) {
		return ""
	}
	return render(tag, string(m.Key)+".body", m, ps)
}

// Sprint renders m's title in the language of ctx's reader, with
// parameters given as alternating names and values (see Params).
func (m *Message) Sprint(ctx context.Context, kv ...any) string {
	return m.RenderTitle(LocaleOf(ctx), Params(kv...))
}
