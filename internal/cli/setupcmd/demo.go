package setupcmd

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// DemoOptions configure `flowsctl demo`.
type DemoOptions struct {
	cmdutil.Common
	Dir  string
	Keep bool
	// Emulators returns the emulators to serve (default emulators.All).
	Emulators func() []sandbox.Emulator
	// Steps builds the steps (default steps.Build).
	Steps func(d steps.Deps) ([]setup.Step, error)
}

// DemoReport is what `demo -o json|yaml` prints.
type DemoReport struct {
	OK       bool                `json:"ok" yaml:"ok"`
	Dir      string              `json:"dir,omitempty" yaml:"dir,omitempty"`
	Services map[string]string   `json:"services" yaml:"services"`
	Plan     PlanReport          `json:"plan" yaml:"plan"`
	Apply    ApplyReport         `json:"apply" yaml:"apply"`
	Doctor   cmdutil.CheckReport `json:"doctor" yaml:"doctor"`
	WallMs   int64               `json:"wallMs" yaml:"wallMs"`
}

// NewCmdDemo builds `flowsctl demo`.
func NewCmdDemo(f *cmdutil.Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "demo",
		Short: "The whole story against an in-process sandbox: plan, apply, doctor",
		Long: `Demo starts every emulated tenant API in-process (Entra ID, Graph, Workspace ONE Access, Identity
Services, UEM, mobile flows) on loopback HTTPS with a throw-away CA, writes a flowsctl.yaml for them
into a temporary directory, then runs plan, apply and doctor on it and shows what was created.
Nothing leaves this machine. For a sandbox that stays up, run: flowsctl sandbox up --dir ./sandbox`,
		Example: `  flowsctl demo
  flowsctl demo --keep            # keep the generated config and secrets to read them
  flowsctl demo -o json`,
	}, opts, &opts.Common, runF, demoRun)
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "directory for the generated files (default: a temporary directory, removed afterwards)")
	cmd.Flags().BoolVar(&opts.Keep, "keep", false, "keep the generated directory after the demo")
	return cmd
}

func demoRun(opts *DemoOptions) error {
	ctx := opts.Context()
	start := time.Now()
	errOut := opts.IO.ErrOut
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "flowsctl-demo-")
		if err != nil {
			return err
		}
		dir = d
		if !opts.Keep {
			defer os.RemoveAll(d)
		}
	}
	emus := emulators.All
	if opts.Emulators != nil {
		emus = opts.Emulators
	}
	es := emus()
	if len(es) == 0 {
		return fmt.Errorf("demo: this build has no emulators (pkg/sandbox/emulators.All is empty)")
	}
	sb, err := sandbox.Start(dir, es...)
	if err != nil {
		return fmt.Errorf("demo: start the sandbox: %w", err)
	}
	// Close without waiting long: the server's graceful shutdown waits for connections that
	// were dialled but never used; the process (or test) does not need to wait for them.
	defer func() {
		closed := make(chan struct{})
		go func() { sb.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(250 * time.Millisecond):
		}
	}()
	sb.ConsoleTodo = true // the demo ends with what is still to do by hand on a real tenant
	if err := sb.WriteFiles(); err != nil {
		return fmt.Errorf("demo: write the sandbox files to %s: %w", dir, err)
	}
	cfgPath := sb.ConfigPath()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return fmt.Errorf("demo: the generated config does not load: %w", err)
	}
	cfg.CAFile = sb.CAPath()
	// The global flags' user agent and --debug, the sandbox's CA (not --ca-file), short retries.
	ho := opts.HTTPOpts()
	ho.CAFile, ho.LoopbackCAPEM, ho.BaseDelay, ho.MaxDelay = "", sb.CA.CertPEM, 50*time.Millisecond, time.Second
	hc, err := httpx.New(ho)
	if err != nil {
		return err
	}
	rep := DemoReport{Dir: dir, Services: map[string]string{}}
	for _, n := range sb.Names() {
		rep.Services[n] = sb.Services[n].URL
	}
	fmt.Fprintf(errOut, "Sandbox: %d emulated services on loopback (%s); config %s\n", len(es), strings.Join(sb.Names(), ", "), cfgPath)

	g := GraphOptions{Common: cmdutil.Common{IO: opts.IO, Config: func() (*config.Config, error) { return cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return hc, nil }, Flags: &cmdutil.GlobalFlags{NoInput: true}, Ctx: ctx},
		Steps: opts.Steps, Concurrency: 8}
	_, graph, err := g.graph()
	if err != nil {
		return err
	}

	// 1. plan
	fmt.Fprintln(errOut, "\n== plan")
	prs, err := graph.Run(ctx, setup.ModePlan, setup.NewOutputs(cfg), setup.Options{Concurrency: 8})
	if err != nil {
		return err
	}
	rep.Plan = newPlanReport(prs)
	writePlanText(errOut, prs, rep.Plan.Summary)
	for _, r := range prs {
		if r.Status == setup.Failed || r.Status == setup.Cancelled {
			return cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("demo: plan failed at %s: %s (fix: %s)", r.ID, r.Error, r.Fix))
		}
	}

	// 2. apply
	fmt.Fprintln(errOut, "\n== apply")
	p := newProgress(opts.IO, "applying", true)
	ars, err := graph.Run(ctx, setup.ModeApply, setup.NewOutputs(cfg), setup.Options{Concurrency: 8, OnEvent: p.event})
	p.close()
	if err != nil {
		return err
	}
	rep.Apply = ApplyReport{Steps: ars, Summary: setup.SummaryLine(ars), ToDo: toDo(ars)}
	// Operator steps stay to do in a demo (no one does console work on an emulator): they are
	// listed at the end, as apply lists them; anything else that stops apply fails the demo.
	if err := applyExit(ars, ctx.Err()); err != nil && cmdutil.CodeOf(err) != cmdutil.ExitOperator {
		writeApplyText(errOut, ars)
		return cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("demo: %w", err))
	}

	// 3. doctor
	fmt.Fprintln(errOut, "\n== doctor")
	d := &DoctorOptions{GraphOptions: g, ProbeTimeout: 30 * time.Second}
	d.Concurrency = 16
	checks, wall, err := Diagnose(ctx, d)
	if err != nil {
		return err
	}
	rep.Doctor = cmdutil.NewCheckReport(checks, wall)
	fmt.Fprintf(errOut, "doctor: %d checks: %s (%s)\n", len(checks), rep.Doctor.Summary.Counts(), ms(wall))
	if doctor.Failed(checks) {
		doctor.WriteText(errOut, onlyFailed(checks), false) // stderr: no colour codes in logs
	}
	rep.OK = !doctor.Failed(checks)
	rep.WallMs = time.Since(start).Milliseconds()

	if err := cmdutil.Print(opts.IO.Out, opts.Output(), rep, func(w io.Writer) error { return writeDemoText(w, rep, sb, opts.Keep || opts.Dir != "") }); err != nil {
		return err
	}
	if !rep.OK {
		return cmdutil.Exit(cmdutil.ExitFailure, fmt.Errorf("demo: doctor found failures after apply (see above)"))
	}
	return nil
}

