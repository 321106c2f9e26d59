package access

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
)

// NewCmdDirectoryCreate builds `access directory create`.
func NewCmdDirectoryCreate(f *cmdutil.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	return newCmdApply(f, runF, buildDirectory, &cobra.Command{
		Use:   "create",
		Short: "Create access.directory as a directory of type Other, unless one with its name exists",
		Long: `List the directories (JIT ones included) and their domains. Create the directory of type Other
when none has its name. A domain that already belongs to another directory (often the JIT directory)
is refused: Okta would fail with "USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID".`,
		Example: `  flowsctl access directory create --dry-run
  flowsctl access directory create -o json`,
	})
}

// NewCmdDirectoryVerify builds `access directory verify`.
func NewCmdDirectoryVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	return newCmdVerify(f, runF, buildDirectory, "Check the directory exists with type Other and its domains (exit 2 on failure)",
		`  flowsctl access directory verify`)
}

// NewCmdDirectoryList builds `access directory list`.
func NewCmdDirectoryList(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "list",
		Short: "List every directory (JIT ones included) with its type and domains",
		Example: `  flowsctl access directory list
  flowsctl access directory list -o json`,
	}, runF, directoryListRun)
}

func directoryListRun(o *cmdutil.Common) error {
	c, _, err := client(o)
	if err != nil {
		return err
	}
	ctx := o.Context()
	dirs, err := c.ListDirectories(ctx)
	if err != nil {
		return err
	}
	for i := range dirs {
		if dirs[i].Domains, err = c.DirectoryDomains(ctx, dirs[i].DirectoryID); err != nil {
			return err
		}
	}
	if dirs == nil {
		dirs = []acc.Directory{}
	}
	return cmdutil.Print(o.IO.Out, o.Output(), dirs, func(w io.Writer) error {
		tab := cmdutil.NewTable(w, "NAME", "TYPE", "DOMAINS", "ID")
		for _, d := range dirs {
			tab.Row(d.Name, d.Type, strings.Join(d.Domains, ","), d.DirectoryID)
		}
		return tab.Flush()
	})
}
