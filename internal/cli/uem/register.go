package uem

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// RegisterOptions are the options of `uem mobileflows register`.
type RegisterOptions struct {
	cmdutil.Common
	Confirm bool
	// TemplateCheck asks Access for MobileFlows_Server_Template first (off in tests without Access).
	TemplateCheck bool
}

// NewCmdRegister builds `uem mobileflows register`.
func NewCmdRegister(f *cmdutil.Factory, runF func(*RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{Common: cmdutil.NewCommon(f), TemplateCheck: true}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "register",
		Short: "Check MobileFlows_Server_Template in Access, then print the Begin checklist and record the confirmation",
		Example: `  flowsctl uem mobileflows register
  flowsctl uem mobileflows register --confirm`,
	}, opts, &opts.Common, runF, registerRun)
	cmd.Flags().BoolVar(&opts.Confirm, "confirm", false, "record that the tenant is registered")
	return cmd
}

// registerRun applies the object of step uem.mobileflows.tenant.
func registerRun(o *RegisterOptions) error {
	d, mode, err := deps(&o.Common, depsFor{})
	if err != nil {
		return err
	}
	if mode == "" {
		return errors.New("the config has no uem.mobileFlows section")
	}
	var w io.Writer
	if o.Output() == "text" {
		w = o.IO.Out
	}
	t, err := tenant(&o.Common, d, o.Confirm, o.TemplateCheck, w)
	if err != nil {
		return err
	}
	if t.TemplateExists == nil {
		fmt.Fprintln(o.IO.ErrOut, "note: the MobileFlows_Server_Template check is skipped (no access section)")
	}
	res, err := t.Apply(o.Context())
	if err != nil {
		return err
	}
	pending := res.Operator != ""
	data := map[string]any{"pending": pending, "checklist": res.Operator, "changes": changesOrEmpty(res.AllChanges())}
	if err := cmdutil.Print(o.IO.Out, o.Output(), data, func(w io.Writer) error {
		switch {
		case pending:
		case res.Action == plan.NoOp:
			fmt.Fprintln(w, "tenant registered: nothing to do")
		default:
			fmt.Fprintln(w, "confirmation recorded")
		}
		return nil
	}); err != nil {
		return err
	}
	if pending {
		return cmdutil.Exit(cmdutil.ExitOperator, errors.New("operator step pending: click Begin as listed, then run: "+steps.WithFile(d.Config, "flowsctl uem mobileflows register --confirm")))
	}
	return nil
}
