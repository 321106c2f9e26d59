// Package azure is `flowsctl azure register|verify|show|secret rotate`: the Entra ID app behind
// the Microsoft Teams mobile flows connector (the Teams mobile flows guide). Every command
// builds the same object as the azure.app step (azure.NewRegistration), so a noun's verify
// and doctor cannot disagree.
package azure

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	az "github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// NewCmdAzure is the `azure` noun.
func NewCmdAzure(f *cmdutil.Factory) *cobra.Command {
	secret := cmdutil.NewGroup("secret <command>", "Manage the app's client secret",
		`  flowsctl azure secret rotate --remove-old`, NewCmdSecretRotate(f, nil))
	return cmdutil.Group(&cobra.Command{
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
	}, NewCmdRegister(f, nil), NewCmdVerify(f, nil), NewCmdShow(f, nil), secret)
}

// RegisterOptions are `azure register`'s: flag overrides of the azure section, --dry-run and
// --show-secret.
type RegisterOptions struct {
	cmdutil.Common
	Name           string
	UniqueName     string
	AccessURL      string
	SecretLifetime string
	DryRun         bool
	ShowSecret     bool
}

// RotateOptions are `azure secret rotate`'s.
type RotateOptions struct {
	cmdutil.Common
	RemoveOld  bool
	ShowSecret bool
}

// NewCmdRegister is `azure register`.
func NewCmdRegister(f *cmdutil.Factory, runF func(*RegisterOptions) error) *cobra.Command {
	opts := &RegisterOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(opts, &opts.Common, runF, registerRun, "register",
		"Create or update the Entra app, its service principal, admin consent and client secret",
		`  flowsctl azure register --dry-run
  flowsctl azure register --access-url https://acme.vmwareidentity.com
  flowsctl azure register --show-secret -o json   # prints a newly created secret once`)
	cmd.Long = `Looks the application up by azure.app.uniqueName and converges it: upsert with only the changed
fields, service principal, the AllPrincipals consent grant on Microsoft Graph holding exactly the
configured scopes, and a client secret whose value goes to azure.app.secret.sink (0600) — never to
the terminal unless --show-secret. A re-run changes nothing. Exit 2 with --dry-run when changes are pending.`
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
func NewCmdVerify(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	c := cmdutil.NewCommon(f)
	return command(&c, &c, runF, verifyRun, "verify", "Check the Entra app, consent and secret; exit 2 on a failure",
		`  flowsctl azure verify
  flowsctl azure verify -o junit > entra.xml`)
}

// NewCmdShow is `azure show`.
func NewCmdShow(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	c := cmdutil.NewCommon(f)
	return command(&c, &c, runF, showRun, "show", "Show the app's ids, URIs, permissions with consent status and secrets (never values)",
		`  flowsctl azure show
  flowsctl azure show -o json | jq -r .clientId`)
}

// NewCmdSecretRotate is `azure secret rotate`.
func NewCmdSecretRotate(f *cmdutil.Factory, runF func(*RotateOptions) error) *cobra.Command {
	opts := &RotateOptions{Common: cmdutil.NewCommon(f)}
	cmd := command(opts, &opts.Common, runF, rotateRun, "rotate",
		"Add a new client secret, write it to the sink, optionally remove older flowsctl secrets",
		`  flowsctl azure secret rotate
  flowsctl azure secret rotate --remove-old`)
	cmd.Flags().BoolVar(&opts.RemoveOld, "remove-old", false, "remove the older secrets flowsctl recorded creating (refused when mobile flows connectors hold the secret: use flowsctl rotate teams-secret)")
	cmd.Flags().BoolVar(&opts.ShowSecret, "show-secret", false, "print the new secret value once on stdout")
	return cmd
}

// command is one azure leaf command without arguments, run by cmdutil.Run.
func command[O any](opts *O, c *cmdutil.Common, runF, run func(*O) error, use, short, example string) *cobra.Command {
	return cmdutil.Command(&cobra.Command{Use: use, Short: short, Example: example}, opts, c, runF, run)
}

// registration builds the azure.app step's object from the config, after edit applied the
// command's flag overrides to a copy of the azure section.
func registration(c *cmdutil.Common, edit func(cfg *config.Config) error) (*az.Registration, error) {
	cfg, err := c.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Azure == nil {
		return nil, fmt.Errorf("flowsctl.yaml has no azure section (create one with: flowsctl init)")
	}
	cp := *cfg
	azc := *cfg.Azure
	cp.Azure = &azc
	if edit != nil {
		if err := edit(&cp); err != nil {
			return nil, err
		}
	}
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, err
	}
	return az.NewRegistration(&cp, hc, c.IO.ErrOut)
}

// overrides applies register's flags to the config.
func (o *RegisterOptions) overrides(c *config.Config) error {
	if o.Name != "" {
		c.Azure.App.DisplayName = o.Name
	}
	if o.UniqueName != "" {
		c.Azure.App.UniqueName = o.UniqueName
	}
	if o.SecretLifetime != "" {
		d, err := config.ParseDuration(o.SecretLifetime)
		if err != nil {
			return fmt.Errorf("--secret-lifetime: %v", err)
		}
		c.Azure.App.Secret.Lifetime = d
	}
	if o.AccessURL != "" {
		acc := config.Access{}
		if c.Access != nil {
			acc = *c.Access
		}
		acc.URL = config.URL(o.AccessURL)
		c.Access = &acc
	}
	return nil
}

