// Package setupcmd holds the end-to-end commands: init, plan, apply, doctor and demo. They run
// the step graph of pkg/setup over the steps pkg/setup/steps builds from the config.
package setupcmd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// GraphOptions are shared by plan, apply and doctor: the common dependencies and global flags,
// where the steps come from, and the flags of the step runner.
type GraphOptions struct {
	cmdutil.Common
	// Steps builds the steps (tests substitute fakes); default steps.Build.
	Steps func(d steps.Deps) ([]setup.Step, error)

	// Only is --only (IDs or prefixes; comma-separated values are split).
	Only        []string
	Concurrency int
	ShowSecret  bool
	// Rotate is --rotate (plan and apply): credentials apply may replace although another
	// system may hold them.
	Rotate []string
	// Parallel is --parallel: tenants run at once in a fleet.
	Parallel int
	// Factory makes each fleet tenant's own factory (nil in tests without one).
	Factory *cmdutil.Factory
}

// addRotateFlag adds --rotate to plan and apply.
func (o *GraphOptions) addRotateFlag(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&o.Rotate, "rotate", nil, "replace these credentials even though another system may hold them ("+
		strings.Join(steps.RotatableSteps, ", ")+"); the output says what to re-paste where")
}

func newGraphOptions(f *cmdutil.Factory) GraphOptions {
	return GraphOptions{Common: cmdutil.NewCommon(f), Factory: f}
}

// tenant is o for one tenant of a fleet: the same flags, the tenant's own dependencies.
func (o GraphOptions) tenant(f *cmdutil.Factory) GraphOptions {
	t := o
	t.Common = cmdutil.NewCommon(f)
	t.Ctx = o.Ctx
	t.Factory = nil
	return t
}

// addRunFlags adds --only and --concurrency with the defaults and words of one command.
func (o *GraphOptions) addRunFlags(cmd *cobra.Command, only string, concurrency int, what string) {
	cmd.Flags().StringSliceVar(&o.Only, "only", nil, only)
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", concurrency, what)
}

// only is --only with every value split on commas and trimmed.
func (o *GraphOptions) only() []string { return splitOnly(o.Only) }

// graph loads the config and builds the step graph.
func (o *GraphOptions) graph() (*config.Config, *setup.Graph, error) {
	cfg, g, _, err := o.graphDeps()
	return cfg, g, err
}

func (o *GraphOptions) graphDeps() (*config.Config, *setup.Graph, steps.Deps, error) {
	cfg, d, err := o.deps()
	if err != nil {
		return nil, nil, d, err
	}
	build := o.Steps
	if build == nil {
		build = steps.Build
	}
	ss, err := build(d)
	if err != nil {
		return nil, nil, d, err
	}
	g, err := setup.NewGraph(ss...)
	if err != nil {
		return nil, nil, d, err
	}
	return cfg, g, d, nil
}

// deps loads the config and the HTTP stack for the step adapters.
func (o *GraphOptions) deps() (*config.Config, steps.Deps, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, steps.Deps{}, err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return nil, steps.Deps{}, err
	}
	p, ho := o.Prompt(), o.HTTPOptsFor(cfg)
	errOut := o.IO.ErrOut
	if o.ShowSecret {
		errOut = o.IO.SecretErrOut() // --show-secret: checklists show the secret they name
	}
	rot := splitOnly(o.Rotate)
	for _, r := range rot {
		if !slices.Contains(steps.RotatableSteps, r) {
			return nil, steps.Deps{}, cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("--rotate %s: not a credential flowsctl rotates; use one of %s", r, strings.Join(steps.RotatableSteps, ", ")))
		}
	}
	return cfg, steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: ho, ErrOut: o.IO.Messages(errOut), Prompter: p, NoInput: o.NoInput(), ShowSecret: o.ShowSecret, Rotate: rot}, nil
}

// splitOnly reads --only a,b --only c.
func splitOnly(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// progress writes one line per finished step on stderr; on a terminal a spinner under them
// names the running steps (iostreams draws it, only on a TTY and not in CI).
type progress struct {
	sp      *iostreams.Spinner
	cs      *iostreams.ColorScheme
	verb    string
	mu      sync.Mutex
	running map[string]bool
}

// newProgress starts the progress of a run; spin is false when a question may be asked on the
// terminal (no spinner over it).
func newProgress(ios *iostreams.IOStreams, verb string, spin bool) *progress {
	p := &progress{cs: ios.ColorScheme(), verb: verb, running: map[string]bool{}}
	if spin {
		p.sp = ios.StartSpinner("")
	} else {
		p.sp = ios.Lines()
	}
	return p
}

// mark is the status mark of a step result, from iostreams' one set of marks.
func mark(cs *iostreams.ColorScheme, s setup.Status) string {
	switch s {
	case setup.Done, setup.Unchanged, setup.Checked:
		return cs.SuccessIcon()
	case setup.Read:
		return cs.InfoIcon()
	case setup.Pending:
		return cs.PendingIcon()
	case setup.Operator:
		return cs.TodoIcon() // the mark doctor gives an operator step still to do

	case setup.Skipped:
		return cs.SkipIcon()
	}
	return cs.FailureIcon()
}

func (p *progress) event(e setup.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case setup.EventStart:
		p.running[e.Step] = true
	case setup.EventDone:
		delete(p.running, e.Step)
		r := e.Result
		line := fmt.Sprintf("%s %-24s %s", mark(p.cs, r.Status), r.ID, r.Status)
		switch r.Status {
		case setup.Skipped, setup.Cancelled:
			if r.Reason != "" {
				line += ": " + r.Reason
			}
		case setup.Failed:
			line += fmt.Sprintf(" after %s: %s", ms(r.DurationMs), r.Error)
		default:
			line += fmt.Sprintf(" (%s, %d requests)", ms(r.DurationMs), r.Requests)
		}
		p.sp.Println(line)
	}
	label := ""
	if len(p.running) > 0 {
		names := slices.Sorted(maps.Keys(p.running))
		label = p.verb + " " + strings.Join(names, ", ")
	}
	p.sp.SetLabel(label)
}

func (p *progress) close() { p.sp.Stop("") }

func ms(n int64) string {
	d := time.Duration(n) * time.Millisecond
	if d < time.Second {
		return fmt.Sprintf("%dms", n)
	}
	return d.Round(10 * time.Millisecond).String()
}
