// Package e2e drives the real command tree (plan, apply, doctor, demo) against the in-process
// sandbox of every registered emulator: the end-to-end contract of flowsctl.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// result is one command run.
type result struct {
	out, err string
	code     int
}

// flowsctl runs the command tree in-process with buffers for streams (no TTY: --no-input implied).
func flowsctl(t testing.TB, args ...string) result {
	t.Helper()
	io, _, out, _ := iostreams.Test()
	// Progress lines and the --debug trace reach stderr from several goroutines; a terminal
	// takes each write whole, a bytes.Buffer needs a lock.
	errb := &lockedBuffer{}
	io.ErrOut = errb
	f := cli.NewFactory(io, cmdutil.BuildInfo{Version: "e2e"})
	root := cli.NewCmdRoot(f)
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errb)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *cmdutil.ExitError
		if !(asExit(err, &ee) && ee.Err == nil) {
			errb.WriteString("error: " + err.Error() + "\n")
		}
	}
	return result{out: out.String(), err: errb.String(), code: cmdutil.CodeOf(err)}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) WriteString(s string) (int, error) { return l.Write([]byte(s)) }

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func asExit(err error, target **cmdutil.ExitError) bool {
	for e := err; e != nil; {
		if x, ok := e.(*cmdutil.ExitError); ok {
			*target = x
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// env is a running sandbox and the flags that point flowsctl at it.
type env struct {
	sb   *sandbox.Sandbox
	args []string
}

func startSandbox(t testing.TB) *env {
	t.Helper()
	emus := emulators.All()
	if len(emus) == 0 {
		t.Skip("no emulators registered in pkg/sandbox/emulators")
	}
	sb := sandboxtest.Start(t, emus...)
	return &env{sb: sb, args: []string{"-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input"}}
}

func (e *env) run(t testing.TB, args ...string) result {
	t.Helper()
	return flowsctl(t, append(append([]string(nil), args...), e.args...)...)
}

// writes returns every non-GET request of every emulator, token endpoints excluded (a re-run
// signs in again; that is not a change to the tenant).
func (e *env) writes() map[string][]sandbox.LogEntry {
	m := map[string][]sandbox.LogEntry{}
	for _, n := range e.sb.Names() {
		for _, w := range e.sb.Writes(n) {
			if isTokenPath(w.Path) {
				continue
			}
			m[n] = append(m[n], w)
		}
	}
	return m
}

func isTokenPath(p string) bool {
	return strings.Contains(strings.ToLower(p), "token")
}

func (e *env) clearLogs() {
	for _, n := range e.sb.Names() {
		e.sb.ClearRequests(n)
	}
}

func (e *env) has(name string) bool { return e.sb.Services[name] != nil }

type stepJSON struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Requests   int64  `json:"requests"`
	DurationMs int64  `json:"durationMs"`
	Error      string `json:"error"`
	Fix        string `json:"fix"`
	Reason     string `json:"reason"`
	Needs      []string
	Objects    []struct{ Kind, Key, ID string }
}

func decodeSteps(t testing.TB, r result) []stepJSON {
	t.Helper()
	var rep struct {
		Steps []stepJSON `json:"steps"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("not JSON (%v): %s\nstderr: %s", err, r.out, r.err)
	}
	return rep.Steps
}

type checkJSON struct {
	ID, Title, Status, Detail, Fix string
}

func decodeChecks(t testing.TB, r result) []checkJSON {
	t.Helper()
	var rep struct {
		Checks []checkJSON `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("doctor output is not JSON (%v): %s", err, r.out)
	}
	return rep.Checks
}

func failed(cs []checkJSON) []checkJSON {
	var out []checkJSON
	for _, c := range cs {
		if c.Status == "fail" {
			out = append(out, c)
		}
	}
	return out
}

func dump(cs []checkJSON) string {
	var b bytes.Buffer
	for _, c := range cs {
		b.WriteString(c.Status + " " + c.ID + ": " + c.Detail + " (fix: " + c.Fix + ")\n")
	}
	return b.String()
}

func httpxOptions(e *env) httpx.Options {
	return httpx.Options{CAPEM: e.sb.CA.CertPEM, UserAgent: "flowsctl/e2e"}
}
