// Package completion is `flowsctl completion bash|zsh|fish|powershell`.
package completion

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// Options of `flowsctl completion`.
type CompletionOptions struct {
	cmdutil.Common
	Shell string
	Root  *cobra.Command
}

// Shells lists the shells completion supports.
var Shells = []string{"bash", "zsh", "fish", "powershell"}

// NewCmdCompletion builds `flowsctl completion SHELL`; runF replaces the run in tests.
func NewCmdCompletion(f *cmdutil.Factory, runF func(*CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{Common: cmdutil.NewCommon(f)}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script",
		Long: `Print a completion script for your shell on stdout. Load it in the current shell, or install it
where your shell looks for completions.`,
		Example: `  # bash, current shell / permanently (Linux)
  source <(flowsctl completion bash)
  flowsctl completion bash > /etc/bash_completion.d/flowsctl

  # zsh (directory on your $fpath)
  flowsctl completion zsh > "${fpath[1]}/_flowsctl"

  # fish
  flowsctl completion fish > ~/.config/fish/completions/flowsctl.fish

  # PowerShell
  flowsctl completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             Shells,
		Args:                  cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		DisableFlagsInUseLine: true,
		PreRun: func(cmd *cobra.Command, args []string) {
			opts.Shell, opts.Root = args[0], cmd.Root()
		},
		RunE: cmdutil.Run(opts, &opts.Common, runF, completionRun),
	}
}

func completionRun(opts *CompletionOptions) error {
	w := opts.IO.Out
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(w, true)
	case "zsh":
		return opts.Root.GenZshCompletion(w)
	case "fish":
		return opts.Root.GenFishCompletion(w, true)
	case "powershell":
		return opts.Root.GenPowerShellCompletionWithDesc(w)
	}
	return fmt.Errorf("completion: unknown shell %q (use bash, zsh, fish or powershell)", opts.Shell)
}
