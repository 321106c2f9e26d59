// Package okta is `flowsctl okta ...`: the Okta half of provisioning one step at a time — the
// SCIM app with its assignments and domain mapping, the provisioning connection, group push and
// the OIDC sign-in app. Every command runs the same step rows plan/apply/doctor run.
package okta

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// Rows are the okta steps, in order.
var Rows = []string{"okta.scimApp", "okta.provisioning", "okta.groupPush", "okta.oidcApp"}

// NewCmdOkta builds `flowsctl okta`.
func NewCmdOkta(f *cmdutil.Factory) *cobra.Command {
	prov := cmdutil.NewGroup("provisioning <command>", "The SCIM app's provisioning connection",
		"  flowsctl okta provisioning confirm", NewCmdConfirm(f, nil))
	return cmdutil.Group(&cobra.Command{
		Use:   "okta <command>",
		Short: "Okta: the SCIM app, provisioning, group push and the OIDC sign-in app",
		Long: `The Okta side of provisioning into Workspace ONE (okta: in flowsctl.yaml): the SCIM app (Identity
Services SCIM 2.0, or Access SCIM 1.1 with the domain mapping), its group assignments, the provisioning
connection holding the Workspace ONE token, group push, and the OIDC web app Identity Services signs users
in with. Each command runs the steps plan, apply and doctor run.`,
		Example: `  flowsctl okta apply --dry-run
  flowsctl okta apply
  flowsctl okta provisioning confirm
  flowsctl okta verify -o junit > okta.xml
  flowsctl okta apps`,
	}, NewCmdApply(f, nil), NewCmdVerify(f, nil), NewCmdApps(f, nil), prov)
}

// graph builds the step graph for the command's config.
func graph(c *cmdutil.Common) (*config.Config, *setup.Graph, steps.Deps, error) {
	cfg, err := c.Config()
	if err != nil {
		return nil, nil, steps.Deps{}, err
	}
	if cfg.Okta == nil {
		return nil, nil, steps.Deps{}, errors.New("the config has no okta section: add okta.url and okta.auth (see docs/configuration.md, or flowsctl init)")
	}
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, nil, steps.Deps{}, err
	}
	d := steps.WithShared(steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: c.HTTPOpts(), ErrOut: c.IO.Messages(c.IO.ErrOut),
		Prompter: prompt.NoInput{Reason: "flowsctl okta asks nothing"}, NoInput: true})
	g, err := steps.Graph(d)
	return cfg, g, d, err
}

func run(c *cmdutil.Common, mode setup.Mode, only []string) ([]setup.Result, error) {
	cfg, g, _, err := graph(c)
	if err != nil {
		return nil, err
	}
	rs, err := g.Run(c.Context(), mode, setup.NewOutputs(cfg), setup.Options{Only: only})
	var out []setup.Result
	for _, r := range rs {
		if strings.HasPrefix(r.ID, "okta.") {
			out = append(out, r)
		}
	}
	return out, err
}

// ApplyOptions of `okta apply`.
type ApplyOptions struct {
	cmdutil.Common
	DryRun bool
	Only   []string
}

// NewCmdApply builds `flowsctl okta apply`.
func NewCmdApply(f *cmdutil.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	o := &ApplyOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "apply",
		Short: "Create or update the Okta apps, assignments, provisioning and group push",
		Long: `Converges the okta steps (a second run writes nothing). Where Okta refuses to take the provisioning
connection through its API, prints the console checklist with every value (the token by where it lives)
and exits 3 until ` + "`flowsctl okta provisioning confirm`" + ` records it. Exit 2 with --dry-run when changes are pending.`,
		Example: `  flowsctl okta apply --dry-run
  flowsctl okta apply --only okta.groupPush`,
	}, o, &o.Common, runF, applyRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "show what would change, change nothing")
	cmd.Flags().StringSliceVar(&o.Only, "only", nil, "run only these steps: "+strings.Join(Rows, ", "))
	return cmd
}

func applyRun(o *ApplyOptions) error {
	only := o.Only
	if len(only) == 0 {
		only = Rows
	}
	for _, id := range only {
		if !slices.Contains(Rows, id) {
			return fmt.Errorf("--only %s: not an okta step (use %s)", id, strings.Join(Rows, ", "))
		}
	}
	mode := setup.ModeApply
	if o.DryRun {
		mode = setup.ModePlan
	}
	rs, err := run(&o.Common, mode, only)
	if err != nil {
		return err
	}
	if err := cmdutil.Print(o.IO.Out, o.Output(), rs, func(w io.Writer) error { return printResults(w, rs) }); err != nil {
		return err
	}
	return exitFor(rs)
}

