// Package harness is the one way the test/* suites (badinput, e2e, interrupt, leak, soak) run
// flowsctl: the command tree in-process or the built binary, against a sandbox of every
// registered emulator, capturing stdout, stderr and the exit code, and counting requests.
package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// Result is one command run.
type Result struct {
	Out, Err string
	Code     int
}

// Options tune an in-process run.
type Options struct {
	Version string        // build version the command tree reports (the suite's name)
	Timeout time.Duration // bound of the whole run; 2 minutes when zero
	// Factory, when set, adjusts the factory before the command tree is built (e.g. an HTTP
	// client with short attempt timeouts); stderr is where --debug output belongs.
	Factory func(f *cmdutil.Factory, stderr *LockedBuffer)
	// Until, when set, ends the run (its context is cancelled) once stderr holds this text: a
	// command that runs until interrupted, such as `sandbox up` ("sandbox ready").
	Until string
}

// Run executes the command tree in-process with buffers for its streams (no TTY, so --no-input
// is implied). An error is appended to stderr as the binary prints it; a panic fails the test.
func Run(t testing.TB, o Options, args ...string) (r Result) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	// Progress lines and the --debug trace reach stderr from several goroutines; a terminal
	// takes each write whole, a bytes.Buffer needs a lock.
	errb := &LockedBuffer{}
	ios.ErrOut = errb
	f := cli.NewFactory(ios, cmdutil.BuildInfo{Version: o.Version})
	if o.Factory != nil {
		o.Factory(f, errb)
	}
	root := cli.NewCmdRoot(f)
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errb)
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	if o.Until != "" {
		errb.onWrite = func(s string) {
			if strings.Contains(s, o.Until) {
				cancel()
			}
		}
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("flowsctl %v panicked: %v", args, p)
		}
	}()
	err := root.ExecuteContext(ctx)
	var ee *cmdutil.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.Err == nil) {
		errb.Write([]byte("error: " + err.Error() + "\n"))
	}
	return Result{Out: out.String(), Err: errb.String(), Code: cmdutil.CodeOf(err)}
}

// LockedBuffer is a bytes.Buffer safe for concurrent writers.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// onWrite, when set, sees the whole content after each write (Options.Until).
	onWrite func(string)
}

func (l *LockedBuffer) Write(p []byte) (n int, err error) {
	var s string
	l.locked(func() {
		n, err = l.b.Write(p)
		if l.onWrite != nil {
			s = l.b.String()
		}
	})
	if l.onWrite != nil {
		l.onWrite(s)
	}
	return n, err
}

func (l *LockedBuffer) String() (s string) {
	l.locked(func() { s = l.b.String() })
	return s
}

func (l *LockedBuffer) locked(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// Env is a running sandbox of every registered emulator and the flags that point flowsctl at it.
type Env struct {
	SB   *sandbox.Sandbox
	Args []string // -f CONFIG --ca-file CA --no-input
	Opts Options  // of every Run
}

// Start serves every registered emulator in a sandbox closed when the test ends; it skips the
// test when no emulator is registered.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	emus := emulators.All()
	if len(emus) == 0 {
		t.Skip("no emulators registered in pkg/sandbox/emulators")
	}
	sb := sandboxtest.Start(t, emus...)
	return &Env{SB: sb, Args: []string{"-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input"}, Opts: o}
}

// Run runs the command tree in-process against the sandbox.
func (e *Env) Run(t testing.TB, args ...string) Result {
	t.Helper()
	return Run(t, e.Opts, append(append([]string(nil), args...), e.Args...)...)
}

// Has tells whether the sandbox serves the named emulator.
func (e *Env) Has(name string) bool { return e.SB.Services[name] != nil }

// Requests is the number of requests every emulator has seen.
func (e *Env) Requests() int {
	n := 0
	for _, s := range e.SB.Names() {
		n += len(e.SB.Requests(s))
	}
	return n
}

// Writes returns every non-GET request of every emulator, token endpoints excluded (a re-run
// signs in again; that is not a change to the tenant).
func (e *Env) Writes() map[string][]sandbox.LogEntry {
	m := map[string][]sandbox.LogEntry{}
	for _, n := range e.SB.Names() {
		for _, w := range e.SB.Writes(n) {
			if strings.Contains(strings.ToLower(w.Path), "token") {
				continue
			}
			m[n] = append(m[n], w)
		}
	}
	return m
}

// ClearLogs empties every emulator's request log.
func (e *Env) ClearLogs() {
	for _, n := range e.SB.Names() {
		e.SB.ClearRequests(n)
	}
}

// SetLatency injects a fixed latency into every emulator (0 removes it).
func (e *Env) SetLatency(t testing.TB, ms int) {
	t.Helper()
	for _, n := range e.SB.Names() {
		if err := e.SB.SetLatency(n, sandbox.Latency{FixedMs: ms}); err != nil {
			t.Fatal(err)
		}
	}
}

// Objects is the number of objects per top-level list of every emulator's state
// ("service.list" -> count).
func (e *Env) Objects() map[string]int {
	out := map[string]int{}
	for _, n := range e.SB.Names() {
		b, _ := json.Marshal(e.SB.State(n))
		var m map[string]any
		json.Unmarshal(b, &m)
		for k, v := range m {
			if l, ok := v.([]any); ok {
				out[n+"."+k] = len(l)
			}
		}
	}
	return out
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// Binary builds cmd/flowsctl once per test binary and returns its path; Main removes it.
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			binErr = err
			return
		}
		if binDir, binErr = os.MkdirTemp("", "flowsctl-test-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "flowsctl")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/flowsctl")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// Main runs the package's tests and removes the binary Binary built: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", errors.New("no go.mod above the test's folder")
		}
		d = p
	}
}

