package scim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// identityCommon serves the Identity Services emulator with its generated flowsctl.yaml and a
// SCIM token (of a directory with domain) in the configured sink.
func identityCommon(t *testing.T, domain, format string) (cmdutil.Common, *iostreams.IOStreams) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	cfg, err := config.Load(sb.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	tok := emu.IssueSCIMToken(cfg.IdentityServices.Directory.Name, domain, 90*24*time.Hour)
	if err := cfg.WriteSecret(cfg.IdentityServices.SCIMToken.Sink, tok); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	return cmdutil.Common{IO: ios, Flags: &cmdutil.GlobalFlags{Output: format, NoInput: true},
		Config:     func() (*config.Config, error) { return cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return hc, nil }}, ios
}

// TestVerifyAndTestPrintChecks: scim verify runs doctor's directory check (the
// identity.directory step) and both commands print through the one check printer.
func TestVerifyAndTestPrintChecks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, cmd, domain, format string
		wantExit                  int
		want                      []string
	}{
		{"verify junit", "verify", "example.com", "junit", 0, []string{"<testsuite", `name="scim.token: SCIM token accepted"`, `name="identity.directory: `}},
		{"verify yaml, directory domain differs", "verify", "elsewhere.example.com", "yaml", cmdutil.ExitPending,
			[]string{"identity.directory.domain", `domain is "elsewhere.example.com", want "example.com"`}},
		{"verify json", "verify", "example.com", "json", 0, []string{`"id": "identity.directory"`, `"status": "pass"`}},
		{"test junit", "test", "example.com", "junit", 0, []string{"<testsuite", "R12"}},
		{"test yaml", "test", "example.com", "yaml", 0, []string{"status: pass", "R1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ios := identityCommon(t, tt.domain, tt.format)
			var err error
			if tt.cmd == "verify" {
				err = verifyRun(&VerifyOptions{Common: c})
			} else {
				err = testRun(&TestOptions{Common: c})
			}
			code := 0
			if ee := (*cmdutil.ExitError)(nil); errors.As(err, &ee) {
				code = ee.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantExit {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantExit)
			}
			out := ios.Out.(interface{ String() string }).String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
