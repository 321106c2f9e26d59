package setupcmd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// doctorFix is `doctor --fix`: from the checks of a first run, the steps that failed; apply
// them and the steps that need them (and nothing else), then run every check again. Exit 0
// only when every check that failed now passes. With --dry-run it prints the plan of that
// repair on stdout and writes nothing.
func doctorFix(opts *DoctorOptions, before []doctor.Check) error {
	cfg, g, err := opts.graph()
	if err != nil {
		return err
	}
	ids := g.IDs()
	var failedSteps, other []string
	var failed []doctor.Check
	for _, c := range before {
		if c.Status != doctor.Fail {
			continue
		}
		failed = append(failed, c)
		if step := stepOf(c.ID, ids); step != "" {
			if !slices.Contains(failedSteps, step) {
				failedSteps = append(failedSteps, step)
			}
		} else if !slices.Contains(other, c.ID) {
			other = append(other, c.ID)
		}
	}
	errOut := opts.IO.ErrOut
	if len(failed) == 0 {
		fmt.Fprintln(errOut, "doctor --fix: no check failed; nothing to repair.")
		if err := cmdutil.PrintChecks(opts.IO.Out, opts.Output(), before, 0, opts.Color()); err != nil {
			return err
		}
		return cmdutil.ChecksExit(before, false)
	}
	if len(other) > 0 {
		fmt.Fprintf(errOut, "doctor --fix: %s failed outside any step (the environment): apply cannot repair it; see each check's fix.\n", strings.Join(other, ", "))
	}
	targets := g.WithDependants(failedSteps)
	if len(targets) == 0 {
		if err := cmdutil.PrintChecks(opts.IO.Out, opts.Output(), before, 0, opts.Color()); err != nil {
			return err
		}
		return cmdutil.ChecksExit(before, false)
	}
	fmt.Fprintf(errOut, "doctor --fix: checks failed in %s; repairing %s\n", strings.Join(failedSteps, ", "), strings.Join(targets, ", "))
	ctx := opts.Context()
	if opts.DryRun {
		rs, err := g.Run(ctx, setup.ModePlan, setup.NewOutputs(cfg), setup.Options{Concurrency: opts.Concurrency, Only: targets})
		if err != nil {
			return err
		}
		rep := newPlanReport(rs)
		if err := cmdutil.Print(opts.IO.Out, planFormat(opts.Output()), rep, func(w io.Writer) error { return writePlanText(w, rs, rep.Summary) }); err != nil {
			return err
		}
		fmt.Fprintln(errOut, "doctor --fix --dry-run: nothing was changed; run without --dry-run to apply this plan.")
		if rep.Pending {
			return cmdutil.Silent(cmdutil.ExitPending)
		}
		return nil
	}
	p := newProgress(opts.IO, "repairing", opts.NoInput() || !opts.IO.CanPrompt())
	rs, err := g.Run(ctx, setup.ModeApply, setup.NewOutputs(cfg), setup.Options{Concurrency: opts.Concurrency, Only: targets, OnEvent: p.event})
	p.close()
	if err != nil {
		return err
	}
	for _, t := range toDo(rs) {
		fmt.Fprintf(errOut, "doctor --fix: %s is an operator step, still to do by hand (not done by --fix):\n%s\n", t.Step, indent(t.Checklist, "  "))
	}
	start := time.Now()
	after, _, err := Diagnose(ctx, opts)
	if err != nil {
		return err
	}
	if err := cmdutil.PrintChecks(opts.IO.Out, opts.Output(), after, time.Since(start).Milliseconds(), opts.Color()); err != nil {
		return err
	}
	var still, todo []string
	for _, b := range failed {
		for _, a := range after {
			if a.ID == b.ID && a.Title == b.Title {
				switch a.Status {
				case doctor.Fail:
					still = append(still, a.ID)
				case doctor.Todo:
					todo = append(todo, a.ID)
				}
				break
			}
		}
	}
	switch {
	case len(still) > 0:
		return cmdutil.Exit(cmdutil.ExitPending, fmt.Errorf("doctor --fix: still failing after the repair: %s (see each check's fix)", strings.Join(slices.Compact(still), ", ")))
	case len(todo) > 0:
		return cmdutil.Exit(cmdutil.ExitOperator, fmt.Errorf("doctor --fix: %s waits for an operator step (listed above); do it, then run flowsctl apply to record it", strings.Join(slices.Compact(todo), ", ")))
	}
	fmt.Fprintf(errOut, "doctor --fix: every check that failed now passes (%d repaired).\n", len(failed))
	return cmdutil.ChecksExit(after, false)
}

// stepOf is the step a check belongs to: the step ID that is the check ID or its prefix.
func stepOf(checkID string, ids []string) string {
	best := ""
	for _, id := range ids {
		if (checkID == id || strings.HasPrefix(checkID, id+".")) && len(id) > len(best) {
			best = id
		}
	}
	return best
}

// planFormat is the format of the --dry-run plan: plan has no junit or markdown, so those
// print the plan as text.
func planFormat(f string) string {
	if f == "junit" || f == "markdown" {
		return "text"
	}
	return f
}
