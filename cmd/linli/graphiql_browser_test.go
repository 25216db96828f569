package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// findChromium returns the headless browser to drive: LINLI_TEST_CHROMIUM,
// else Debian's chromium (which .ci/run installs) or Chrome on PATH.
func findChromium() string {
	if p := os.Getenv("LINLI_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestGraphiQLRunsFirstQueryOffline opens GraphiQL on `linli serve --demo`
// in a real headless browser, runs the README's first query with the
// execute button, and sees the five communities in the result. The page
// loads nothing but the server's own embedded files (its CSP allows nothing
// else), so it also works without a network; a CSP violation fails the test.
func TestGraphiQLRunsFirstQueryOffline(t *testing.T) {
	browser := findChromium()
	if browser == "" {
		t.Skip("no chromium on PATH (set LINLI_TEST_CHROMIUM; .ci/run installs Debian's chromium)")
	}
	base := startServer(t, map[string]string{"LINLI_DATABASE_URL": t.TempDir() + "/linli.db"}, "--demo")
	want := communityNames(t, base)
	if len(want) != 5 {
		t.Fatalf("demo has %d communities, want 5", len(want))
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1400, 2400),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Error())
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				problems = append(problems, "console: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})

	var result string
	err := chromedp.Run(ctx,
		log.Enable(),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(".graphiql-execute-button", chromedp.ByQuery),
		chromedp.Click(".graphiql-execute-button", chromedp.ByQuery),
		chromedp.Poll(`(() => { const r = document.querySelector('.result-window');
			return r && r.innerText.includes('"totalCount": 5') ? r.innerText : null; })()`,
			&result, chromedp.WithPollingTimeout(30*time.Second)),
	)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		t.Fatalf("browser: %v\nproblems: %v", err, problems)
	}
	for _, name := range want {
		if !strings.Contains(result, name) {
			t.Errorf("result pane lacks community %q:\n%s", name, result)
		}
	}
	for _, p := range problems {
		t.Errorf("page reported %s", p)
	}
}

// communityNames asks the server over HTTP for the demo's community names.
func communityNames(t *testing.T, base string) []string {
	t.Helper()
	r := postQuery(t, base, `{ communities { edges { node { name } } } }`)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var data struct {
		Communities struct {
			Edges []struct{ Node struct{ Name string } }
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range data.Communities.Edges {
		names = append(names, e.Node.Name)
	}
	return names
}