// registerOutput is the JSON/YAML shape of register and rotate; SecretText only with --show-secret.
type registerOutput struct {
	az.State   `yaml:",inline"`
	Changes    []plan.Change `json:"changes" yaml:"changes"`
	DryRun     bool          `json:"dryRun" yaml:"dryRun"`
	SecretText string        `json:"secretText,omitempty" yaml:"secretText,omitempty"`
}

// registerRun converges the registration (or only plans it with --dry-run).
func registerRun(o *RegisterOptions) error {
	reg, err := registration(&o.Common, o.overrides)
	if err != nil {
		return err
	}
	reg.Spec.AllowNoSink = o.ShowSecret
	ctx := o.Context()
	if !o.DryRun {
		res, err := reg.Apply(ctx)
		if err != nil {
			return err
		}
		return printResult(&o.Common, reg, res, o.ShowSecret)
	}
	changes, err := reg.Plan(ctx)
	if err != nil {
		return err
	}
	out := registerOutput{State: reg.State(), Changes: changes, DryRun: true}
	if err := cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error { return writeChanges(w, changes) }); err != nil {
		return err
	}
	if plan.Pending(changes) {
		return cmdutil.Silent(cmdutil.ExitPending)
	}
	return nil
}

// rotateRun adds a new secret (and removes older flowsctl secrets with --remove-old).
func rotateRun(o *RotateOptions) error {
	reg, err := registration(&o.Common, nil)
	if err != nil {
		return err
	}
	reg.Spec.AllowNoSink = o.ShowSecret
	if cfg, _ := o.Config(); o.RemoveOld && cfg != nil && cfg.UEM != nil && cfg.UEM.MobileFlows != nil && len(cfg.UEM.MobileFlows.Connectors) > 0 {
		// The connectors hold the current secret: removing it here would break their sign-ins.
		return fmt.Errorf("not rotating: --remove-old would remove the secret the mobile flows connectors in uem.mobileFlows still hold; run: flowsctl rotate teams-secret (it removes the old secrets only once every connector holds the new one)")
	}
	res, err := reg.Rotate(o.Context(), o.RemoveOld)
	if err != nil {
		return err
	}
	return printResult(&o.Common, reg, res, o.ShowSecret)
}

func printResult(c *cmdutil.Common, reg *az.Registration, res object.Result, showSecret bool) error {
	st := reg.State()
	out := registerOutput{State: st, Changes: append([]plan.Change{res.Change()}, res.Changes...)}
	w := c.IO.Out
	if showSecret {
		out.SecretText = reg.Secret()
		w = c.IO.SecretOut() // asked for: the one place the value is printed unmasked
	}
	return cmdutil.Print(w, c.Output(), out, func(w io.Writer) error {
		if err := writeChanges(w, out.Changes); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nclient id:          %s\nobject id:          %s\n", st.ClientID, st.ObjectID)
		if st.ServicePrincipalID != "" {
			fmt.Fprintf(w, "service principal:  %s\n", st.ServicePrincipalID)
		}
		if sec := st.Secret; sec != nil {
			state := "reused"
			if st.SecretCreated {
				state = "created"
			}
			fmt.Fprintf(w, "client secret:      %s (keyId %s, expires %s)", state, sec.KeyID, sec.End.UTC().Format("2006-01-02"))
			if res.SecretSink != "" {
				fmt.Fprintf(w, ", value in %s", st.SecretSink)
			}
			fmt.Fprintln(w)
		}
		for _, k := range st.RemovedSecrets {
			fmt.Fprintf(w, "removed secret:     %s\n", k)
		}
		if out.SecretText != "" {
			fmt.Fprintf(w, "client secret value (shown once): %s\n", out.SecretText)
		}
		fmt.Fprintf(w, "graph requests:     %d\n", st.Requests)
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

// verifyRun runs the azure.app step's checks. A refused sign-in is returned after the checks
// are printed, so the process exits 4 (cmdutil.CodeOf); another failing check exits 2.
func verifyRun(o *cmdutil.Common) error {
	start := time.Now()
	var checks []doctor.Check
	reg, err := registration(o, nil)
	if err != nil {
		checks = []doctor.Check{{ID: "azure.config", Title: "Entra sign-in and configuration", Status: doctor.Fail, Detail: err.Error(),
			Fix: "edit flowsctl.yaml, then run: flowsctl config validate"}}
	} else {
		checks = reg.Verify(o.Context())
		err = reg.AuthErr()
	}
	if perr := cmdutil.PrintChecks(o.IO.Out, o.Output(), checks, time.Since(start).Milliseconds(), o.Color()); perr != nil {
		return perr
	}
	if httpx.IsAuth(err) {
		return err
	}
	return cmdutil.ChecksExit(checks, false)
}

// showRun prints the registration.
func showRun(o *cmdutil.Common) error {
	reg, err := registration(o, nil)
	if err != nil {
		return err
	}
	in, err := reg.Show(o.Context())
	if err != nil {
		return err
	}
	return cmdutil.Print(o.IO.Out, o.Output(), in, func(w io.Writer) error {
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
			fmt.Fprintf(w, "  %s  hint %s  expires %s  %s  [%s]\n", s.KeyID, s.Hint, s.End.UTC().Format("2006-01-02"), s.DisplayName, strings.Join(s.Flags(), ", "))
		}
		return nil
	})
}
