package uem

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// BoxerConfigureOptions are the options of `uem boxer configure`.
type BoxerConfigureOptions struct {
	cmdutil.Common
	DryRun bool
}

// NewCmdBoxerConfigure builds `uem boxer configure`.
func NewCmdBoxerConfigure(f *cmdutil.Factory, runF func(*BoxerConfigureOptions) error) *cobra.Command {
	opts := &BoxerConfigureOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "configure",
		Short: "Set the five AppMobileFlows* keys on the Boxer assignment of each uem.boxer.smartGroups entry",
		Long: `Find the Workspace ONE Boxer public app(s), read their v2 assignment rules, and set
AppMobileFlowsEnabled, AppMobileFlowsHost, AppMobileFlowsvIDM (the Access URL),
AppMobileFlowsSyncTimeHours and AppMobileFlowsAutoEnableConnectors with their types in the
application_configuration of the assignment for each configured smart group. Every other key
and every other assignment is kept as it is. A second run writes nothing.`,
		Example: `  flowsctl uem boxer configure --dry-run
  flowsctl uem boxer configure -o json`,
	}, opts, &opts.Common, runF, boxerConfigureRun)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the key-level changes without writing")
	return cmd
}

// boxerConfigureRun converges the object of step uem.boxer.
func boxerConfigureRun(o *BoxerConfigureOptions) error {
	ctx := o.Context()
	b, err := built(&o.Common, steps.UEMBoxer)
	if err != nil {
		return err
	}
	var changes []plan.Change
	if o.DryRun {
		changes, err = b.Plan(ctx)
	} else {
		res, aerr := b.Apply(ctx)
		changes, err = res.AllChanges(), aerr
	}
	if err != nil {
		return err
	}
	data := map[string]any{"dryRun": o.DryRun, "changes": changesOrEmpty(changes)}
	return cmdutil.Print(o.IO.Out, o.Output(), data, func(w io.Writer) error {
		printChanges(w, changes)
		return nil
	})
}
