package cli

import (
	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/access"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/setupcmd"
)

// addCommands adds every noun. Keep one line per noun.
func addCommands(root *cobra.Command, f *cmdutil.Factory) {
	root.AddCommand(setupcmd.NewCmdInit(f, nil))
	root.AddCommand(setupcmd.NewCmdPlan(f, nil))
	root.AddCommand(setupcmd.NewCmdApply(f, nil))
	root.AddCommand(setupcmd.NewCmdDoctor(f, nil))
	root.AddCommand(setupcmd.NewCmdDemo(f, nil))
	root.AddCommand(access.NewCmdAccess(f))
}
