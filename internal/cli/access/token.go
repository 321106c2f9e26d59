package access

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	acc "github.com/flowsctl/flowsctl/pkg/access"
)

// TokenTTLWarning: below this, Okta's pasted token expires too soon to leave alone.
const TokenTTLWarning = 30 * 24 * time.Hour

// NewCmdToken builds `access token`.
func NewCmdToken(f *cmdutil.Factory, runF func(*ClientOptions) error) *cobra.Command {
	return newCmdForClient(f, runF, tokenRun, &cobra.Command{Use: "token", Short: "Print a bearer token for a client (stdout only), for Okta's API Token field",
		Long: `Obtain an access token with client credentials at /SAAS/auth/oauthtoken and print it on stdout,
nothing else. Its expiry and where to paste it in Okta go to stderr. The secret of the SCIM client
comes from access.scimClient.secretSink (flowsctl access client create writes it); the admin client's
from access.auth.clientSecret. Warns when the token lives less than 30 days.`,
		Example: `  flowsctl access token --client OktaSCIM > okta-token.txt
  flowsctl access token --client OktaSCIM | pbcopy
  flowsctl access token -o json`,
	})
}

type tokenOutput struct {
	ClientID    string    `json:"clientId" yaml:"clientId"`
	AccessToken string    `json:"accessToken" yaml:"accessToken"`
	TokenType   string    `json:"tokenType" yaml:"tokenType"`
	ExpiresAt   time.Time `json:"expiresAt" yaml:"expiresAt"`
}

func tokenRun(opts *ClientOptions) error {
	cfg, hc, err := opts.ConfigAndClient()
	if err != nil {
		return err
	}
	base, err := cfg.AccessBase()
	if err != nil {
		return err
	}
	id := opts.ClientID
	scim := cfg.Access.SCIMClient
	if id == "" {
		if scim == nil {
			return fmt.Errorf("no client given: pass --client ID or configure access.scimClient")
		}
		id = scim.ClientID
		if id == "" {
			id = acc.DefaultSCIMClientID
		}
	}
	var secret string
	switch {
	case scim != nil && (id == scim.ClientID || (scim.ClientID == "" && id == acc.DefaultSCIMClientID)):
		spec, err := acc.ClientSpecFrom(cfg)
		if err != nil {
			return err
		}
		if secret, err = cfg.Secret(spec.SecretSink); err != nil {
			return fmt.Errorf("secret of client %q: %v (create the client and its secret with: flowsctl access client create)", id, err)
		}
	case id == cfg.Access.Auth.ClientID:
		if secret, err = cfg.Secret(cfg.Access.Auth.ClientSecret); err != nil {
			return fmt.Errorf("access.auth.clientSecret: %v", err)
		}
	default:
		return fmt.Errorf("client %q is neither access.scimClient.clientId nor access.auth.clientId: flowsctl only knows the secrets of those", id)
	}
	t, err := acc.NewTokenSource(hc, base, id, secret).Token(opts.Context())
	if err != nil {
		return err
	}
	tok, exp := t.Value, t.Expiry
	left := time.Until(exp)
	errw := opts.IO.ErrOut
	fmt.Fprintf(errw, "token for %s expires %s (in %s)\n", id, exp.UTC().Format(time.RFC3339), humanDuration(left))
	fmt.Fprintf(errw, "paste it into Okta: Applications > VMware Workspace ONE > Provisioning > Integration > API Token (Base URL: %s)\n", base.TenantURL())
	if left < TokenTTLWarning {
		fmt.Fprintf(errw, "warning: the token lives less than 30 days; Okta provisioning stops when it expires. Raise access.scimClient.accessTokenTTL (e.g. 1y), run flowsctl access client create, then get a new token\n")
	}
	out := tokenOutput{ClientID: id, AccessToken: tok, TokenType: "Bearer", ExpiresAt: exp.UTC()}
	// The token is what the user asked for: printed unmasked on stdout (and nowhere else).
	return cmdutil.Print(opts.IO.SecretOut(), opts.Output(), out, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, tok)
		return err
	})
}
