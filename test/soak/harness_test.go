// Package soak applies the whole setup against the sandbox with seeded random faults on every
// emulator and checks that a re-run converges without duplicating objects or piling up secrets.
package soak

import (
	"io"
	"sync"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/test/harness"
)

type result = harness.Result

// run executes the command tree in-process against sb. The HTTP client gives up on a silent
// server after attemptTimeout and retries quickly, so a "timeout" fault costs seconds, not minutes.
func run(t testing.TB, sb *sandbox.Sandbox, attemptTimeout time.Duration, args ...string) result {
	t.Helper()
	o := harness.Options{Version: "soak", Timeout: 3 * time.Minute, Factory: func(f *cmdutil.Factory, stderr io.Writer) {
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
	return harness.Run(t, o, append(append([]string(nil), args...), "-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input")...)
}
