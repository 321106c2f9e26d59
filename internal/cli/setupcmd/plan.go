package setupcmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// PlanOptions configure `flowsctl plan`.
type PlanOptions struct {
	GraphOptions
}

// PlanReport is what `plan -o json|yaml` prints.
type PlanReport struct {
	Pending bool           `json:"pending" yaml:"pending"`
	Summary string         `json:"summary" yaml:"summary"`
	Steps   []setup.Result `json:"steps" yaml:"steps"`
}

// NewCmdPlan builds `flowsctl plan`.
func NewCmdPlan(f *cmdutil.Factory, runF func(*PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{GraphOptions: newGraphOptions(f)}
	return graphCommand(&cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change, step by step (read-only)",
		Long: `Plan looks up every object of every step by its natural key and shows what apply would do:
create, update (with a field-level diff), no-op, or operator (a console step a person must do).
It never writes. Exit status: 0 nothing to do, 2 changes (or operator steps) pending, 1 error.`,
		Example: `  flowsctl plan
  flowsctl plan -f sandbox/flowsctl.yaml -o json
  flowsctl plan --only access.template,uem.connectors`,
	}, opts, &opts.GraphOptions, runF, planRun, "plan only these steps (comma-separated IDs or prefixes, e.g. access,uem.boxer)", "steps looked up at once")
}

func planRun(opts *PlanOptions) error {
	g, out, fleet, err := opts.fleetOrGraph("plan", func(t GraphOptions) error { return planRun(&PlanOptions{GraphOptions: t}) })
	if fleet || err != nil {
		return err
	}
	ctx := opts.Context()
	rs, err := g.Run(ctx, setup.ModePlan, out, setup.Options{Concurrency: opts.Concurrency, Only: opts.only()})
	if err != nil {
		return err
	}
	rep := newPlanReport(rs)
	failed := false
	for _, r := range rs {
		if r.Status == setup.Failed || r.Status == setup.Cancelled {
			failed = true
		}
	}
	if err := cmdutil.Print(opts.IO.Out, opts.Output(), rep, func(w io.Writer) error { return writePlanText(w, rs, rep.Summary) }); err != nil {
		return err
	}
	switch {
	case ctx.Err() != nil:
		return cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("plan interrupted: %v", ctx.Err()))
	case failed:
		return cmdutil.Exit(setup.FailedCode(rs), fmt.Errorf("plan could not look up every step (see the errors above)"))
	case rep.Pending:
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}

func newPlanReport(rs []setup.Result) PlanReport {
	rep := PlanReport{Steps: rs, Summary: planSummary(rs)}
	for _, r := range rs {
		if r.Status == setup.Pending || r.Status == setup.Operator {
			rep.Pending = true
		}
	}
	return rep
}

func planSummary(rs []setup.Result) string {
	var change, op, same, skip, fail int
	for _, r := range rs {
		switch r.Status {
		case setup.Pending:
			change++
		case setup.Operator:
			op++
		case setup.Unchanged:
			same++
		case setup.Skipped:
			skip++
		case setup.Failed, setup.Cancelled:
			fail++
		}
	}
	s := fmt.Sprintf("%d to change, %d operator, %d unchanged, %d skipped", change, op, same, skip)
	if fail > 0 {
		s += fmt.Sprintf(", %d failed", fail)
	}
	return s
}

func writePlanText(w io.Writer, rs []setup.Result, summary string) error {
	for _, r := range rs {
		action := string(r.Status)
		switch r.Status {
		case setup.Pending:
			action = changeActions(r.Changes)
		case setup.Unchanged:
			action = "no-op"
		}
		fmt.Fprintf(w, "%-24s %s", r.ID, action)
		if r.Reason != "" {
			fmt.Fprintf(w, " (%s)", r.Reason)
		}
		fmt.Fprintln(w)
		if r.Error != "" {
			fmt.Fprintf(w, "    error: %s\n    fix:   %s\n", r.Error, r.Fix)
		}
		for _, c := range r.Changes {
			if c.Action == plan.NoOp && r.Status == setup.Unchanged {
				continue
			}
			for _, line := range strings.Split(c.String(), "\n") {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
	fmt.Fprintf(w, "\nPlan: %s.\n", summary)
	return nil
}

// changeActions names the distinct actions of a step's changes: "create", "update, create".
func changeActions(cs []plan.Change) string {
	var seen []string
	for _, c := range cs {
		if c.Action == plan.NoOp {
			continue
		}
		a := string(c.Action)
		dup := false
		for _, s := range seen {
			dup = dup || s == a
		}
		if !dup {
			seen = append(seen, a)
		}
	}
	if len(seen) == 0 {
		return "no-op"
	}
	return strings.Join(seen, ", ")
}

// graphCommand is cmd, plan or apply, running run, with the flags of a run over the step graph:
// --only (its words), --concurrency (8, what runs at once), --rotate and --parallel.
func graphCommand[P any](cmd *cobra.Command, opts P, g *GraphOptions, runF, run func(P) error, only, what string) *cobra.Command {
	cmdutil.Command(cmd, opts, &g.Common, runF, run)
	g.addRunFlags(cmd, only, 8, what)
	g.addRotateFlag(cmd)
	g.addFleetFlag(cmd)
	return cmd
}

// fleetOrGraph is how plan and apply begin: with several config files, run (the command's own
// run on a tenant's options) once per file, and fleet is true; else the step graph of the one
// tenant and the outputs its config seeds.
func (o *GraphOptions) fleetOrGraph(verb string, run func(GraphOptions) error) (g *setup.Graph, out *setup.Outputs, fleet bool, err error) {
	if fleet, err = o.fleet(verb, func(f *cmdutil.Factory, parent *GraphOptions) error { return run(parent.tenant(f)) }); fleet {
		return nil, nil, true, err
	}
	cfg, g, err := o.graph()
	if err != nil {
		return nil, nil, false, err
	}
	return g, setup.NewOutputs(cfg), false, nil
}
