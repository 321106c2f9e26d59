package access

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
)

func newCmdDirectory(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "directory <command>",
		Short: "The directory of type Other Okta provisions users into",
		Example: `  flowsctl access directory create --dry-run
  flowsctl access directory list`,
	}
	cmd.AddCommand(NewCmdDirectoryCreate(f, nil), NewCmdDirectoryList(f, nil), NewCmdDirectoryVerify(f, nil))
	return cmd
}

func buildDirectory(c *acc.Client, cfg *config.Config) (resource, error) {
	return acc.NewDirectoryResource(c, cfg)
}

// NewCmdDirectoryCreate builds `access directory create`.
func NewCmdDirectoryCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create access.directory as a directory of type Other, unless one with its name exists",
		Long: `List the directories (JIT ones included) and their domains. Create the directory of type Other
when none has its name. A domain that already belongs to another directory (often the JIT directory)
is refused: Okta would fail with "USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID".`,
		Args: cobra.NoArgs,
		Example: `  flowsctl access directory create --dry-run
  flowsctl access directory create -o json`,
		RunE: run(opts, runF, DirectoryCreateRun),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change without writing")
	return cmd
}

// DirectoryCreateRun is `access directory create`.
func DirectoryCreateRun(opts *Options) error { return applyRun(opts, buildDirectory) }

// NewCmdDirectoryVerify builds `access directory verify`.
func NewCmdDirectoryVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:     "verify",
		Short:   "Check the directory exists with type Other and its domains (exit 2 on failure)",
		Args:    cobra.NoArgs,
		Example: `  flowsctl access directory verify`,
		RunE:    run(opts, runF, func(o *Options) error { return verifyRun(o, buildDirectory) }),
	}
}

// NewCmdDirectoryList builds `access directory list`.
func NewCmdDirectoryList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "list",
		Short: "List every directory (JIT ones included) with its type and domains",
		Args:  cobra.NoArgs,
		Example: `  flowsctl access directory list
  flowsctl access directory list -o json`,
		RunE: run(opts, runF, DirectoryListRun),
	}
}

// DirectoryListRun is `access directory list`.
func DirectoryListRun(opts *Options) error {
	c, _, err := opts.client()
	if err != nil {
		return err
	}
	ctx, cancel := opts.context()
	defer cancel()
	dirs, err := c.ListDirectories(ctx)
	if err != nil {
		return wrap(err)
	}
	for i := range dirs {
		if dirs[i].Domains, err = c.DirectoryDomains(ctx, dirs[i].DirectoryID); err != nil {
			return wrap(err)
		}
	}
	if dirs == nil {
		dirs = []acc.Directory{}
	}
	return cmdutil.Print(opts.IO.Out, opts.output(), dirs, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTYPE\tDOMAINS\tID")
		for _, d := range dirs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Name, d.Type, strings.Join(d.Domains, ","), d.DirectoryID)
		}
		return tw.Flush()
	})
}
