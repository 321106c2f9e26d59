// Package rotate holds `flowsctl rotate`: credentials another system holds, replaced in an
// order that keeps that system working (new, holder updated, verified, old retired). Each
// rotation is one subcommand in its own file.
package rotate

import (
	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// NewCmdRotate builds the `rotate` group.
func NewCmdRotate(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewGroup("rotate <command>", "Replace a credential another system holds, without cutting it off",
		`  flowsctl rotate teams-secret
  flowsctl rotate okta-scim-token --dry-run`,
		NewCmdTeamsSecret(f, nil), NewCmdOktaSCIMToken(f, nil))
}
