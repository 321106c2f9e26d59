package setupcmd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// DoctorOptions configure `flowsctl doctor`.
type DoctorOptions struct {
	GraphOptions
	// ProbeTimeout bounds each environment probe.
	ProbeTimeout time.Duration
	// Env overrides environment-check options (tests).
	Env setup.EnvOptions
	// Strict fails on operator steps still to do, as CI should.
	Strict bool
	// Fix is --fix: re-apply the steps whose checks failed (and their dependants), then verify
	// again; DryRun (--dry-run) shows that plan instead.
	Fix    bool
	DryRun bool
}

// NewCmdDoctor builds `flowsctl doctor`.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*DoctorOptions) error) *cobra.Command {
	opts := &DoctorOptions{GraphOptions: newGraphOptions(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "doctor",
		Short: "Verify every step and the environment; non-zero exit on failure (for CI)",
		Long: `Doctor runs, concurrently, every step's checks (the objects apply manages exist and match the
config) and environment checks:

  - reachability of every endpoint flowsctl calls for the config (Entra, Graph, Access, Identity
    Services, UEM, the mobile flows admin API): DNS, TLS (with --ca-file / uem.caFile trust), HTTP;
  - clock skew against each server's Date header (warn > 30s, fail > 5m);
  - the secrets the config references: set, readable, files mode 0600; tokens not expired
    (warn inside doctor.warnSecretExpiryBefore, default 30d);
  - UEM answers with the configured credentials and its console release supports mobile flows;
  - when the config is NOT all-loopback (a real tenant rather than the sandbox), also the hosts the
    tenant's services depend on although flowsctl does not call them: prod.hero.vmwservices.com,
    graph.microsoft.com, login.microsoftonline.com, uem.mobileFlows.host and the Okta issuer.
    A config whose every endpoint flowsctl calls is on 127.0.0.1, ::1 or localhost is a sandbox
    rehearsal and must work offline, so those hosts are not probed for it.

Every failing check names the fix: a command or a console path. A check is "pass" only when flowsctl
observed it through an API; an operator's word for a console step is "confirmed", and a console step not
done yet is "todo" (neither is ever counted as a pass).
Exit status: 0 when nothing failed (warnings allowed), 2 when a check failed (or, with --strict, while
an operator step is still to do), 1 on an error.`,
		Example: `  flowsctl doctor
  flowsctl doctor -o junit > doctor.xml          # CI: see docs/ci.md
  flowsctl doctor --strict                       # CI: also fail while a console step is to do
  flowsctl doctor --only access.template,env     # one step and the environment checks
  flowsctl doctor --fix --dry-run                # what a repair of the failed steps would change
  flowsctl doctor --fix                          # repair only what failed, then check again
  flowsctl doctor -f tenants/ -o junit           # a fleet: one test suite per tenant`,
	}, opts, &opts.Common, runF, doctorRun)
	opts.addRunFlags(cmd, "check only these steps (IDs or prefixes); \"env\" selects the environment checks", 16, "checks run at once")
	opts.addFleetFlag(cmd)
	cmd.Flags().BoolVar(&opts.Fix, "fix", false, "apply only the steps whose checks failed (and the steps that need them), then check again")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --fix: print the plan of that repair and change nothing")
	cmd.Flags().DurationVar(&opts.ProbeTimeout, "probe-timeout", 30*time.Second, "time limit for each environment check")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "exit 2 also while an operator step is still to do by hand (for CI: green means everything is done)")
	return cmd
}