// Process is the binary run in a folder of its own, with HOME of its own, CI=true and NO_COLOR.
type Process struct {
	Bin, Dir, Home string
	Env            []string // more KEY=VALUE
}

// Command prepares a run of the binary; stdout and stderr go to the returned buffers.
func (p Process) Command(ctx context.Context, args ...string) (*exec.Cmd, *LockedBuffer, *LockedBuffer) {
	c := exec.CommandContext(ctx, p.Bin, args...)
	c.Dir = p.Dir
	c.Env = append(append(os.Environ(), "HOME="+p.Home, "CI=true", "NO_COLOR=1"), p.Env...)
	out, errb := &LockedBuffer{}, &LockedBuffer{}
	c.Stdout, c.Stderr = out, errb
	return c, out, errb
}

// Run runs the binary to its end (2 minutes at most); a failure to start it fails the test.
func (p Process) Run(t testing.TB, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, out, errb := p.Command(ctx, args...)
	code, err := ExitCode(c.Run())
	if err != nil {
		t.Fatalf("flowsctl %v: %v", args, err)
	}
	return Result{Out: out.String(), Err: errb.String(), Code: code}
}

// ExitCode is the exit code behind the error of exec.Cmd's Run or Wait; err is returned when
// the process did not run to an exit.
func ExitCode(err error) (int, error) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return -1, err
}

// Tail is the last n bytes of s (whole runes), marked with "…" when cut.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	for len(s) > 0 && !utf8.RuneStart(s[0]) {
		s = s[1:]
	}
	return "…" + s
}

// Chain is the longest chain of requests the log shows, each request starting after the previous
// one ended (sandbox.LogEntry's Start and End): requests that overlap in time are never in one
// chain, and a request sent only after another's answer always follows it. Multiplied by the
// injected latency it is the lower bound of the wall time of the run that made the requests.
// The chain's requests are returned too ("service METHOD path"), first to last.
func Chain(log map[string][]sandbox.LogEntry) (n int, path []string) {
	type req struct {
		e    sandbox.LogEntry
		name string
	}
	var rs []req
	for name, es := range log {
		for _, e := range es {
			rs = append(rs, req{e, name})
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].e.Start.Before(rs[j].e.Start) })
	depth := make([]int, len(rs))
	prev := make([]int, len(rs))
	best := -1
	for i := range rs {
		depth[i], prev[i] = 1, -1
		for j := 0; j < i; j++ {
			if !rs[i].e.Start.Before(rs[j].e.End) && depth[j]+1 > depth[i] {
				depth[i], prev[i] = depth[j]+1, j
			}
		}
		if best < 0 || depth[i] > depth[best] {
			best = i
		}
	}
	for i := best; i >= 0; i = prev[i] {
		path = append([]string{rs[i].name + " " + rs[i].e.Method + " " + rs[i].e.Path}, path...)
	}
	return len(path), path
}

// FromFlowsctl keeps the requests flowsctl sent (its User-Agent starts with "flowsctl"), not
// those an emulator sends to another while answering one of them.
func FromFlowsctl(log map[string][]sandbox.LogEntry) map[string][]sandbox.LogEntry {
	out := map[string][]sandbox.LogEntry{}
	for name, es := range log {
		for _, e := range es {
			if strings.HasPrefix(e.UserAgent, "flowsctl") {
				out[name] = append(out[name], e)
			}
		}
	}
	return out
}

// Log is every emulator's request log by emulator name.
func (e *Env) Log() map[string][]sandbox.LogEntry {
	m := map[string][]sandbox.LogEntry{}
	for _, n := range e.SB.Names() {
		m[n] = e.SB.Requests(n)
	}
	return m
}

// BenchApply measures a fresh apply and a re-run at each injected latency (ms per request):
// requests and wall time per op, and at a latency the chain of flowsctl's requests (Chain),
// the lower bound (chain × latency) and the wall time's multiple of it. start gives a fresh
// sandbox per op; FLOWSCTL_BENCH_CHAIN=1 logs the chain's requests.
func BenchApply(b *testing.B, latencies []int, start func(testing.TB) *Env) {
	for _, lat := range latencies {
		for _, phase := range []string{"fresh", "rerun"} {
			b.Run(fmt.Sprintf("%s/latency=%dms", phase, lat), func(b *testing.B) {
				var wall time.Duration
				var reqs, chain int64
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					e := start(b)
					if phase == "rerun" {
						if r := e.Run(b, "apply"); r.Code != 0 {
							b.Fatalf("setup apply: exit %d\n%s", r.Code, r.Err)
						}
					}
					e.ClearLogs()
					e.SetLatency(b, lat)
					b.StartTimer()
					t0 := time.Now()
					r := e.Run(b, "apply", "-o", "json")
					wall += time.Since(t0)
					b.StopTimer()
					if r.Code != 0 {
						b.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
					}
					n, path := Chain(FromFlowsctl(e.Log()))
					chain += int64(n)
					if os.Getenv("FLOWSCTL_BENCH_CHAIN") != "" {
						b.Logf("longest chain (%d requests):\n  %s", n, strings.Join(path, "\n  "))
					}
					reqs += int64(e.Requests())
					e.SetLatency(b, 0)
				}
				n := float64(b.N)
				b.ReportMetric(float64(reqs)/n, "requests/op")
				b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms/op")
				// Without latency requests take microseconds and independent ones seldom
				// overlap: the chain is measured only where latency shows what waits on what.
				if lat > 0 {
					b.ReportMetric(float64(chain)/n, "chain-requests/op")
				}
				if lat > 0 && chain > 0 {
					bound := float64(chain) / n * float64(lat)
					b.ReportMetric(bound, "bound-ms/op")
					b.ReportMetric(float64(wall.Milliseconds())/n/bound, "x-bound")
				}
			})
		}
	}
}
