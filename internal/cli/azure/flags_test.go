package azure

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
)

// TestFlagParsing: each command's flags land in its Options (runF stops before any work).
func TestFlagParsing(t *testing.T) {
	type parsed struct {
		register RegisterOptions
		rotate   RotateOptions
		ran      string
	}
	tests := []struct {
		name string
		args []string
		want func(p parsed) bool
	}{
		{"register overrides", []string{"register", "--name", "N", "--unique-name", "u", "--access-url", "https://a.example.com", "--secret-lifetime", "6mo", "--dry-run"},
			func(p parsed) bool {
				o := p.register
				return p.ran == "register" && o.Name == "N" && o.UniqueName == "u" && o.AccessURL == "https://a.example.com" &&
					o.SecretLifetime == "6mo" && o.DryRun && !o.ShowSecret
			}},
		{"register show secret", []string{"register", "--show-secret"}, func(p parsed) bool {
			return p.ran == "register" && p.register.ShowSecret && !p.register.DryRun
		}},
		{"rotate", []string{"secret", "rotate", "--remove-old"}, func(p parsed) bool {
			return p.ran == "rotate" && p.rotate.RemoveOld && !p.rotate.ShowSecret
		}},
		{"verify", []string{"verify"}, func(p parsed) bool { return p.ran == "verify" }},
		{"show", []string{"show"}, func(p parsed) bool { return p.ran == "show" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := cmdtest.Factory(cmdutil.GlobalFlags{})
			var p parsed
			secret := &cobra.Command{Use: "secret"}
			secret.AddCommand(NewCmdSecretRotate(f, func(o *RotateOptions) error { p.rotate, p.ran = *o, "rotate"; return nil }))
			cmd := &cobra.Command{Use: "azure"}
			cmd.AddCommand(
				NewCmdRegister(f, func(o *RegisterOptions) error { p.register, p.ran = *o, "register"; return nil }),
				NewCmdVerify(f, func(*cmdutil.Common) error { p.ran = "verify"; return nil }),
				NewCmdShow(f, func(*cmdutil.Common) error { p.ran = "show"; return nil }),
				secret)
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if !tc.want(p) {
				t.Errorf("parsed %+v", p)
			}
		})
	}
}