// Diagnose runs every check and returns them in a stable order (environment first, then steps in
// graph order) with the wall time of the whole run.
func Diagnose(ctx context.Context, opts *DoctorOptions) ([]doctor.Check, int64, error) {
	cfg, g, deps, err := opts.graphDeps()
	if err != nil {
		return nil, 0, err
	}
	hc := deps.HTTP
	only := opts.only()
	var stepOnly []string
	wantEnv := len(only) == 0
	for _, id := range only {
		if id == "env" || strings.HasPrefix(id, "env.") {
			wantEnv = true
		} else {
			stepOnly = append(stepOnly, id)
		}
	}
	wantSteps := len(only) == 0 || len(stepOnly) > 0
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 16
	}
	start := time.Now()
	var envChecks []doctor.Check
	var wg sync.WaitGroup
	var sel []doctor.Probe
	if wantEnv {
		for _, p := range setup.EnvProbes(cfg, hc, opts.Env) {
			if len(only) == 0 || matchesOnly(p.ID, only) {
				sel = append(sel, p)
			}
		}
	}
	// Service-level probes (UEM reachable and its version) go with their service's steps.
	for _, p := range steps.Probes(deps) {
		if len(only) == 0 || matchesOnly(p.ID, only) || matchesOnly(p.ID, stepOnly) || prefixOf(p.ID, stepOnly) {
			sel = append(sel, p)
		}
	}
	if len(sel) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			envChecks = doctor.Run(ctx, sel, doctor.Options{Timeout: opts.ProbeTimeout, Concurrency: conc})
		}()
	}
	var rs []setup.Result
	var runErr error
	if wantSteps {
		rs, runErr = g.Run(ctx, setup.ModeVerify, setup.NewOutputs(cfg), setup.Options{Concurrency: conc, Only: stepOnly})
	}
	wg.Wait()
	if runErr != nil {
		return nil, 0, runErr
	}
	checks := append([]doctor.Check(nil), envChecks...)
	for _, r := range rs {
		checks = append(checks, stepChecks(r)...)
	}
	return checks, time.Since(start).Milliseconds(), nil
}

// prefixOf: --only uem.boxer also runs the uem.reachable probe (same service).
func prefixOf(id string, only []string) bool {
	svc, _, _ := strings.Cut(id, ".")
	for _, o := range only {
		if s, _, _ := strings.Cut(o, "."); s == svc {
			return true
		}
	}
	return false
}

func matchesOnly(id string, only []string) bool {
	for _, o := range only {
		if id == o || strings.HasPrefix(id, o+".") {
			return true
		}
	}
	return false
}

// stepChecks turns a verify result into checks: a skipped step becomes one skip check, a step
// that returned nothing one pass check, and every check gets the step's duration when it has none.
func stepChecks(r setup.Result) []doctor.Check {
	switch {
	case r.Status == setup.Skipped:
		return []doctor.Check{{ID: r.ID, Title: r.ID + " is configured", Status: doctor.Skip, Detail: r.Reason}}
	case r.Status == setup.Cancelled:
		return []doctor.Check{{ID: r.ID, Title: r.ID, Status: doctor.Fail, Detail: "interrupted: " + r.Reason, Fix: "re-run flowsctl doctor"}}
	case len(r.Checks) == 0:
		return []doctor.Check{{ID: r.ID, Title: r.ID + " verified", Status: doctor.Pass, DurationMs: r.DurationMs}}
	}
	out := make([]doctor.Check, len(r.Checks))
	for i, c := range r.Checks {
		if c.ID == "" {
			c.ID = r.ID
		}
		if c.DurationMs == 0 {
			c.DurationMs = r.DurationMs
		}
		if c.Status == doctor.Fail && c.Fix == "" {
			c.Fix = "run: flowsctl apply --only " + r.ID
		}
		out[i] = c
	}
	return out
}

func doctorRun(opts *DoctorOptions) error {
	if ok, err := opts.fleet("doctor", func(f *cmdutil.Factory, g *GraphOptions) error {
		t := *opts
		t.GraphOptions = g.tenant(f)
		return doctorRun(&t)
	}); ok {
		return err
	}
	if opts.DryRun && !opts.Fix {
		return cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("--dry-run goes with --fix (doctor alone never writes): flowsctl doctor --fix --dry-run"))
	}
	checks, wall, err := Diagnose(opts.Context(), opts)
	if err != nil {
		return err
	}
	if opts.Fix {
		return doctorFix(opts, checks)
	}
	if err := cmdutil.PrintChecks(opts.IO.Out, opts.Output(), checks, wall, opts.Color()); err != nil {
		return err
	}
	if opts.Strict && doctor.Summarize(checks).Todo > 0 {
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return cmdutil.ChecksExit(checks, false)
}
