// Package cli is the cobra command tree of flowsctl.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Command annotations the root understands.
const (
	// AnnotationNoTimeout marks a command that runs until interrupted (sandbox up): the default
	// --timeout does not apply to it, an explicit --timeout does.
	AnnotationNoTimeout = cmdutil.AnnotationNoTimeout
	// AnnotationJUnit marks a command that accepts -o junit (doctor and verify are known by name).
	AnnotationJUnit = cmdutil.AnnotationJUnit
)

// Nouns may have their own PersistentPreRun without skipping the root's.
func init() { cobra.EnableTraverseRunHooks = true }

// DefaultTimeout is the --timeout default.
const DefaultTimeout = 10 * time.Minute

// NewCmdRoot builds the whole tree. Each noun lives in its own file or package and is added in commands.go.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd, _ := newCmdRoot(f)
	return cmd
}

// newCmdRoot also returns a func that releases the --timeout context once the command returns.
func newCmdRoot(f *cmdutil.Factory) (*cobra.Command, func()) {
	cmd := &cobra.Command{
		Use:   "flowsctl <command>",
		Short: "Set up Workspace ONE mobile flows and SCIM provisioning end to end, and prove it works",
		Long: `flowsctl takes a Workspace ONE tenant from nothing to working mobile flows with Microsoft Teams
and SCIM provisioning from Okta: Entra ID app registration, Workspace ONE Access template, clients and
directories, UEM connectors and Boxer configuration, Identity Services. It plans, applies idempotently,
and verifies every step with doctor.

Global flags can also be set in the environment: FLOWSCTL_FILE, FLOWSCTL_OUTPUT, FLOWSCTL_TIMEOUT,
FLOWSCTL_CA_FILE, FLOWSCTL_DEBUG=1, FLOWSCTL_NO_INPUT=1. A flag on the command line wins over the
environment, which wins over the config file.`,
		Example: `  flowsctl demo                 # the whole story against an in-process sandbox
  flowsctl init                 # write flowsctl.yaml with a wizard
  flowsctl plan && flowsctl apply
  flowsctl doctor -o junit > doctor.xml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.CompletionOptions.DisableDefaultCmd = true // our own completion command has an example and docs
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SetIn(f.IO.In)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see: %s --help)", err, c.CommandPath())
	})
	fl := f.Flags
	pf := cmd.PersistentFlags()
	// Defaults are literal so that --help and the generated docs do not depend on the environment;
	// FLOWSCTL_* values are applied in PersistentPreRunE when the flag was not given.
	fl.File = config.DefaultFile
	pf.VarP(&cmdutil.FileFlag{Flags: fl}, "file", "f", "config file (env FLOWSCTL_FILE); plan, apply and doctor also take a folder of them, a glob, or several -f: one run per tenant")
	pf.StringVarP(&fl.Output, "output", "o", "text", "output format: text, json or yaml; commands that print checks (doctor, every verify, scim test, uem integration check) also junit and markdown (env FLOWSCTL_OUTPUT)")
	pf.BoolVar(&fl.NoInput, "no-input", false, "never prompt (implied when stdin is not a terminal or CI=true) (env FLOWSCTL_NO_INPUT=1)")
	pf.BoolVar(&fl.Debug, "debug", false, "trace HTTP requests on stderr, secrets redacted (env FLOWSCTL_DEBUG=1)")
	pf.DurationVar(&fl.Timeout, "timeout", DefaultTimeout, "overall time limit for the command, e.g. 90s, 30m (env FLOWSCTL_TIMEOUT)")
	pf.StringVar(&fl.CAFile, "ca-file", "", "PEM bundle of extra CAs to trust (env FLOWSCTL_CA_FILE)")

	var cancel context.CancelFunc
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if err := applyEnv(c, fl); err != nil {
			return err
		}
		if err := checkOutput(c, fl.Output); err != nil {
			return err
		}
		if !f.IO.CanPrompt() {
			fl.NoInput = true
		}
		if fl.Timeout < 0 {
			return fmt.Errorf("--timeout %v: must be positive (or 0 for no limit)", fl.Timeout)
		}
		explicit := c.Flags().Changed("timeout") || os.Getenv("FLOWSCTL_TIMEOUT") != ""
		if fl.Timeout > 0 && (explicit || c.Annotations[AnnotationNoTimeout] == "") {
			ctx := c.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, cancel = context.WithTimeout(ctx, fl.Timeout)
			c.SetContext(ctx)
		}
		return nil
	}

	addCommands(cmd, f)
	return cmd, func() {
		if cancel != nil {
			cancel()
		}
	}
}

// applyEnv fills flags not given on the command line from FLOWSCTL_* variables.
func applyEnv(c *cobra.Command, fl *cmdutil.GlobalFlags) error {
	set := func(flag, env string, apply func(v string) error) error {
		v, ok := os.LookupEnv(env)
		if !ok || v == "" || c.Flags().Changed(flag) {
			return nil
		}
		if err := apply(v); err != nil {
			return fmt.Errorf("%s=%q: %v", env, v, err)
		}
		return nil
	}
	boolean := func(dst *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("use 1 or 0")
			}
			*dst = b
			return nil
		}
	}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	return errors.Join(
		set("file", "FLOWSCTL_FILE", func(v string) error { fl.File, fl.Files = v, []string{v}; return nil }),
		set("output", "FLOWSCTL_OUTPUT", str(&fl.Output)),
		set("ca-file", "FLOWSCTL_CA_FILE", str(&fl.CAFile)),
		set("debug", "FLOWSCTL_DEBUG", boolean(&fl.Debug)),
		set("no-input", "FLOWSCTL_NO_INPUT", boolean(&fl.NoInput)),
		set("timeout", "FLOWSCTL_TIMEOUT", func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return errors.New("use a Go duration such as 90s or 30m")
			}
			fl.Timeout = d
			return nil
		}),
	)
}

// checkOutput validates -o for the command that runs.
func checkOutput(c *cobra.Command, format string) error {
	switch format {
	case "text", "json", "yaml":
		return nil
	case "junit", "markdown":
		if cmdutil.AcceptsJUnit(c) {
			return nil
		}
		return fmt.Errorf("--output %s is only for commands that print checks (doctor, every verify, scim test, uem integration check); use text, json or yaml for %s", format, c.CommandPath())
	}
	return fmt.Errorf("--output %q: use text, json or yaml", format)
}

// Execute runs the tree for main and returns the process exit code.
func Execute(build cmdutil.BuildInfo) int {
	f := NewFactory(iostreams.System(), build)
	// Everything the process prints passes the run's redactor: a secret a server echoed back
	// into an answer never reaches the terminal or a CI log.
	f.IO.MaskWith(f.Redactor.Writer)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C the command winds down; a second one kills the process.
	go func() { <-ctx.Done(); stop() }()
	return run(ctx, f, os.Args[1:])
}

// run executes args and maps the outcome to an exit code; extra commands are added to the root (tests).
func run(ctx context.Context, f *cmdutil.Factory, args []string, extra ...*cobra.Command) int {
	root, release := newCmdRoot(f)
	root.AddCommand(extra...)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	release()
	return exitCode(f, err, ctx.Err() != nil)
}

// exitCode prints err (unless it is a silent exit) with the hint that fits, and returns the code:
// the command's own code, or 130 when a failure followed an interrupt.
func exitCode(f *cmdutil.Factory, err error, interruptedCtx bool) int {
	code := cmdutil.CodeOf(err)
	if err == nil {
		return code
	}
	errOut := f.IO.ErrOut
	interrupted := interruptedCtx && code == cmdutil.ExitFailure
	var ee *cmdutil.ExitError
	silent := errors.As(err, &ee) && ee.Err == nil
	if !silent && !(interrupted && errors.Is(err, context.Canceled)) {
		msg := err.Error()
		if f.Redactor != nil {
			msg = f.Redactor.Mask(msg) // a server may echo a credential into its error
		}
		fmt.Fprintln(errOut, "error:", msg)
	}
	switch {
	case interrupted:
		fmt.Fprintln(errOut, "interrupted: re-run the same command to resume; every step looks up before it writes")
		return 130
	case code == cmdutil.ExitFailure && errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(errOut, "timed out after %v: re-run with a longer --timeout (e.g. --timeout %v); finished steps are not repeated\n",
			f.Flags.Timeout, 2*f.Flags.Timeout)
	}
	return code
}
