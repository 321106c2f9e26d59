package completion

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

func TestCompletion(t *testing.T) {
	tests := []struct {
		shell string
		want  string
	}{
		{"bash", "complete -o default -F __start_flowsctl flowsctl"},
		{"zsh", "#compdef flowsctl"},
		{"fish", "complete -c flowsctl"},
		{"powershell", "Register-ArgumentCompleter"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{}}
			root := &cobra.Command{Use: "flowsctl"}
			root.AddCommand(NewCmdCompletion(f, nil))
			root.SetArgs([]string{"completion", tt.shell})
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("%s script lacks %q", tt.shell, tt.want)
			}
		})
	}
}

func TestCompletionRejectsUnknownShell(t *testing.T) {
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}, {"completion", "bash", "zsh"}} {
		ios, _, _, _ := iostreams.Test()
		f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{}}
		root := &cobra.Command{Use: "flowsctl", SilenceErrors: true, SilenceUsage: true}
		root.AddCommand(NewCmdCompletion(f, func(*Options) error { return nil }))
		root.SetArgs(args)
		if err := root.Execute(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
