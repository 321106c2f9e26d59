// Package rotate is `flowsctl rotate`: credential rotations that keep every holder working.
package rotate

import (
	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// NewCmdRotate is the `rotate` group; each rotation is one subcommand in its own file.
func NewCmdRotate(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group(&cobra.Command{
		Use:     "rotate <command>",
		Short:   "Rotate a credential without breaking the systems that hold it",
		Example: `  flowsctl rotate teams-secret`,
	}, NewCmdTeamsSecret(f, nil))
}
