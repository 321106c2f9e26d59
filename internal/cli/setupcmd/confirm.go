package setupcmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// ConfirmOptions of `flowsctl confirm`.
type ConfirmOptions struct {
	GraphOptions
	Step string
}

// confirmer is an operator step that records an operator's word.
type confirmer interface{ Confirm(now time.Time) error }

// NewCmdConfirm builds `flowsctl confirm <step>`.
func NewCmdConfirm(f *cmdutil.Factory, runF func(*ConfirmOptions) error) *cobra.Command {
	opts := &ConfirmOptions{GraphOptions: newGraphOptions(f)}
	return cmdutil.CommandWithArgs(&cobra.Command{
		Use:   "confirm <step>",
		Short: "Record that an operator did a console step that has no API",
		Long: `Some steps of the procedures have no API (Hub Services' mobile flows switch; Okta's provisioning
settings where Okta refuses its API). flowsctl apply prints their checklist with every value and exits 3;
after doing it in the console, record it here. The record is bound to the values of the checklist (a
changed value asks again) and doctor reports the step as "confirmed" — an operator's word, never an
observed pass.`,
		Example: `  flowsctl confirm hub.mobileflows
  flowsctl confirm okta.provisioning -f tenant-a.yaml`,
		Args: cobra.ExactArgs(1),
	}, opts, &opts.Common, cmdutil.FirstArg(&opts.Step), runF, confirmRun)
}

func confirmRun(opts *ConfirmOptions) error {
	_, d, err := opts.deps()
	if err != nil {
		return err
	}
	objs, err := steps.Objects(d, opts.Step)
	if err != nil {
		return err
	}
	n := 0
	for _, o := range objs {
		if c, ok := o.(confirmer); ok {
			if err := c.Confirm(time.Now()); err != nil {
				return err
			}
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("%s is not an operator step (nothing to confirm); for connectors and the tenant registration use flowsctl uem connector add --confirm and flowsctl uem mobileflows register --confirm", opts.Step)
	}
	fmt.Fprintf(opts.IO.ErrOut, "recorded: %s was done by hand; check it with: %s\n", opts.Step, steps.WithFile(d.Config, "flowsctl doctor --only "+opts.Step))
	return nil
}
