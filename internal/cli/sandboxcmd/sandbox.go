// Package sandboxcmd is `flowsctl sandbox up`: every emulated tenant API on loopback.
package sandboxcmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
)

// NewCmdSandbox builds `flowsctl sandbox` and its subcommands.
func NewCmdSandbox(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group(&cobra.Command{
		Use:   "sandbox <command>",
		Short: "Run emulators of every tenant API flowsctl talks to, on loopback",
		Long: `The sandbox serves emulators of Entra ID (sign-in and Graph), Workspace ONE Access, Identity Services,
UEM and mobile flows over HTTPS on 127.0.0.1, with a CA generated for the run, and writes a
flowsctl.yaml that points every section at them. Rehearse a config offline, or run the tests against it.`,
		Example: `  flowsctl sandbox up --dir ./sandbox
  flowsctl plan -f sandbox/flowsctl.yaml`,
	}, NewCmdUp(f, nil))
}

// UpOptions of `flowsctl sandbox up`.
type UpOptions struct {
	cmdutil.Common
	Dir      string
	PrintEnv bool
	// ConsoleTodo leaves the console-only operator steps to do (rehearse the to-do list).
	ConsoleTodo bool
	Emulators   func() []sandbox.Emulator
	// Ready, when set, is called with the running sandbox once its files are written (tests).
	Ready func(*sandbox.Sandbox)
}

// NewCmdUp builds `flowsctl sandbox up`; runF replaces the run in tests.
func NewCmdUp(f *cmdutil.Factory, runF func(*UpOptions) error) *cobra.Command {
	opts := &UpOptions{Common: cmdutil.NewCommon(f), Emulators: emulators.All}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "up",
		Short: "Start every emulator and write ca.pem, sandbox.json and flowsctl.yaml into --dir",
		Long: `Start every emulator over HTTPS on its own 127.0.0.1 port and write into --dir:

- ca.pem: the CA generated for this run (trust it with --ca-file, or use the config below);
- flowsctl.yaml: a config pointing every section at the emulators, secrets as file: references
  under secrets/ (mode 0600), chosen so that apply needs no operator step;
- sandbox.json: {"ca": PATH, "id": ID, "consoleTodo": false, "services": {NAME: {"url": BASE_URL,
  "admin": ADMIN_BASE}}}, written last. consoleTodo false: the sandbox, which has no console,
  stands in for the operator on the console-only steps (doctor: confirmed, never pass);
  --console-todo writes true and leaves them to do.

Each service prints its URL and admin base; the last line on stderr is "sandbox ready". It runs
until interrupted (Ctrl-C, SIGTERM), then stops cleanly. The --timeout default does not apply.

Every service has admin endpoints under ADMIN_BASE (/_sandbox): GET requests (the request log:
method, path, query, status, durationMs), GET state, POST reset, POST|GET|DELETE faults
({"seed": 7, "rules": [{"method", "path", "kind": "429|500|502|503|reset|timeout|commit-then-500",
"probability", "count", "retryAfter"}]}) and POST|DELETE latency ({"fixedMs", "jitterMs"}).`,
		Example: `  flowsctl sandbox up --dir ./sandbox
  flowsctl sandbox up --dir /tmp/sb --print-env > /tmp/sb.env &   # then: . /tmp/sb.env; flowsctl plan
  curl --cacert sandbox/ca.pem "$(jq -r .services.access.admin sandbox/sandbox.json)/requests"`,
		Annotations: map[string]string{cmdutil.AnnotationNoTimeout: "true"},
	}, opts, &opts.Common, runF, upRun)
	cmd.Flags().StringVar(&opts.Dir, "dir", "sandbox", "directory for ca.pem, sandbox.json, flowsctl.yaml and secrets/")
	cmd.Flags().BoolVar(&opts.PrintEnv, "print-env", false, "print export lines for FLOWSCTL_FILE and FLOWSCTL_CA_FILE on stdout")
	cmd.Flags().BoolVar(&opts.ConsoleTodo, "console-todo", false, "leave the console-only steps (no API shows them) to do, instead of recording them as done by hand")
	return cmd
}

func upRun(opts *UpOptions) error {
	if opts.Dir == "" {
		return errors.New("sandbox up: --dir is empty (e.g. --dir ./sandbox)")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return fmt.Errorf("sandbox up: --dir %s: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sandbox up: %w", err)
	}
	// A sandbox.json from an earlier run would point watchers at dead ports until the new one lands.
	if err := os.Remove(filepath.Join(dir, "sandbox.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sandbox up: remove stale sandbox.json: %w", err)
	}
	emus := opts.Emulators()
	sb, err := sandbox.Start(dir, emus...)
	if err != nil {
		return err
	}
	defer sb.Close()
	sb.ConsoleTodo = opts.ConsoleTodo
	if err := sb.WriteFiles(); err != nil {
		return fmt.Errorf("%w (check that %s is writable)", err, dir)
	}

	errOut := opts.IO.ErrOut
	if !opts.ConsoleTodo {
		fmt.Fprintln(errOut, "sandbox: the sandbox stands in for the console-only steps (no API shows them; sandbox.json consoleTodo: false): doctor says confirmed, never pass. --console-todo leaves them to do")
	}
	fmt.Fprintf(errOut, "sandbox: %d services, files in %s\n", len(emus), dir)
	tab := cmdutil.NewTable(errOut)
	for _, n := range sb.Names() {
		s := sb.Services[n]
		tab.Row("  "+n, s.URL, "admin "+s.Admin)
	}
	tab.Row("  CA", sb.CAPath())
	tab.Row("  config", sb.ConfigPath())
	tab.Flush()
	fmt.Fprintf(errOut, "next: flowsctl plan -f %s   (Ctrl-C stops the sandbox)\n", sb.ConfigPath())

	switch {
	case opts.PrintEnv:
		fmt.Fprintf(opts.IO.Out, "export FLOWSCTL_FILE=%s\nexport FLOWSCTL_CA_FILE=%s\n",
			shellQuote(sb.ConfigPath()), shellQuote(sb.CAPath()))
	case opts.Output() != "text":
		if err := cmdutil.Print(opts.IO.Out, opts.Output(), sb.Meta(sb.CAPath()), nil); err != nil {
			return err
		}
	}
	fmt.Fprintln(errOut, "sandbox ready")
	if opts.Ready != nil {
		opts.Ready(sb)
	}

	<-opts.Context().Done()
	fmt.Fprintln(errOut, "sandbox: stopping")
	sb.Close()
	fmt.Fprintln(errOut, "sandbox stopped")
	return nil // stopping on a signal or an explicit --timeout is the normal end
}

// shellQuote quotes a path for POSIX shells.
func shellQuote(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, `'\''`...)
			continue
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
