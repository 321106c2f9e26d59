// Package rotate holds `flowsctl rotate`: credentials another system holds, replaced in an
// order that keeps that system working (new, holder updated, verified, old retired).
package rotate

import (
	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// NewCmdRotate builds the `rotate` group.
func NewCmdRotate(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{Use: "rotate", Short: "Replace a credential another system holds, without cutting it off",
		Example: "  flowsctl rotate okta-scim-token --dry-run"}
	cmd.AddCommand(NewCmdOktaSCIMToken(f, nil))
	return cmd
}
