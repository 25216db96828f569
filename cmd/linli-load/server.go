package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is one running `linli serve` process.
type server struct {
	cmd  *exec.Cmd
	pid  int
	url  string // http://127.0.0.1:PORT
	out  *serverOutput
	done chan struct{} // closed when the process has exited
}

// startServer runs bin serve on a free port of 127.0.0.1 with env and
// waits (at most a minute) until it listens.
func startServer(ctx context.Context, bin string, env []string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = env
	out := newServerOutput()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, out: out, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	select {
	case s.url = <-out.listening:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("linli serve exited: %v\n%s", cmd.ProcessState, out.tail())
	case <-timer.C:
		s.stop()
		return nil, fmt.Errorf("linli serve did not listen within a minute\n%s", out.tail())
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
}

// stopTimeout is how long the server may take to shut down gracefully
// (its default shutdown timeout is 15 s).
const stopTimeout = 20 * time.Second

// stop interrupts the server (a graceful shutdown) and kills it if it has
// not exited stopTimeout later. It returns how long the server took, and
// false when it had to be killed.
func (s *server) stop() (time.Duration, bool) {
	start := time.Now()
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
		return time.Since(start), true
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
		return time.Since(start), false
	}
}

// logTail returns the last lines the server wrote.
func (s *server) logTail() string { return s.out.tail() }

// fileLimit returns the server's open-file limits from /proc/PID/limits.
func (s *server) fileLimit() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", s.pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(strings.TrimPrefix(line, "Max open files"))
			if len(f) >= 2 {
				return "soft " + f[0] + ", hard " + f[1]
			}
		}
	}
	return "unknown"
}

// sample is the server's memory at one moment.
type sample struct {
	RSSKiB  int64 `json:"rssKiB"`  // VmRSS
	HWMKiB  int64 `json:"hwmKiB"`  // VmHWM, the peak RSS
	Threads int   `json:"threads"` // OS threads
	FDs     int   `json:"fds"`     // open descriptors
	// LastGC is the runtime's last GC trace line before the sample: the
	// heap live after it and the bytes of goroutine stacks it scanned (in
	// use, not allocated).
	LastGC gcTrace `json:"lastGC"`
}

// sample reads the server's /proc/PID/status and open descriptors, and
// its last GC trace.
func (s *server) sample() sample {
	var m sample
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			f := strings.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			switch k {
			case "VmRSS":
				m.RSSKiB = n
			case "VmHWM":
				m.HWMKiB = n
			case "Threads":
				m.Threads = int(n)
			}
		}
	}
	if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.pid)); err == nil {
		m.FDs = len(fds)
	}
	m.LastGC = s.out.lastGC()
	return m
}

// gcTrace is one line of GODEBUG=gctrace=1, e.g. "gc 12 @3.101s 1%: ...
// 45->46->23 MB, 47 MB goal, 2 MB stacks, 0 MB globals, 2 P".
type gcTrace struct {
	Number     int     `json:"number"`     // the GC's number; 0: none yet
	AtSeconds  float64 `json:"atSeconds"`  // since the process started
	LiveMiB    int64   `json:"liveMiB"`    // heap live after the GC
	GoalMiB    int64   `json:"goalMiB"`    // the next GC's heap goal
	StacksMiB  int64   `json:"stacksMiB"`  // goroutine stack bytes in use (scanned)
	GlobalsMiB int64   `json:"globalsMiB"` // globals scanned
}

var gcLine = regexp.MustCompile(`^gc (\d+) @([\d.]+)s .* (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (\d+) MB stacks, (\d+) MB globals`)

// parseGC parses a gctrace line.
func parseGC(line string) (gcTrace, bool) {
	m := gcLine.FindStringSubmatch(line)
	if m == nil {
		return gcTrace{}, false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	at, _ := strconv.ParseFloat(m[2], 64)
	return gcTrace{Number: int(n(1)), AtSeconds: at, LiveMiB: n(5), GoalMiB: n(6), StacksMiB: n(7), GlobalsMiB: n(8)}, true
}

// listeningLine finds the base URL in the "Linli is listening" log line
// (text or JSON).
var listeningLine = regexp.MustCompile(`url"?[=:]"?(http://[^\s"]+)/graphql`)

// tailLines is how many of the server's last lines are kept.
const tailLines = 40

// serverOutput is the writer of the server's stdout and stderr: it spots
// the listening line and the GC traces and keeps the last lines.
type serverOutput struct {
	listening chan string // receives the base URL once

	mu      sync.Mutex
	partial []byte
	lines   []string // the last tailLines lines
	gc      gcTrace
	found   bool
}

func newServerOutput() *serverOutput {
	return &serverOutput{listening: make(chan string, 1)}
}

// Write splits p into lines.
func (o *serverOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	if len(o.partial) > 64<<10 {
		o.line(string(o.partial))
		o.partial = nil
	}
	o.partial = append([]byte(nil), o.partial...) // let the consumed bytes go
	return len(p), nil
}

// line handles one complete line; o.mu is held.
func (o *serverOutput) line(l string) {
	if g, ok := parseGC(l); ok {
		o.gc = g
		return // not kept: they would crowd out the log
	}
	if !o.found {
		if m := listeningLine.FindStringSubmatch(l); m != nil {
			o.found = true
			o.listening <- m[1]
		}
	}
	if len(o.lines) == tailLines {
		o.lines = o.lines[1:]
	}
	o.lines = append(o.lines, l)
}

// tail returns the last lines written.
func (o *serverOutput) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.lines, "\n")
}

// lastGC returns the last GC trace seen.
func (o *serverOutput) lastGC() gcTrace {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gc
}

// errNoProc is returned where /proc is missing (not Linux).
var errNoProc = errors.New("linli-load reads the server's memory from /proc: it runs on Linux")
