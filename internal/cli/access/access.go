// Package access is `flowsctl access template|client|token|directory`: the Workspace ONE Access
// objects of seeds 000, 001 and 004, each ensured idempotently with a dry-run and verified.
package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	acc "github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Options carry what every access command needs; tests fill them with fakes.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	HTTPClient func() (*httpx.Client, error)
	Output     func() string
	Timeout    func() time.Duration
	Ctx        context.Context

	DryRun   bool
	ClientID string // token / client show: which client
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{
		IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient,
		Output:  func() string { return f.Flags.Output },
		Timeout: func() time.Duration { return f.Flags.Timeout },
	}
}

// run wraps a command body: context with the --timeout, runF for tests.
func run(opts *Options, runF func(*Options) error, body func(*Options) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		opts.Ctx = cmd.Context()
		if runF != nil {
			return runF(opts)
		}
		return body(opts)
	}
}

func (o *Options) context() (context.Context, context.CancelFunc) {
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Timeout != nil && o.Timeout() > 0 {
		return context.WithTimeout(ctx, o.Timeout())
	}
	return context.WithCancel(ctx)
}

func (o *Options) output() string {
	if o.Output == nil {
		return "text"
	}
	return o.Output()
}

// client builds the admin client from the config.
func (o *Options) client() (*acc.Client, *config.Config, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, nil, err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return nil, nil, err
	}
	c, err := acc.New(hc, cfg)
	if err != nil {
		return nil, nil, err
	}
	return c, cfg, nil
}

// wrap maps authentication failures to exit code 4.
func wrap(err error) error {
	if err != nil && errors.Is(err, acc.ErrAuth) {
		return cmdutil.AuthError(err)
	}
	return err
}

// NewCmdAccess builds `flowsctl access`.
func NewCmdAccess(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "access <command>",
		Short: "Workspace ONE Access: mobile flows template, SCIM service client, bearer token, directory of type Other",
		Long: `Manage the Workspace ONE Access objects mobile flows and Okta SCIM provisioning need, from the
access section of flowsctl.yaml. Every write looks the object up first, so re-running is safe;
--dry-run shows the field-level diff without writing.`,
		Example: `  flowsctl access template apply --dry-run
  flowsctl access client create
  flowsctl access token --client OktaSCIM
  flowsctl access directory create`,
	}
	cmd.AddCommand(newCmdTemplate(f), newCmdClient(f), NewCmdToken(f, nil), newCmdDirectory(f))
	return cmd
}

// applyOutput is what the writing commands print with -o json|yaml.
type applyOutput struct {
	DryRun  bool          `json:"dryRun" yaml:"dryRun"`
	Changes []plan.Change `json:"changes,omitempty" yaml:"changes,omitempty"`
	Result  *acc.Result   `json:"result,omitempty" yaml:"result,omitempty"`
}

// resource is what template, client and directory share.
type resource interface {
	Plan(context.Context) ([]plan.Change, error)
	Ensure(context.Context) (acc.Result, error)
	Verify(context.Context) []doctor.Check
}

// applyRun plans (dry run) or ensures one resource and prints the outcome.
func applyRun(opts *Options, build func(*acc.Client, *config.Config) (resource, error)) error {
	c, cfg, err := opts.client()
	if err != nil {
		return err
	}
	r, err := build(c, cfg)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context()
	defer cancel()
	if opts.DryRun {
		cs, err := r.Plan(ctx)
		if err != nil {
			return wrap(err)
		}
		return cmdutil.Print(opts.IO.Out, opts.output(), applyOutput{DryRun: true, Changes: cs}, func(w io.Writer) error {
			for _, c := range cs {
				fmt.Fprintln(w, c.String())
			}
			if plan.Pending(cs) {
				fmt.Fprintln(opts.IO.ErrOut, "dry run: nothing was written; run the same command without --dry-run to apply")
			}
			return nil
		})
	}
	res, err := r.Ensure(ctx)
	if err != nil {
		return wrap(err)
	}
	return cmdutil.Print(opts.IO.Out, opts.output(), applyOutput{Result: &res}, func(w io.Writer) error {
		fmt.Fprintln(w, res.String())
		return nil
	})
}

// verifyRun prints checks and exits 2 when one fails.
func verifyRun(opts *Options, build func(*acc.Client, *config.Config) (resource, error)) error {
	c, cfg, err := opts.client()
	if err != nil {
		return err
	}
	r, err := build(c, cfg)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context()
	defer cancel()
	checks := r.Verify(ctx)
	if err := cmdutil.Print(opts.IO.Out, opts.output(), checks, func(w io.Writer) error {
		printChecks(w, checks)
		return nil
	}); err != nil {
		return err
	}
	if doctor.Failed(checks) {
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}

func printChecks(w io.Writer, checks []doctor.Check) {
	mark := map[doctor.Status]string{doctor.Pass: "ok  ", doctor.Warn: "warn", doctor.Fail: "FAIL", doctor.Skip: "skip"}
	for _, c := range checks {
		fmt.Fprintf(w, "%s %s", mark[c.Status], c.Title)
		if c.Detail != "" {
			fmt.Fprintf(w, ": %s", c.Detail)
		}
		fmt.Fprintln(w)
		if c.Fix != "" && c.Status != doctor.Pass {
			fmt.Fprintf(w, "     fix: %s\n", c.Fix)
		}
	}
	n := doctor.Counts(checks)
	fmt.Fprintf(w, "%d passed, %d warnings, %d failed\n", n[doctor.Pass], n[doctor.Warn], n[doctor.Fail])
}

func humanDuration(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int64(d.Round(time.Hour).Hours()+0.5)/24)
	}
	return strings.TrimSpace(config.FormatDuration(d.Round(time.Minute)))
}
