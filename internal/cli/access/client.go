package access

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
)

func newCmdClient(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "client <command>",
		Short: "The SCIM service client Okta authenticates with (Remote App Access, Service Client Token)",
		Example: `  flowsctl access client create
  flowsctl access client show
  flowsctl access client rotate-secret`,
	}
	cmd.AddCommand(NewCmdClientCreate(f, nil), NewCmdClientShow(f, nil), NewCmdClientRotate(f, nil), NewCmdClientVerify(f, nil))
	return cmd
}

func buildClient(c *acc.Client, cfg *config.Config) (resource, error) {
	return acc.NewClientResource(c, cfg)
}

// NewCmdClientCreate builds `access client create`.
func NewCmdClientCreate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create or update access.scimClient; its generated secret goes only to secretSink (0600)",
		Long: `Look up oauth2clients/{clientId}; create it with scope admin, the client_credentials grant and the
configured access-token TTL, or update the fields that differ. The secret is 64 characters from a
cryptographic random source, written to access.scimClient.secretSink (mode 0600) and never printed.
When the sink is missing the secret is rotated, never guessed.`,
		Args: cobra.NoArgs,
		Example: `  flowsctl access client create --dry-run
  flowsctl access client create -o json`,
		RunE: run(opts, runF, ClientCreateRun),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the changes without writing")
	return cmd
}

// ClientCreateRun is `access client create`.
func ClientCreateRun(opts *Options) error { return applyRun(opts, buildClient) }

// NewCmdClientVerify builds `access client verify`.
func NewCmdClientVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:     "verify",
		Short:   "Check the client exists with scope admin, a long TTL, and its secret gets a token (exit 2 on failure)",
		Args:    cobra.NoArgs,
		Example: `  flowsctl access client verify`,
		RunE:    run(opts, runF, func(o *Options) error { return verifyRun(o, buildClient) }),
	}
}

// NewCmdClientRotate builds `access client rotate-secret`.
func NewCmdClientRotate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "rotate-secret",
		Short: "Give the client a new secret, written to secretSink; Okta then needs a new token",
		Args:  cobra.NoArgs,
		Example: `  flowsctl access client rotate-secret
  flowsctl access token --client OktaSCIM   # then paste the new token into Okta`,
		RunE: run(opts, runF, ClientRotateRun),
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the change without writing")
	return cmd
}

// ClientRotateRun is `access client rotate-secret`.
func ClientRotateRun(opts *Options) error {
	c, cfg, err := opts.client()
	if err != nil {
		return err
	}
	r, err := acc.NewClientResource(c, cfg)
	if err != nil {
		return err
	}
	ctx, cancel := opts.context()
	defer cancel()
	res, err := r.RotateSecret(ctx, opts.DryRun)
	if err != nil {
		return wrap(err)
	}
	return cmdutil.Print(opts.IO.Out, opts.output(), applyOutput{DryRun: opts.DryRun, Result: &res}, func(w io.Writer) error {
		if opts.DryRun {
			fmt.Fprintln(w, res.Change().String())
			fmt.Fprintln(opts.IO.ErrOut, "dry run: nothing was written")
			return nil
		}
		fmt.Fprintln(w, res.String())
		return nil
	})
}

// NewCmdClientShow builds `access client show`.
func NewCmdClientShow(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show the client as Access holds it (never the secret) and the state of its secret sink",
		Args:  cobra.NoArgs,
		Example: `  flowsctl access client show
  flowsctl access client show --client OktaSCIM -o json`,
		RunE: run(opts, runF, ClientShowRun),
	}
	cmd.Flags().StringVar(&opts.ClientID, "client", "", "client id (default access.scimClient.clientId)")
	return cmd
}

type clientShow struct {
	acc.OAuthClient `yaml:",inline"`
	SecretSink      string `json:"secretSink,omitempty" yaml:"secretSink,omitempty"`
	SecretSinkState string `json:"secretSinkState,omitempty" yaml:"secretSinkState,omitempty"`
}

// ClientShowRun is `access client show`.
func ClientShowRun(opts *Options) error {
	c, cfg, err := opts.client()
	if err != nil {
		return err
	}
	id := opts.ClientID
	var r *acc.ClientResource
	if cfg.Access.SCIMClient != nil {
		r, _ = acc.NewClientResource(c, cfg)
	}
	if id == "" {
		if r == nil {
			return fmt.Errorf("no client given: pass --client ID or set access.scimClient.clientId")
		}
		id = r.Spec.ClientID
	}
	ctx, cancel := opts.context()
	defer cancel()
	o, _, err := c.GetOAuthClient(ctx, id)
	if err != nil {
		return wrap(err)
	}
	if o == nil {
		return fmt.Errorf("oauth2 client %q does not exist in Access (create it with: flowsctl access client create)", id)
	}
	out := clientShow{OAuthClient: o.Redacted()}
	if r != nil && r.Spec.ClientID == id {
		out.SecretSink, out.SecretSinkState = r.SinkPath(), r.SinkStatus()
	}
	return cmdutil.Print(opts.IO.Out, opts.output(), out, func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
		row("Client ID", o.ClientID)
		row("Scope", o.Scope)
		row("Grant types", o.AuthGrantTypes)
		row("Token type", o.TokenType)
		row("Access token TTL", minutes(o.AccessTokenTTL))
		if out.SecretSink != "" {
			row("Secret sink", out.SecretSink+" ("+out.SecretSinkState+")")
		}
		return tw.Flush()
	})
}
