// Package azure is `flowsctl azure register|verify|show|secret rotate`: the Entra ID app behind
// the Microsoft Teams mobile flows connector (seed 000).
package azure

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
	az "github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Options carry what every azure command needs; tests fill them or run the command tree.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	HTTPClient func() (*httpx.Client, error)
	Output     func() string
	Timeout    func() time.Duration
	Ctx        context.Context

	// register overrides
	Name           string
	UniqueName     string
	AccessURL      string
	SecretLifetime string
	DryRun         bool
	ShowSecret     bool
	// secret rotate
	RemoveOld bool
}

// NewCmdAzure is the `azure` noun.
func NewCmdAzure(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "azure <command>",
		Short: "Register and verify the Entra ID app for Microsoft Teams mobile flows",
		Long: `Register the multitenant Entra ID application the Microsoft Teams connector signs in with:
web redirect URI to the mobile flows server, the Access logout URL, delegated Microsoft Graph
permissions resolved by name, its service principal, tenant-wide admin consent and a client
secret written to azure.app.secret.sink. Every command finds the app by azure.app.uniqueName.`,
		Example: `  flowsctl azure register --dry-run
  flowsctl azure register
  flowsctl azure verify -o junit > entra.xml
  flowsctl azure show -o json
  flowsctl azure secret rotate --remove-old`,
	}
	cmd.AddCommand(NewCmdRegister(f, nil), NewCmdVerify(f, nil), NewCmdShow(f, nil), newCmdSecret(f))
	return cmd
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient,
		Output:  func() string { return f.Flags.Output },
		Timeout: func() time.Duration { return f.Flags.Timeout }}
}

func wrap(opts *Options, runF func(*Options) error, body func(*Options) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		opts.Ctx = cmd.Context()
		if runF != nil {
			return runF(opts)
		}
		return body(opts)
	}
}

// NewCmdRegister is `azure register`.
func NewCmdRegister(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Create or update the Entra app, its service principal, admin consent and client secret",
		Long: `Looks the application up by azure.app.uniqueName and converges it: upsert with only the changed
fields, service principal, the AllPrincipals consent grant on Microsoft Graph holding exactly the
configured scopes, and a client secret whose value goes to azure.app.secret.sink (0600) — never to
the terminal unless --show-secret. A re-run changes nothing. Exit 2 with --dry-run when changes are pending.`,
		Example: `  flowsctl azure register --dry-run
  flowsctl azure register --access-url https://acme.vmwareidentity.com
  flowsctl azure register --show-secret -o json   # prints a newly created secret once`,
		Args: cobra.NoArgs,
		RunE: wrap(opts, runF, RegisterRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Name, "name", "", "display name (azure.app.displayName)")
	fl.StringVar(&opts.UniqueName, "unique-name", "", "natural key, immutable in Entra (azure.app.uniqueName)")
	fl.StringVar(&opts.AccessURL, "access-url", "", "Workspace ONE Access URL for the logout URL (access.url)")
	fl.StringVar(&opts.SecretLifetime, "secret-lifetime", "", "lifetime of a new client secret, e.g. 6mo, 1y (azure.app.secret.lifetime)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show what would change, change nothing")
	fl.BoolVar(&opts.ShowSecret, "show-secret", false, "print a newly created secret value once on stdout")
	return cmd
}

// NewCmdVerify is `azure verify`.
func NewCmdVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the Entra app, consent and secret; exit 2 on a failure",
		Example: `  flowsctl azure verify
  flowsctl azure verify -o junit > entra.xml`,
		Args: cobra.NoArgs,
		RunE: wrap(opts, runF, VerifyRun),
	}
}

// NewCmdShow is `azure show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "show",
		Short: "Show the app's ids, URIs, permissions with consent status and secrets (never values)",
		Example: `  flowsctl azure show
  flowsctl azure show -o json | jq -r .clientId`,
		Args: cobra.NoArgs,
		RunE: wrap(opts, runF, ShowRun),
	}
}

func newCmdSecret(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "secret <command>",
		Short:   "Manage the app's client secret",
		Example: `  flowsctl azure secret rotate --remove-old`,
	}
	cmd.AddCommand(NewCmdSecretRotate(f, nil))
	return cmd
}

