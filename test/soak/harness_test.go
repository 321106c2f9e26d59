// Package soak applies the whole setup against the sandbox with seeded random faults on every
// emulator and checks that a re-run converges without duplicating objects or piling up secrets.
package soak

import (
	"sync"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/test/harness"
)

type result = harness.Result

// run executes the command tree in-process against sb.
func run(t testing.TB, sb *sandbox.Sandbox, attemptTimeout time.Duration, args ...string) result {
	t.Helper()
	return harness.Run(t, options(sb, attemptTimeout), append(append([]string(nil), args...), "-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input")...)
}

// options give the run an HTTP client that gives up on a silent server after attemptTimeout
// and retries quickly, so a "timeout" fault costs seconds, not minutes.
func options(sb *sandbox.Sandbox, attemptTimeout time.Duration) harness.Options {
	return harness.Options{Version: "soak", Timeout: 3 * time.Minute, Factory: func(f *cmdutil.Factory, stderr *harness.LockedBuffer) {
		var once sync.Once
		var hc *httpx.Client
		var hcErr error
		f.HTTPClient = func() (*httpx.Client, error) {
			once.Do(func() {
				o := httpx.Options{UserAgent: "flowsctl/soak", CAPEM: sb.CA.CertPEM,
					Timeout: attemptTimeout, BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
				if f.Flags.Debug {
					o.Debug = stderr
				}
				hc, hcErr = httpx.New(o)
			})
			return hc, hcErr
		}
	}}
}
