package cli

import (
	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// addCommands adds every noun. Keep one line per noun.
func addCommands(root *cobra.Command, f *cmdutil.Factory) {
}
