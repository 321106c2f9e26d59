package setupcmd

import (
	"reflect"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
)

// parse runs cmd with args through its runF and fails the test when cobra refuses them.
func parse(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&discard{})
	cmd.SetErr(&discard{})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name(), args, err)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }

func testFactory() *cmdutil.Factory {
	return cmdtest.Factory(cmdutil.GlobalFlags{File: "x.yaml", Output: "json", NoInput: true})
}

func TestFlagParsing(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		build func(f *cmdutil.Factory, got *any) *cobra.Command
		want  func(got any) any
		equal any
	}{
		{"plan --only split", []string{"--only", "access, uem.boxer", "--only", "azure", "--concurrency", "3"},
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdPlan(f, func(o *PlanOptions) error { *got = o; return nil })
			},
			func(got any) any {
				o := got.(*PlanOptions)
				return []any{o.only(), o.Concurrency, o.Output(), o.ConfigPath()}
			},
			[]any{[]string{"access", "uem.boxer", "azure"}, 3, "json", "x.yaml"}},
		{"apply defaults", nil,
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdApply(f, func(o *ApplyOptions) error { *got = o; return nil })
			},
			func(got any) any {
				o := got.(*ApplyOptions)
				return []any{len(o.only()), o.Concurrency, o.ShowSecret, o.NoInput()}
			},
			[]any{0, 16, false, true}},
		{"apply --show-secret", []string{"--show-secret", "--only", "uem.connectors"},
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdApply(f, func(o *ApplyOptions) error { *got = o; return nil })
			},
			func(got any) any { o := got.(*ApplyOptions); return []any{o.only(), o.ShowSecret} },
			[]any{[]string{"uem.connectors"}, true}},
		{"doctor", []string{"--only", "env", "--probe-timeout", "5s"},
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdDoctor(f, func(o *DoctorOptions) error { *got = o; return nil })
			},
			func(got any) any {
				o := got.(*DoctorOptions)
				return []any{o.only(), o.Concurrency, o.ProbeTimeout}
			},
			[]any{[]string{"env"}, 16, 5 * time.Second}},
		{"demo", []string{"--dir", "d", "--keep"},
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdDemo(f, func(o *DemoOptions) error { *got = o; return nil })
			},
			func(got any) any { o := got.(*DemoOptions); return []any{o.Dir, o.Keep, o.Output()} },
			[]any{"d", true, "json"}},
		{"init", []string{"--access-url", "https://a.example.com", "--connectors", "teams,planner", "--boxer=false", "--check"},
			func(f *cmdutil.Factory, got *any) *cobra.Command {
				return NewCmdInit(f, func(o *InitOptions) error { *got = o; return nil })
			},
			func(got any) any {
				o := got.(*InitOptions)
				return []any{o.A.AccessURL, o.A.Connectors, o.A.Boxer, o.Check, o.Force, o.set["boxer"], o.set["uem-url"], o.ConfigPath()}
			},
			[]any{"https://a.example.com", []string{"teams", "planner"}, false, true, false, true, false, "x.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			parse(t, tt.build(testFactory(), &got), tt.args...)
			if got == nil {
				t.Fatal("runF was not called")
			}
			if g := tt.want(got); !reflect.DeepEqual(g, tt.equal) {
				t.Errorf("parsed %#v\nwant   %#v", g, tt.equal)
			}
		})
	}
}
