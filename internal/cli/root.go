// Package cli is the cobra command tree of flowsctl.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
)

// NewCmdRoot builds the whole tree. Each noun lives in its own file or package and is added here.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flowsctl <command>",
		Short: "Set up Workspace ONE mobile flows and SCIM provisioning end to end, and prove it works",
		Long: `flowsctl takes a Workspace ONE tenant from nothing to working mobile flows with Microsoft Teams
and SCIM provisioning from Okta: Entra ID app registration, Workspace ONE Access template, clients and
directories, UEM connectors and Boxer configuration, Identity Services. It plans, applies idempotently,
and verifies every step with doctor.`,
		Example: `  flowsctl demo                 # the whole story against an in-process sandbox
  flowsctl init                 # write flowsctl.yaml with a wizard
  flowsctl plan && flowsctl apply
  flowsctl doctor -o junit > doctor.xml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	fl := f.Flags
	pf := cmd.PersistentFlags()
	pf.StringVarP(&fl.File, "file", "f", envOr("FLOWSCTL_FILE", "flowsctl.yaml"), "config file (env FLOWSCTL_FILE)")
	pf.StringVarP(&fl.Output, "output", "o", envOr("FLOWSCTL_OUTPUT", "text"), "output format: text, json or yaml (doctor also junit)")
	pf.BoolVar(&fl.NoInput, "no-input", false, "never prompt (implied when stdin is not a terminal or CI=true)")
	pf.BoolVar(&fl.Debug, "debug", os.Getenv("FLOWSCTL_DEBUG") == "1", "trace HTTP requests on stderr, secrets redacted")
	pf.DurationVar(&fl.Timeout, "timeout", 10*time.Minute, "overall time limit for the command")
	pf.StringVar(&fl.CAFile, "ca-file", os.Getenv("FLOWSCTL_CA_FILE"), "PEM bundle of extra CAs to trust (env FLOWSCTL_CA_FILE)")

	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		switch fl.Output {
		case "text", "json", "yaml", "junit":
		default:
			return fmt.Errorf("--output %q: use text, json or yaml", fl.Output)
		}
		if fl.Output == "junit" && c.Name() != "doctor" && c.Name() != "verify" && c.Name() != "test" {
			return fmt.Errorf("--output junit is only for doctor, verify and scim test")
		}
		if !f.IO.CanPrompt() {
			fl.NoInput = true
		}
		return nil
	}

	addCommands(cmd, f)
	return cmd
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Execute runs the tree for main and returns the process exit code.
func Execute(build cmdutil.BuildInfo) int {
	io := iostreams.System()
	f := NewFactory(io, build)
	root := NewCmdRoot(f)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.Flags.Timeout > 0 {
		// The timeout flag is parsed during Execute; a context deadline is applied per command via cmdutil.Context.
	}
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *cmdutil.ExitError
		if !(errors.As(err, &ee) && ee.Err == nil) {
			fmt.Fprintln(io.ErrOut, "error:", err)
		}
		if ctx.Err() != nil && cmdutil.CodeOf(err) == cmdutil.ExitFailure {
			fmt.Fprintln(io.ErrOut, "interrupted: re-run the same command to resume; every step looks up before it writes")
			return 130
		}
	}
	return cmdutil.CodeOf(err)
}
