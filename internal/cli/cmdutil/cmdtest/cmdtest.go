// Package cmdtest is what the command packages' tests share: a factory on test streams and a
// sandbox fixture whose Common runs a command's run function against the emulators.
package cmdtest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// Factory is a factory on test streams (iostreams.Test) with the global flags given.
func Factory(flags cmdutil.GlobalFlags) *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return &cmdutil.Factory{IO: ios, Flags: &flags}
}

// CommonFor is what a command's options embed in a test that built its own config and client:
// test streams (out and errOut are what the command prints), cfg and hc as the run's config
// and HTTP client, and the global flags given.
func CommonFor(cfg *config.Config, hc *httpx.Client, flags cmdutil.GlobalFlags) (c cmdutil.Common, out, errOut *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return cmdutil.Common{IO: ios, Flags: &flags,
		Config:     func() (*config.Config, error) { return cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return hc, nil }}, out, errOut
}

// Fixture is a sandbox serving emulators, its generated flowsctl.yaml loaded, an HTTP client
// trusting its CA with quick retries, and the buffers Common's streams write to.
type Fixture struct {
	SB       *sandbox.Sandbox
	Cfg      *config.Config
	HC       *httpx.Client
	Out, Err *bytes.Buffer
}

// NewFixture starts the sandbox with emus. With debug, the client's trace goes to Err, as the
// real factory sends --debug to stderr.
func NewFixture(t *testing.T, debug bool, emus ...sandbox.Emulator) *Fixture {
	t.Helper()
	f := &Fixture{SB: sandboxtest.Start(t, emus...), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	var err error
	if f.Cfg, err = config.Load(filepath.Join(f.SB.Env.Dir, "flowsctl.yaml")); err != nil {
		t.Fatal(err)
	}
	o := httpx.Options{CAPEM: f.SB.CA.CertPEM, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
	if debug {
		o.Debug = f.Err
	}
	if f.HC, err = httpx.New(o); err != nil {
		t.Fatal(err)
	}
	return f
}

// Common empties Out and Err and returns what a command's options embed: the fixture's config
// and client, -o output, --no-input when noInput, and -f the config's path.
func (f *Fixture) Common(output string, noInput bool) cmdutil.Common {
	f.Out.Reset()
	f.Err.Reset()
	return cmdutil.Common{IO: &iostreams.IOStreams{In: &bytes.Buffer{}, Out: f.Out, ErrOut: f.Err},
		Config:     func() (*config.Config, error) { return f.Cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return f.HC, nil },
		Flags:      &cmdutil.GlobalFlags{Output: output, NoInput: noInput, File: f.Cfg.Path},
		Ctx:        context.Background()}
}
