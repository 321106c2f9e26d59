package access

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
)

// NewCmdClientCreate builds `access client create`.
func NewCmdClientCreate(f *cmdutil.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	return newCmdApply(f, runF, buildClient, &cobra.Command{
		Use:   "create",
		Short: "Create or update access.scimClient; its generated secret goes only to secretSink (0600)",
		Long: `Look up oauth2clients/{clientId}; create it with scope admin, the client_credentials grant and the
configured access-token TTL, or update the fields that differ. The secret is 64 characters from a
cryptographic random source, written to access.scimClient.secretSink (mode 0600) and never printed.
When the sink is missing the secret is rotated, never guessed.`,
		Example: `  flowsctl access client create --dry-run
  flowsctl access client create -o json`,
	})
}

// NewCmdClientVerify builds `access client verify`.
func NewCmdClientVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	return newCmdVerify(f, runF, buildClient, "Check the client exists with scope admin, a long TTL, and its secret gets a token (exit 2 on failure)",
		`  flowsctl access client verify`)
}

// NewCmdClientRotate builds `access client rotate-secret`.
func NewCmdClientRotate(f *cmdutil.Factory, runF func(*ClientRotateOptions) error) *cobra.Command {
	o := &ClientRotateOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{Use: "rotate-secret", Short: "Give the client a new secret, written to secretSink; Okta then needs a new token",
		Example: `  flowsctl access client rotate-secret
  flowsctl access token --client OktaSCIM   # then paste the new token into Okta`,
	}, o, &o.Common, runF, clientRotateRun)
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "show the change without writing")
	return cmd
}

// ClientRotateOptions of `access client rotate-secret`.
type ClientRotateOptions struct {
	cmdutil.Common
	DryRun bool
}

func clientRotateRun(o *ClientRotateOptions) error {
	_, r, err := resource(&o.Common, acc.NewClientResource)
	if err != nil {
		return err
	}
	res, err := r.RotateSecret(o.Context(), o.DryRun)
	if err != nil {
		return err
	}
	return printResult(&o.Common, applyOutput{DryRun: o.DryRun, Result: &res})
}

// NewCmdClientShow builds `access client show`.
func NewCmdClientShow(f *cmdutil.Factory, runF func(*ClientOptions) error) *cobra.Command {
	return newCmdForClient(f, runF, clientShowRun, &cobra.Command{Use: "show", Short: "Show the client as Access holds it (never the secret) and the state of its secret sink",
		Example: `  flowsctl access client show
  flowsctl access client show --client OktaSCIM -o json`,
	})
}

type clientShow struct {
	acc.OAuthClient `yaml:",inline"`
	SecretSink      string `json:"secretSink,omitempty" yaml:"secretSink,omitempty"`
	SecretSinkState string `json:"secretSinkState,omitempty" yaml:"secretSinkState,omitempty"`
}

func clientShowRun(o *ClientOptions) error {
	c, cfg, err := client(&o.Common)
	if err != nil {
		return err
	}
	id := o.ClientID
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
	oc, _, err := c.GetOAuthClient(o.Context(), id)
	if err != nil {
		return err
	}
	if oc == nil {
		return fmt.Errorf("oauth2 client %q does not exist in Access (create it with: flowsctl access client create)", id)
	}
	out := clientShow{OAuthClient: oc.Redacted()}
	if r != nil && r.Spec.ClientID == id {
		out.SecretSink, out.SecretSinkState = r.SinkPath(), r.SinkStatus()
	}
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		tab := cmdutil.NewTable(w)
		tab.Row("Client ID", oc.ClientID)
		tab.Row("Scope", oc.Scope)
		tab.Row("Grant types", oc.AuthGrantTypes)
		tab.Row("Token type", oc.TokenType)
		tab.Row("Access token TTL", minutes(oc.AccessTokenTTL))
		if out.SecretSink != "" {
			tab.Row("Secret sink", out.SecretSink+" ("+out.SecretSinkState+")")
		}
		return tab.Flush()
	})
}