// NewCmdSecretRotate is `azure secret rotate`.
func NewCmdSecretRotate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Add a new client secret, write it to the sink, optionally remove older flowsctl secrets",
		Example: `  flowsctl azure secret rotate
  flowsctl azure secret rotate --remove-old`,
		Args: cobra.NoArgs,
		RunE: wrap(opts, runF, RotateRun),
	}
	cmd.Flags().BoolVar(&opts.RemoveOld, "remove-old", false, "remove older secrets created by flowsctl after the sink holds the new one")
	cmd.Flags().BoolVar(&opts.ShowSecret, "show-secret", false, "print the new secret value once on stdout")
	return cmd
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
	if o.Output == nil || o.Output() == "" {
		return "text"
	}
	return o.Output()
}

// setup loads the config, applies flag overrides and signs in (lazily).
func (o *Options) setup(ctx context.Context) (*az.Client, az.Spec, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, az.Spec{}, err
	}
	if cfg.Azure == nil {
		return nil, az.Spec{}, errors.New("flowsctl.yaml has no azure section (create one with: flowsctl init)")
	}
	c := *cfg
	azc := *cfg.Azure
	c.Azure = &azc
	if o.Name != "" {
		azc.App.DisplayName = o.Name
	}
	if o.UniqueName != "" {
		azc.App.UniqueName = o.UniqueName
	}
	if o.SecretLifetime != "" {
		d, err := config.ParseDuration(o.SecretLifetime)
		if err != nil {
			return nil, az.Spec{}, fmt.Errorf("--secret-lifetime: %v", err)
		}
		azc.App.Secret.Lifetime = d
	}
	if o.AccessURL != "" {
		acc := config.Access{}
		if cfg.Access != nil {
			acc = *cfg.Access
		}
		acc.URL = config.URL(o.AccessURL)
		c.Access = &acc
	}
	spec, err := az.SpecFromConfig(&c)
	if err != nil {
		return nil, spec, err
	}
	spec.AllowNoSink = o.ShowSecret
	hc, err := o.HTTPClient()
	if err != nil {
		return nil, spec, err
	}
	cl, err := az.NewClient(ctx, &c, hc, o.IO.ErrOut)
	if err != nil {
		return nil, spec, err
	}
	return cl, spec, nil
}

func exitErr(err error) error {
	if err == nil {
		return nil
	}
	if az.IsAuth(err) {
		return cmdutil.AuthError(err)
	}
	return err
}

// registerOutput is the JSON/YAML shape of register and rotate; SecretText only with --show-secret.
type registerOutput struct {
	az.Result  `yaml:",inline"`
	DryRun     bool   `json:"dryRun" yaml:"dryRun"`
	SecretText string `json:"secretText,omitempty" yaml:"secretText,omitempty"`
}

// RegisterRun converges the registration (or only plans it with --dry-run).
func RegisterRun(o *Options) error {
	ctx, cancel := o.context()
	defer cancel()
	cl, spec, err := o.setup(ctx)
	if err != nil {
		return exitErr(err)
	}
	if o.DryRun {
		changes, err := cl.Plan(ctx, spec)
		if err != nil {
			return exitErr(err)
		}
		out := registerOutput{Result: az.Result{Changes: changes, Requests: cl.Requests()}, DryRun: true}
		if err := cmdutil.Print(o.IO.Out, o.output(), out, func(w io.Writer) error { return writeChanges(w, changes) }); err != nil {
			return err
		}
		if plan.Pending(changes) {
			return cmdutil.Silent(cmdutil.ExitPending)
		}
		return nil
	}
	res, err := cl.Ensure(ctx, spec)
	if err != nil {
		return exitErr(err)
	}
	return o.printResult(res)
}

func (o *Options) printResult(res az.Result) error {
	out := registerOutput{Result: res}
	if o.ShowSecret {
		out.SecretText = res.Secret
	}
	return cmdutil.Print(o.IO.Out, o.output(), out, func(w io.Writer) error {
		if err := writeChanges(w, res.Changes); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nclient id:          %s\nobject id:          %s\n", res.AppID, res.ObjectID)
		if res.ServicePrincipalID != "" {
			fmt.Fprintf(w, "service principal:  %s\n", res.ServicePrincipalID)
		}
		if res.SecretKeyID != "" {
			state := "reused"
			if res.SecretCreated {
				state = "created"
			}
			fmt.Fprintf(w, "client secret:      %s (keyId %s, expires %s)", state, res.SecretKeyID, res.SecretExpires.UTC().Format("2006-01-02"))
			if res.SecretCreated && res.SecretSink != "" && strings.HasPrefix(res.SecretSink, "file:") {
				fmt.Fprintf(w, ", value in %s", res.SecretSink)
			}
			fmt.Fprintln(w)
		}
		for _, k := range res.RemovedSecrets {
			fmt.Fprintf(w, "removed secret:     %s\n", k)
		}
		if o.ShowSecret && res.Secret != "" {
			fmt.Fprintf(w, "client secret value (shown once): %s\n", res.Secret)
		}
		fmt.Fprintf(w, "graph requests:     %d\n", res.Requests)
		return nil
	})
}

