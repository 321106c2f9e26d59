// Package soak applies the whole setup against the sandbox with seeded random faults on every
// emulator and checks that a re-run converges without duplicating objects or piling up secrets.
package soak

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

type result struct {
	out, err string
	code     int
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writers of progress and --debug.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run executes the command tree in-process against sb. The HTTP client gives up on a silent
// server after attemptTimeout and retries quickly, so a "timeout" fault costs seconds, not minutes.
func run(t testing.TB, sb *sandbox.Sandbox, attemptTimeout time.Duration, args ...string) result {
	t.Helper()
	io, _, out, _ := iostreams.Test()
	errb := &lockedBuffer{}
	io.ErrOut = errb
	f := cli.NewFactory(io, cmdutil.BuildInfo{Version: "soak"})
	var once sync.Once
	var hc *httpx.Client
	var hcErr error
	f.HTTPClient = func() (*httpx.Client, error) {
		once.Do(func() {
			o := httpx.Options{UserAgent: "flowsctl/soak", CAPEM: sb.CA.CertPEM,
				Timeout: attemptTimeout, BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
			if f.Flags.Debug {
				o.Debug = errb
			}
			hc, hcErr = httpx.New(o)
		})
		return hc, hcErr
	}
	root := cli.NewCmdRoot(f)
	args = append(append([]string(nil), args...), "-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input")
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errb)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *cmdutil.ExitError
		if !(asExit(err, &ee) && ee.Err == nil) {
			errb.Write([]byte("error: " + err.Error() + "\n"))
		}
	}
	return result{out: out.String(), err: errb.String(), code: cmdutil.CodeOf(err)}
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
