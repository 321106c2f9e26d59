package completion

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
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

// The shell argument is parsed into the options; anything but one known shell is refused.
func TestCompletionArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" = refused
	}{
		{[]string{"completion", "zsh"}, "zsh"},
		{[]string{"completion", "powershell"}, "powershell"},
		{[]string{"completion", "tcsh"}, ""},
		{[]string{"completion"}, ""},
		{[]string{"completion", "bash", "zsh"}, ""},
	}
	for _, tt := range tests {
		f := cmdtest.Factory(cmdutil.GlobalFlags{})
		root := &cobra.Command{Use: "flowsctl", SilenceErrors: true, SilenceUsage: true}
		var got *CompletionOptions
		root.AddCommand(NewCmdCompletion(f, func(o *CompletionOptions) error { got = o; return nil }))
		root.SetArgs(tt.args)
		err := root.Execute()
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%v accepted", tt.args)
		case tt.want != "" && (err != nil || got == nil || got.Shell != tt.want || got.Root != root):
			t.Errorf("%v: %v, options %+v", tt.args, err, got)
		}
	}
}