func onlyFailed(cs []doctor.Check) []doctor.Check {
	var out []doctor.Check
	for _, c := range cs {
		if c.Status == doctor.Fail {
			out = append(out, c)
		}
	}
	return out
}

func writeDemoText(w io.Writer, rep DemoReport, sb *sandbox.Sandbox, kept bool) error {
	fmt.Fprintf(w, "flowsctl demo: plan -> apply -> doctor against %d emulated services in %s\n\n", len(rep.Services), ms(rep.WallMs))
	fmt.Fprintln(w, "Created or converged:")
	for _, r := range rep.Apply.Steps {
		if r.Status == setup.Skipped {
			fmt.Fprintf(w, "  %-24s skipped: %s\n", r.ID, r.Reason)
			continue
		}
		if len(r.Objects) == 0 {
			fmt.Fprintf(w, "  %-24s %s (%d requests)\n", r.ID, r.Status, r.Requests)
		}
		for i, o := range r.Objects {
			id := r.ID
			if i > 0 {
				id = ""
			}
			fmt.Fprintf(w, "  %-24s %s\n", id, objectLabel(o))
		}
	}
	fmt.Fprintf(w, "\ndoctor: %s.\n", rep.Doctor.Summary.Counts())
	writeToDo(w, rep.Apply.ToDo)
	fmt.Fprintln(w, "\nHow to look at it:")
	names := make([]string, 0, len(rep.Services))
	for k := range rep.Services {
		names = append(names, k)
	}
	sort.Strings(names)
	if kept {
		fmt.Fprintf(w, "  config and secrets:  %s (kept)\n", rep.Dir)
	}
	fmt.Fprintln(w, "  this sandbox stopped with the demo; for one that stays up:")
	fmt.Fprintln(w, "    flowsctl sandbox up --dir ./sandbox &")
	fmt.Fprintln(w, "    flowsctl plan   -f ./sandbox/flowsctl.yaml")
	fmt.Fprintln(w, "    flowsctl apply  -f ./sandbox/flowsctl.yaml")
	fmt.Fprintln(w, "    flowsctl doctor -f ./sandbox/flowsctl.yaml")
	fmt.Fprintln(w, "  each service's objects and request log, while it runs:")
	fmt.Fprintln(w, "    curl --cacert ./sandbox/ca.pem <service url>/_sandbox/state      (services: "+strings.Join(names, ", ")+")")
	fmt.Fprintln(w, "    curl --cacert ./sandbox/ca.pem <service url>/_sandbox/requests")
	return nil
}
