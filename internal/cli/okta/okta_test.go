package okta

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func factory() *cmdutil.Factory {
	ios, _, _, _ := iostreams.Test()
	return &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{}}
}

// TestFlags parses each command's flags through runF.
func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cmd   func(f *cmdutil.Factory, got *[]string) *cobra.Command
		args  []string
		want  string
		fails bool
	}{
		{"apply dry-run only", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdApply(f, func(o *ApplyOptions) error {
				*got = append([]string{map[bool]string{true: "dry", false: "wet"}[o.DryRun]}, o.Only...)
				return nil
			})
		}, []string{"--dry-run", "--only", "okta.groupPush,okta.scimApp"}, "dry okta.groupPush okta.scimApp", false},
		{"apply defaults", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdApply(f, func(o *ApplyOptions) error {
				*got = append([]string{map[bool]string{true: "dry", false: "wet"}[o.DryRun]}, o.Only...)
				return nil
			})
		}, nil, "wet", false},
		{"verify takes no args", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdVerify(f, func(*VerifyOptions) error { *got = []string{"ran"}; return nil })
		}, []string{"extra"}, "", true},
		{"apps", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdApps(f, func(*AppsOptions) error { *got = []string{"ran"}; return nil })
		}, nil, "ran", false},
		{"confirm", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdConfirm(f, func(*ConfirmOptions) error { *got = []string{"ran"}; return nil })
		}, nil, "ran", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			c := tt.cmd(factory(), &got)
			c.SetArgs(tt.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if (err != nil) != tt.fails || strings.Join(got, " ") != tt.want {
				t.Errorf("got %q err %v", got, err)
			}
		})
	}
}

type fixture struct {
	cfg      *config.Config
	hc       *httpx.Client
	emu      *oktaemu.Emulator
	out, err *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	emus := emulators.All()
	f := &fixture{out: &bytes.Buffer{}, err: &bytes.Buffer{}}
	for _, e := range emus {
		if o, ok := e.(*oktaemu.Emulator); ok {
			f.emu = o
		}
	}
	sb := sandboxtest.Start(t, emus...)
	var err error
	if f.cfg, err = config.Load(filepath.Join(sb.Env.Dir, "flowsctl.yaml")); err != nil {
		t.Fatal(err)
	}
	if f.hc, err = httpx.New(httpx.Options{CAPEM: sb.CA.CertPEM, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) common(output string) cmdutil.Common {
	f.out.Reset()
	f.err.Reset()
	return cmdutil.Common{IO: &iostreams.IOStreams{In: &bytes.Buffer{}, Out: f.out, ErrOut: f.err},
		Config:     func() (*config.Config, error) { return f.cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return f.hc, nil },
		Flags:      &cmdutil.GlobalFlags{Output: output, NoInput: true, File: f.cfg.Path},
		Ctx:        context.Background()}
}

// TestMissingScopeExits4: a service app signed in without okta.apps.manage is refused by Okta;
// the error names the scope and where to grant it, and the exit is 4.
func TestMissingScopeExits4(t *testing.T) {
	f := newFixture(t)
	f.cfg.Okta.Auth.Scopes = []string{"okta.apps.read", "okta.groups.read"}
	err := applyRun(&ApplyOptions{Common: f.common("text"), Only: []string{"okta.scimApp"}})
	if cmdutil.CodeOf(err) != cmdutil.ExitAuth {
		t.Fatalf("exit %d (%v), want 4", cmdutil.CodeOf(err), err)
	}
	if !strings.Contains(f.out.String(), "lacks the scope okta.apps.manage") || !strings.Contains(f.out.String(), "API Services") {
		t.Errorf("output does not name the scope and its fix:\n%s", f.out.String())
	}
}

// TestApplyVerifyAndRateLimit: apply converges while Okta answers 429 with X-Rate-Limit-Reset
// (waited for, not failed), a second apply changes nothing, and verify prints junit with every
// Okta check passing.
func TestApplyVerifyAndRateLimit(t *testing.T) {
	f := newFixture(t)
	f.emu.SetRateLimit(5)
	if err := applyRun(&ApplyOptions{Common: f.common("text"), Only: []string{"okta.scimApp", "okta.oidcApp"}}); err != nil {
		t.Fatalf("apply: %v\n%s%s", err, f.out.String(), f.err.String())
	}
	f.emu.SetRateLimit(0)
	if err := applyRun(&ApplyOptions{Common: f.common("json"), DryRun: true, Only: []string{"okta.scimApp", "okta.oidcApp"}}); err != nil {
		t.Errorf("dry run after apply: %v\n%s", err, f.out.String())
	}
	err := verifyRun(&VerifyOptions{Common: f.common("junit")})
	if !strings.Contains(f.out.String(), "<testsuite") || !strings.Contains(f.out.String(), "okta.scimApp") {
		t.Errorf("verify junit: %v\n%s", err, f.out.String())
	}
	if err := appsRun(&AppsOptions{Common: f.common("text")}); err != nil || !strings.Contains(f.out.String(), "VMware Identity Services - OIDC") {
		t.Errorf("apps: %v\n%s", err, f.out.String())
	}
}