func printResults(w io.Writer, rs []setup.Result) error {
	for _, r := range rs {
		fmt.Fprintf(w, "%s: %s", r.ID, r.Status)
		if r.Reason != "" {
			fmt.Fprintf(w, " (%s)", r.Reason)
		}
		fmt.Fprintln(w)
		for _, c := range r.Changes {
			if c.Action != plan.NoOp {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(c.String(), "\n", "\n  "))
			}
		}
		if r.Operator != "" {
			fmt.Fprintf(w, "\n%s\n", r.Operator)
		}
		if r.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", r.Error)
			if r.Fix != "" {
				fmt.Fprintf(w, "  fix:   %s\n", r.Fix)
			}
		}
	}
	return nil
}

// exitFor: 1 on a failed step, 3 while an operator step is pending, 2 when a dry run has
// changes pending.
func exitFor(rs []setup.Result) error {
	code := 0
	for _, r := range rs {
		switch r.Status {
		case setup.Failed, setup.Cancelled:
			return cmdutil.Silent(setup.FailedCode(rs))
		case setup.Operator:
			code = cmdutil.ExitOperator
		case setup.Pending:
			if code == 0 {
				code = cmdutil.ExitPending
			}
		}
	}
	if code != 0 {
		return cmdutil.Silent(code)
	}
	return nil
}

// NewCmdVerify builds `flowsctl okta verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "verify",
		Short: "Check the Okta apps, provisioning (observed, confirmed or to do), group push and evidence",
		Long: `Runs doctor's Okta checks: the apps exist with the right settings and assignments, the provisioning
connection is enabled (observed through the API, or confirmed by an operator), users assigned in Okta
arrived in Workspace ONE (a bounded sample), pushed groups are ACTIVE, the OIDC app redirects to Identity
Services and the org's discovery document names the issuer. Exit 2 when a check fails.`,
		Example: "  flowsctl okta verify\n  flowsctl okta verify -o junit > okta.xml",
	}, runF, verifyRun)
}

func verifyRun(o *cmdutil.Common) error {
	start := time.Now()
	rs, err := run(o, setup.ModeVerify, Rows)
	if err != nil {
		return err
	}
	var checks []doctor.Check
	for _, r := range rs {
		checks = append(checks, r.Checks...)
	}
	return o.ReportChecks(checks, start, false)
}

// AppRow is one line of `okta apps`.
type AppRow struct {
	Role     string `json:"role" yaml:"role"`
	Label    string `json:"label" yaml:"label"`
	ID       string `json:"id,omitempty" yaml:"id,omitempty"`
	Name     string `json:"name,omitempty" yaml:"name,omitempty"`
	Status   string `json:"status" yaml:"status"`
	ClientID string `json:"clientId,omitempty" yaml:"clientId,omitempty"`
}

// NewCmdApps builds `flowsctl okta apps`.
func NewCmdApps(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:     "apps",
		Short:   "Show the Okta apps flowsctl manages (found by label)",
		Example: "  flowsctl okta apps -o json",
	}, runF, appsRun)
}

func appsRun(o *cmdutil.Common) error {
	cfg, _, d, err := graph(o)
	if err != nil {
		return err
	}
	c, err := steps.OktaClient(d)
	if err != nil {
		return err
	}
	labels := []AppRow{{Role: "scim", Label: cfg.Okta.SCIMApp.Label}}
	if cfg.Okta.OIDCApp != nil {
		labels = append(labels, AppRow{Role: "oidc", Label: cfg.Okta.OIDCApp.Label})
	}
	for i, row := range labels {
		a, err := c.FindApp(o.Context(), row.Label)
		if err != nil {
			return err
		}
		labels[i].Status = "absent"
		if a != nil {
			labels[i].ID, labels[i].Name, labels[i].Status, labels[i].ClientID = a.ID, a.Name, a.Status, a.ClientID()
		}
	}
	return cmdutil.Print(o.IO.Out, o.Output(), labels, func(w io.Writer) error {
		tab := cmdutil.NewTable(w, "ROLE", "LABEL", "ID", "CATALOG NAME", "STATUS", "CLIENT ID")
		for _, r := range labels {
			tab.Row(r.Role, r.Label, r.ID, r.Name, r.Status, r.ClientID)
		}
		return tab.Flush()
	})
}

// NewCmdConfirm builds `flowsctl okta provisioning confirm`.
func NewCmdConfirm(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "confirm",
		Short: "Record that the provisioning settings were made in the Okta console",
		Long: `Where Okta does not take the provisioning connection through its API, flowsctl apply prints the console
checklist. After doing it, record it here; doctor then reports the connection as confirmed (an
operator's word, never an observed pass) and checks the evidence: users arriving in Workspace ONE.`,
		Example: "  flowsctl okta provisioning confirm -f flowsctl.yaml",
	}, runF, confirmRun)
}

func confirmRun(o *cmdutil.Common) error {
	cfg, _, d, err := graph(o)
	if err != nil {
		return err
	}
	p, err := steps.OktaProvisioning(d, setup.NewOutputs(cfg).Get())
	if err != nil {
		return err
	}
	if err := p.Confirm(time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(o.IO.ErrOut, "recorded: the provisioning of %q was set up in the Okta console; check it with: flowsctl okta verify\n", cfg.Okta.SCIMApp.Label)
	return nil
}
