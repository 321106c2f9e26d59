package setupcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// ApplyOptions configure `flowsctl apply`.
type ApplyOptions struct {
	GraphOptions
}

// ApplyReport is what `apply -o json|yaml` prints: one entry per step.
type ApplyReport struct {
	Summary string         `json:"summary" yaml:"summary"`
	Steps   []setup.Result `json:"steps" yaml:"steps"`
	// ToDo is every operator step that remains, in order: what to do by hand, with its
	// checklist (values filled in, secrets named by where they are) and how to record it.
	ToDo []ToDo `json:"toDo" yaml:"toDo"`
}

// ToDo is one operator step still to do by hand.
type ToDo struct {
	Step      string `json:"step" yaml:"step"`
	Checklist string `json:"checklist" yaml:"checklist"`
}

// toDo lists the operator steps of a run.
func toDo(rs []setup.Result) []ToDo {
	out := []ToDo{}
	for _, r := range rs {
		if r.Operator != "" {
			out = append(out, ToDo{Step: r.ID, Checklist: r.Operator})
		}
	}
	return out
}

// writeToDo ends the text output with the numbered list of what is still to do by hand.
func writeToDo(w io.Writer, items []ToDo) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\nStill to do by hand (%d):\n", len(items))
	for i, t := range items {
		fmt.Fprintf(w, "\n%d. %s\n%s\n", i+1, t.Step, indent(strings.TrimRight(t.Checklist, "\n"), "   "))
	}
}

// NewCmdApply builds `flowsctl apply`.
func NewCmdApply(f *cmdutil.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{GraphOptions: newGraphOptions(f)}
	cmd := graphCommand(&cobra.Command{
		Use:   "apply",
		Short: "Converge every step: create or update what differs, safe to re-run",
		Long: `Apply looks up each object by its natural key, creates what is missing and patches what differs.
Independent steps run concurrently; a step that fails stops only the steps that need its outputs,
and a re-run resumes where it stopped. Operator steps (console work with no public API) print a
checklist with every value filled in and ask for confirmation; with --no-input they stay pending.

Exit status: 0 done, 1 a step failed, 3 an operator step is pending.`,
		Example: `  flowsctl apply
  flowsctl apply -f sandbox/flowsctl.yaml -o json
  flowsctl apply --only uem.connectors          # reads azure.app's outputs, does not re-apply it
  CI=true flowsctl apply --no-input`,
	}, opts, &opts.GraphOptions, runF, applyRun, "apply only these steps (comma-separated IDs or prefixes); their dependencies are read, not applied", "steps applied at once")
	cmd.Flags().BoolVar(&opts.ShowSecret, "show-secret", false, "let operator checklists print secret values (otherwise they name where the secret is)")
	return cmd
}

func applyRun(opts *ApplyOptions) error {
	g, out, fleet, err := opts.fleetOrGraph("apply", func(t GraphOptions) error { return applyRun(&ApplyOptions{GraphOptions: t}) })
	if fleet || err != nil {
		return err
	}
	ctx := opts.Context()
	// An operator step may ask for confirmation on this terminal: no spinner over the question.
	p := newProgress(opts.IO, "applying", opts.NoInput() || !opts.IO.CanPrompt())
	rs, err := g.Run(ctx, setup.ModeApply, out, setup.Options{Concurrency: opts.Concurrency, Only: opts.only(), OnEvent: p.event})
	p.close()
	if err != nil {
		return err
	}
	rep := ApplyReport{Steps: rs, Summary: setup.SummaryLine(rs), ToDo: toDo(rs)}
	if err := cmdutil.Print(opts.IO.Out, opts.Output(), rep, func(w io.Writer) error { return writeApplyText(w, rs) }); err != nil {
		return err
	}
	return applyExit(rs, ctx.Err())
}

// applyExit maps results to the exit status: 1 on any failure or interruption, 3 when an operator
// step is pending, 0 otherwise.
func applyExit(rs []setup.Result, ctxErr error) error {
	var failed, operator []string
	for _, r := range rs {
		switch r.Status {
		case setup.Failed, setup.Cancelled:
			failed = append(failed, r.ID)
		case setup.Operator:
			operator = append(operator, r.ID)
		}
	}
	switch {
	case ctxErr != nil:
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return cmdutil.Exit(cmdutil.ExitFailure, errors.New("apply stopped at its --timeout: re-run the same command to resume (finished steps are not redone), or raise --timeout"))
		}
		return cmdutil.Exit(cmdutil.ExitFailure, errors.New("apply interrupted"))
	case len(failed) > 0:
		return cmdutil.Exit(setup.FailedCode(rs), fmt.Errorf("apply failed at %s: fix the errors above, then re-run flowsctl apply (finished steps are not redone)", strings.Join(failed, ", ")))
	case len(operator) > 0:
		return cmdutil.Exit(cmdutil.ExitOperator, fmt.Errorf("operator step pending: %s; do the checklist, then re-run flowsctl apply (interactively to confirm)", strings.Join(operator, ", ")))
	}
	return nil
}

func writeApplyText(w io.Writer, rs []setup.Result) error {
	tab := cmdutil.NewTable(w, "STEP", "STATUS", "REQUESTS", "TIME", "OBJECTS")
	for _, r := range rs {
		var objs []string
		for _, o := range r.Objects {
			objs = append(objs, objectLabel(o))
		}
		obj := strings.Join(objs, "; ")
		if obj == "" && r.Reason != "" {
			obj = r.Reason
		}
		tab.Row(r.ID, r.Status, r.Requests, ms(r.DurationMs), obj)
	}
	tab.Flush()
	for _, r := range rs {
		if r.Error != "" {
			verb := "failed"
			if r.Status == setup.Cancelled {
				verb = "was interrupted"
			}
			fmt.Fprintf(w, "\n%s %s: %s\n  fix: %s\n", r.ID, verb, strings.TrimPrefix(r.Error, "interrupted: "), r.Fix)
		}
	}
	writeToDo(w, toDo(rs))
	fmt.Fprintf(w, "\nApply: %s.\n", setup.SummaryLine(rs))
	return nil
}

// objectLabel names an object a step touched: "template MobileFlows (id 42)".
func objectLabel(o setup.Object) string {
	s := o.Kind + " " + o.Key
	if o.ID != "" && o.ID != o.Key {
		s += " (id " + o.ID + ")"
	}
	return s
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}
