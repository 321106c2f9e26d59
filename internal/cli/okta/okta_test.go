package okta

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
)

func factory() *cmdutil.Factory { return cmdtest.Factory(cmdutil.GlobalFlags{}) }

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
			return NewCmdVerify(f, func(*cmdutil.Common) error { *got = []string{"ran"}; return nil })
		}, []string{"extra"}, "", true},
		{"apps", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdApps(f, func(*cmdutil.Common) error { *got = []string{"ran"}; return nil })
		}, nil, "ran", false},
		{"confirm", func(f *cmdutil.Factory, got *[]string) *cobra.Command {
			return NewCmdConfirm(f, func(*cmdutil.Common) error { *got = []string{"ran"}; return nil })
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
	*cmdtest.Fixture
	emu *oktaemu.Emulator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	emus := emulators.All()
	f := &fixture{Fixture: cmdtest.NewFixture(t, false, emus...)}
	for _, e := range emus {
		if o, ok := e.(*oktaemu.Emulator); ok {
			f.emu = o
		}
	}
	return f
}

func (f *fixture) common(output string) cmdutil.Common { return f.Common(output, true) }

// TestMissingScopeExits4: a service app signed in without okta.apps.manage is refused by Okta;
// the error names the scope and where to grant it, and the exit is 4.
func TestMissingScopeExits4(t *testing.T) {
	f := newFixture(t)
	f.Cfg.Okta.Auth.Scopes = []string{"okta.apps.read", "okta.groups.read"}
	err := applyRun(&ApplyOptions{Common: f.common("text"), Only: []string{"okta.scimApp"}})
	if cmdutil.CodeOf(err) != cmdutil.ExitAuth {
		t.Fatalf("exit %d (%v), want 4", cmdutil.CodeOf(err), err)
	}
	if !strings.Contains(f.Out.String(), "lacks the scope okta.apps.manage") || !strings.Contains(f.Out.String(), "API Services") {
		t.Errorf("output does not name the scope and its fix:\n%s", f.Out.String())
	}
}

// TestApplyVerifyAndRateLimit: apply converges while Okta answers 429 with X-Rate-Limit-Reset
// (waited for, not failed), a second apply changes nothing, and verify prints junit with every
// Okta check passing.
func TestApplyVerifyAndRateLimit(t *testing.T) {
	f := newFixture(t)
	f.emu.SetRateLimit(5)
	if err := applyRun(&ApplyOptions{Common: f.common("text"), Only: []string{"okta.scimApp", "okta.oidcApp"}}); err != nil {
		t.Fatalf("apply: %v\n%s%s", err, f.Out.String(), f.Err.String())
	}
	f.emu.SetRateLimit(0)
	if err := applyRun(&ApplyOptions{Common: f.common("json"), DryRun: true, Only: []string{"okta.scimApp", "okta.oidcApp"}}); err != nil {
		t.Errorf("dry run after apply: %v\n%s", err, f.Out.String())
	}
	vc := f.common("junit")
	err := verifyRun(&vc)
	if !strings.Contains(f.Out.String(), "<testsuite") || !strings.Contains(f.Out.String(), "okta.scimApp") {
		t.Errorf("verify junit: %v\n%s", err, f.Out.String())
	}
	ac := f.common("text")
	if err := appsRun(&ac); err != nil || !strings.Contains(f.Out.String(), "VMware Identity Services - OIDC") {
		t.Errorf("apps: %v\n%s", err, f.Out.String())
	}
}