func writeChanges(w io.Writer, cs []plan.Change) error {
	for _, c := range cs {
		if _, err := fmt.Fprintln(w, c.String()); err != nil {
			return err
		}
	}
	return nil
}

// VerifyRun runs the checks; exit 2 when one fails.
func VerifyRun(o *Options) error {
	ctx, cancel := o.context()
	defer cancel()
	var checks []doctor.Check
	cl, spec, err := o.setup(ctx)
	if err != nil {
		id, fix := "azure.config", "edit flowsctl.yaml, then run: flowsctl config validate"
		if az.IsAuth(err) {
			id, fix = "azure.signin", "check azure.signIn in flowsctl.yaml"
		}
		checks = []doctor.Check{{ID: id, Title: "Entra sign-in and configuration", Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
	} else {
		checks = cl.Verify(ctx, spec)
	}
	switch o.output() {
	case "json":
		err = doctor.WriteJSON(o.IO.Out, checks)
	case "junit":
		err = doctor.WriteJUnit(o.IO.Out, checks)
	case "yaml":
		err = cmdutil.Print(o.IO.Out, "yaml", checks, nil)
	default:
		err = doctor.WriteText(o.IO.Out, checks, o.IO.ColorEnabled())
	}
	if err != nil {
		return err
	}
	for _, c := range checks {
		if c.ID == "azure.signin" && c.Status == doctor.Fail {
			return cmdutil.Silent(cmdutil.ExitAuth)
		}
	}
	if code := doctor.ExitCode(checks); code != 0 {
		return cmdutil.Silent(code)
	}
	return nil
}

// ShowRun prints the registration.
func ShowRun(o *Options) error {
	ctx, cancel := o.context()
	defer cancel()
	cl, spec, err := o.setup(ctx)
	if err != nil {
		return exitErr(err)
	}
	in, err := cl.Show(ctx, spec)
	if err != nil {
		return exitErr(err)
	}
	return cmdutil.Print(o.IO.Out, o.output(), in, func(w io.Writer) error {
		fmt.Fprintf(w, "application:      %s (%s)\n", in.DisplayName, in.UniqueName)
		fmt.Fprintf(w, "client id:        %s\nobject id:        %s\n", in.ClientID, in.ObjectID)
		fmt.Fprintf(w, "audience:         %s\n", in.SignInAudience)
		fmt.Fprintf(w, "redirect URIs:    %s\n", strings.Join(in.RedirectURIs, " "))
		fmt.Fprintf(w, "logout URL:       %s\n", in.LogoutURL)
		sp := in.ServicePrincipalID
		if sp == "" {
			sp = "(none: run flowsctl azure register)"
		}
		fmt.Fprintf(w, "service principal: %s\npermissions (Microsoft Graph):\n", sp)
		for _, p := range in.Permissions {
			consent := "no admin consent"
			if p.Consented {
				consent = "admin consent granted"
			}
			fmt.Fprintf(w, "  %-24s %-6s %s  %s\n", p.Name, p.Type, p.ID, consent)
		}
		if in.OtherResources > 0 {
			fmt.Fprintf(w, "  (+ permissions on %d other API(s), added outside flowsctl)\n", in.OtherResources)
		}
		fmt.Fprintln(w, "client secrets:")
		if len(in.Secrets) == 0 {
			fmt.Fprintln(w, "  (none)")
		}
		for _, s := range in.Secrets {
			flags := []string{}
			if s.Expired {
				flags = append(flags, "EXPIRED")
			}
			if s.Managed {
				flags = append(flags, "flowsctl")
			}
			if s.InSink {
				flags = append(flags, "in sink")
			}
			fmt.Fprintf(w, "  %s  hint %s  expires %s  %s  [%s]\n", s.KeyID, s.Hint, s.Expires.UTC().Format("2006-01-02"), s.DisplayName, strings.Join(flags, ", "))
		}
		return nil
	})
}

// RotateRun adds a new secret (and removes older flowsctl secrets with --remove-old).
func RotateRun(o *Options) error {
	ctx, cancel := o.context()
	defer cancel()
	cl, spec, err := o.setup(ctx)
	if err != nil {
		return exitErr(err)
	}
	res, err := cl.RotateSecret(ctx, spec, o.RemoveOld)
	if err != nil {
		return exitErr(err)
	}
	return o.printResult(res)
}
