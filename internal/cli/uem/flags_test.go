package uem

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
)

// TestFlagParsing: each command's flags and arguments land in its options; runF stops the
// command before anything runs.
func TestFlagParsing(t *testing.T) {
	f := cmdtest.Factory(cmdutil.GlobalFlags{})
	var got any
	capture := func(o any) error { got = o; return nil }
	tests := []struct {
		name string
		cmd  *cobra.Command
		args []string
		want func(got any) any // the parsed options without Common, and what they should be
		exp  any
	}{
		{"connector add", NewCmdConnectorAdd(f, func(o *ConnectorAddOptions) error { return capture(o) }),
			[]string{"teams", "--client-id", "c1", "--client-secret-ref", "env:S", "--mode", "api", "--confirm", "--show-secret", "--dry-run", "--name", "N", "--base-url", "https://b"},
			func(g any) any {
				o := *g.(*ConnectorAddOptions)
				return [9]any{o.Selector, o.ClientID, o.SecretRef, o.Mode, o.Confirm, o.ShowSecret, o.DryRun, o.Name, o.BaseURL}
			},
			[9]any{"teams", "c1", "env:S", "api", true, true, true, "N", "https://b"}},
		{"connector add by discovery", NewCmdConnectorAdd(f, func(o *ConnectorAddOptions) error { return capture(o) }),
			[]string{"--discovery-url", "https://c.example.com/"},
			func(g any) any { o := g.(*ConnectorAddOptions); return [2]string{o.Selector, o.DiscoveryURL} },
			[2]string{"", "https://c.example.com/"}},
		{"connector list", NewCmdConnectorList(f, func(o *ConnectorListOptions) error { return capture(o) }),
			[]string{"--mode", "guided"}, func(g any) any { return g.(*ConnectorListOptions).Mode }, "guided"},
		{"boxer configure", NewCmdBoxerConfigure(f, func(o *BoxerConfigureOptions) error { return capture(o) }),
			[]string{"--dry-run"}, func(g any) any { return g.(*BoxerConfigureOptions).DryRun }, true},
		{"integration check", NewCmdIntegrationCheck(f, func(o *IntegrationCheckOptions) error { return capture(o) }),
			[]string{"Harmony Mobile"}, func(g any) any { return g.(*IntegrationCheckOptions).Names }, []string{"Harmony Mobile"}},
		{"groups", NewCmdGroups(f, func(o *GroupsOptions) error { return capture(o) }),
			[]string{"ACME", "--smart"}, func(g any) any { o := g.(*GroupsOptions); return [2]any{o.Query, o.Smart} }, [2]any{"ACME", true}},
		{"mobileflows register", NewCmdRegister(f, func(o *RegisterOptions) error { return capture(o) }),
			[]string{"--confirm"}, func(g any) any { o := g.(*RegisterOptions); return [2]bool{o.Confirm, o.TemplateCheck} }, [2]bool{true, true}},
		{"verify", NewCmdVerify(f, func(o *VerifyOptions) error { return capture(o) }),
			nil, func(g any) any { o := g.(*VerifyOptions); return [2]bool{o.TemplateCheck, o.Entra != nil} }, [2]bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			tt.cmd.SetArgs(tt.args)
			tt.cmd.SetOut(&bytes.Buffer{})
			tt.cmd.SetErr(&bytes.Buffer{})
			if err := tt.cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF was not called")
			}
			if g := tt.want(got); !reflect.DeepEqual(g, tt.exp) {
				t.Fatalf("parsed %#v, want %#v", g, tt.exp)
			}
		})
	}
}
