package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/access"
	"github.com/flowsctl/flowsctl/internal/cli/azure"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/completion"
	"github.com/flowsctl/flowsctl/internal/cli/configcmd"
	"github.com/flowsctl/flowsctl/internal/cli/docscmd"
	"github.com/flowsctl/flowsctl/internal/cli/explain"
	"github.com/flowsctl/flowsctl/internal/cli/identity"
	"github.com/flowsctl/flowsctl/internal/cli/importcmd"
	"github.com/flowsctl/flowsctl/internal/cli/okta"
	"github.com/flowsctl/flowsctl/internal/cli/rotate"
	"github.com/flowsctl/flowsctl/internal/cli/sandboxcmd"
	scimcmd "github.com/flowsctl/flowsctl/internal/cli/scim"
	"github.com/flowsctl/flowsctl/internal/cli/setupcmd"
	"github.com/flowsctl/flowsctl/internal/cli/uem"
	"github.com/flowsctl/flowsctl/internal/cli/version"
)

// addCommands adds every noun. Keep one line per noun.
func addCommands(root *cobra.Command, f *cmdutil.Factory) {
	root.AddCommand(setupcmd.NewCmdInit(f, nil))
	root.AddCommand(setupcmd.NewCmdPlan(f, nil))
	root.AddCommand(setupcmd.NewCmdApply(f, nil))
	root.AddCommand(setupcmd.NewCmdDoctor(f, nil))
	root.AddCommand(setupcmd.NewCmdDemo(f, nil))
	root.AddCommand(setupcmd.NewCmdConfirm(f, nil))
	root.AddCommand(importcmd.NewCmdImport(f, nil))
	root.AddCommand(configcmd.NewCmdConfig(f))
	root.AddCommand(sandboxcmd.NewCmdSandbox(f))
	root.AddCommand(version.NewCmdVersion(f))
	root.AddCommand(completion.NewCmdCompletion(f, nil))
	root.AddCommand(docscmd.NewCmdDocs(f, nil))
	root.AddCommand(access.NewCmdAccess(f))
	root.AddCommand(azure.NewCmdAzure(f))
	root.AddCommand(uem.NewCmdUEM(f))
	root.AddCommand(scimcmd.NewCmdSCIM(f))
	root.AddCommand(identity.NewCmdIdentity(f))
	root.AddCommand(okta.NewCmdOkta(f))
	root.AddCommand(rotate.NewCmdRotate(f))
	root.AddCommand(explain.NewCmdExplain(f, nil))
	markJUnit(root, "scim test", "uem integration check")
}

// markJUnit marks the commands that print checks under a name other than verify or doctor, so
// the root accepts -o junit for them. A noun may also mark its own with cmdutil.MarkJUnit.
func markJUnit(root *cobra.Command, paths ...string) {
	for _, p := range paths {
		if c, _, err := root.Find(strings.Fields(p)); err == nil && c.CommandPath() == root.Name()+" "+p {
			cmdutil.MarkJUnit(c)
		}
	}
}
