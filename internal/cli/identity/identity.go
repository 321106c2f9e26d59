// Package identity is `flowsctl identity ...`: Identity Services directories, the SCIM secret
// token and the OIDC identity provider for Okta (seed 003).
package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/access/identity"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Common carries the dependencies; tests swap Client.
type Common struct {
	IO     *iostreams.IOStreams
	Output func() string
	Config func() (*config.Config, error)
	// Client builds the admin client from the config.
	Client func() (*identity.Client, error)
}

func newCommon(f *cmdutil.Factory) *Common {
	c := &Common{IO: f.IO, Output: func() string { return f.Flags.Output }, Config: f.Config}
	c.Client = func() (*identity.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		hc, err := f.HTTPClient()
		if err != nil {
			return nil, err
		}
		return identity.FromConfig(hc, cfg)
	}
	return c
}

// NewCmdIdentity builds `flowsctl identity`.
func NewCmdIdentity(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity <command>",
		Short: "Identity Services: directory, SCIM secret token, OIDC identity provider (Okta)",
		Long: `Identity Services admin API on the tenant host (identityServices.url, default access.url), authenticated
with the admin OAuth client of access.auth at /acs/token.`,
		Example: `  flowsctl identity directory create
  flowsctl identity token generate --lifespan 24mo
  flowsctl identity idp create oidc`,
	}
	dir := &cobra.Command{Use: "directory <command>", Short: "Create and list Identity Services directories",
		Example: "  flowsctl identity directory create --name \"Okta Directory\" --domain okta.example.com\n  flowsctl identity directory list"}
	dir.AddCommand(NewCmdDirectoryCreate(f, nil), NewCmdDirectoryList(f, nil))
	tok := &cobra.Command{Use: "token <command>", Short: "The directory's SCIM secret token",
		Example: "  flowsctl identity token generate --lifespan 24mo"}
	tok.AddCommand(NewCmdTokenGenerate(f, nil))
	idp := &cobra.Command{Use: "idp <command>", Short: "Identity providers", Example: "  flowsctl identity idp create oidc"}
	create := &cobra.Command{Use: "create <type>", Short: "Create an identity provider", Example: "  flowsctl identity idp create oidc"}
	create.AddCommand(NewCmdIdPCreateOIDC(f, nil))
	idp.AddCommand(create)
	cmd.AddCommand(dir, tok, idp)
	return cmd
}

func authExit(err error) error {
	if errors.Is(err, identity.ErrAuth) {
		return cmdutil.AuthError(err)
	}
	return err
}

// DirectoryCreateOptions of `identity directory create`.
type DirectoryCreateOptions struct {
	*Common
	Name, Domain, Source string
}

func dirDefaults(cfg *config.Config, name, domain, source *string) error {
	if cfg != nil && cfg.IdentityServices != nil {
		d := cfg.IdentityServices.Directory
		if *name == "" {
			*name = d.Name
		}
		if *domain == "" {
			*domain = d.Domain
		}
		if *source == "" {
			*source = d.Source
		}
	}
	if *name == "" || *domain == "" {
		return errors.New("the directory needs a name and a domain: pass --name and --domain or set identityServices.directory")
	}
	if *source == "" {
		*source = "OKTA"
	}
	return identity.ValidateDirectoryName(*name)
}

// NewCmdDirectoryCreate builds `flowsctl identity directory create`.
func NewCmdDirectoryCreate(f *cmdutil.Factory, runF func(*DirectoryCreateOptions) error) *cobra.Command {
	o := &DirectoryCreateOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create the directory (idempotent: an existing one with the same name and domain is kept)",
		Args:  cobra.NoArgs,
		Example: `  flowsctl identity directory create
  flowsctl identity directory create --name "Okta Directory" --domain okta.example.com --source OKTA`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return directoryCreateRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "directory name (≤128 letters, digits, space, - and _; default identityServices.directory.name)")
	cmd.Flags().StringVar(&o.Domain, "domain", "", "its one domain (default identityServices.directory.domain)")
	cmd.Flags().StringVar(&o.Source, "source", "", "OKTA, AZURE, PING, ACCESS or GENERIC (default OKTA)")
	return cmd
}

func directoryCreateRun(ctx context.Context, o *DirectoryCreateOptions) error {
	cfg, _ := o.Config()
	if err := dirDefaults(cfg, &o.Name, &o.Domain, &o.Source); err != nil {
		return err
	}
	cl, err := o.Client()
	if err != nil {
		return err
	}
	d, created, err := cl.EnsureDirectory(ctx, o.Name, o.Domain, o.Source)
	if err != nil {
		return authExit(err)
	}
	if created {
		fmt.Fprintf(o.IO.ErrOut, "created directory %q (domain %s, id %s)\n", d.Name, d.Domain(), d.ID)
	} else {
		fmt.Fprintf(o.IO.ErrOut, "directory %q exists (domain %s, id %s): nothing to do\n", d.Name, d.Domain(), d.ID)
	}
	fmt.Fprintln(o.IO.ErrOut, "next: flowsctl identity token generate")
	return cmdutil.Print(o.IO.Out, o.Output(), d, func(w io.Writer) error {
		fmt.Fprintf(w, "%s\t%s\t%s\n", d.ID, d.Name, d.Domain())
		return nil
	})
}

// DirectoryListOptions of `identity directory list`.
type DirectoryListOptions struct{ *Common }

// NewCmdDirectoryList builds `flowsctl identity directory list`.
func NewCmdDirectoryList(f *cmdutil.Factory, runF func(*DirectoryListOptions) error) *cobra.Command {
	o := &DirectoryListOptions{Common: newCommon(f)}
	return &cobra.Command{
		Use:     "list",
		Short:   "List directories",
		Args:    cobra.NoArgs,
		Example: `  flowsctl identity directory list -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			cl, err := o.Client()
			if err != nil {
				return err
			}
			ds, err := cl.Directories(cmd.Context())
			if err != nil {
				return authExit(err)
			}
			if ds == nil {
				ds = []identity.Directory{}
			}
			return cmdutil.Print(o.IO.Out, o.Output(), ds, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tDOMAINS\tSOURCE\tTYPE")
				for _, d := range ds {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, strings.Join(d.Domains, ","), d.Source, d.Type)
				}
				return tw.Flush()
			})
		},
	}
}

// TokenGenerateOptions of `identity token generate`.
type TokenGenerateOptions struct {
	*Common
	Lifespan  string
	Directory string
}

// TokenResult is what token generate prints (the token itself only when there is no sink).
type TokenResult struct {
	Directory   string    `json:"directory"`
	DirectoryID string    `json:"directoryId"`
	SCIMURL     string    `json:"scimUrl"`
	TTLMinutes  int64     `json:"tokenTtlMinutes"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Sink        string    `json:"sink,omitempty"`
	Token       string    `json:"token,omitempty"`
}

// NewCmdTokenGenerate builds `flowsctl identity token generate`.
func NewCmdTokenGenerate(f *cmdutil.Factory, runF func(*TokenGenerateOptions) error) *cobra.Command {
	o := &TokenGenerateOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate the directory's SCIM secret token (replaces the previous one)",
		Long: `Generates the SCIM secret token of the Identity Services directory (creating the directory first when
it does not exist) with a lifespan of 6 months by default, at most 24. The token is written to
identityServices.scimToken.sink (0600) when one is set, else printed once on stdout. Paste it, with
the tenant SCIM URL, into Okta's SCIM 2.0 Test App (OAuth Bearer Token) > Provisioning > Integration.`,
		Args: cobra.NoArgs,
		Example: `  flowsctl identity token generate
  flowsctl identity token generate --lifespan 24mo -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return tokenGenerateRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Lifespan, "lifespan", "", "token lifespan, e.g. 6mo, 12mo, 24mo (default identityServices.scimToken.lifespan or 6mo; max 24mo)")
	cmd.Flags().StringVar(&o.Directory, "directory", "", "directory name (default identityServices.directory.name)")
	return cmd
}

func tokenGenerateRun(ctx context.Context, o *TokenGenerateOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	if cfg.IdentityServices == nil {
		return errors.New("no identityServices section in the config: add it (flowsctl init) with directory and scimToken.sink")
	}
	is := cfg.IdentityServices
	lifespan := is.SCIMToken.Lifespan
	if o.Lifespan != "" {
		if lifespan, err = config.ParseDuration(o.Lifespan); err != nil {
			return fmt.Errorf("--lifespan: %w", err)
		}
	}
	ttl, err := identity.LifespanMinutes(lifespan)
	if err != nil {
		return err
	}
	name, domain, source := o.Directory, "", ""
	if err := dirDefaults(cfg, &name, &domain, &source); err != nil {
		return err
	}
	cl, err := o.Client()
	if err != nil {
		return err
	}
	d, created, err := cl.EnsureDirectory(ctx, name, domain, source)
	if err != nil {
		return authExit(err)
	}
	if created {
		fmt.Fprintf(o.IO.ErrOut, "created directory %q (domain %s)\n", d.Name, d.Domain())
	}
	tok, err := cl.GenerateSCIMToken(ctx, d.ID, ttl)
	if err != nil {
		return authExit(err)
	}
	res := TokenResult{Directory: d.Name, DirectoryID: d.ID, SCIMURL: cl.SCIMURL(), TTLMinutes: tok.TTL, ExpiresAt: tok.ExpiresAt.UTC().Truncate(time.Second)}
	if !is.SCIMToken.Sink.IsZero() {
		sink := access.AbsRef(cfg, is.SCIMToken.Sink)
		if err := sink.Write(tok.Token); err != nil {
			return fmt.Errorf("the token was generated (the previous one no longer works) but writing it to %s failed: %w; run the command again", is.SCIMToken.Sink, err)
		}
		res.Sink = string(is.SCIMToken.Sink)
		fmt.Fprintf(o.IO.ErrOut, "SCIM token written to %s (expires %s); the previous token no longer works\n", res.Sink, res.ExpiresAt.Format(time.RFC3339))
	} else {
		res.Token = tok.Token
		fmt.Fprintln(o.IO.ErrOut, "the token is shown once: store it now (or set identityServices.scimToken.sink)")
	}
	fmt.Fprintf(o.IO.ErrOut, "next: in Okta, SCIM 2.0 Test App (OAuth Bearer Token) > Provisioning > Integration: Base URL %s, OAuth Bearer Token = the token; Test API Credentials; or run: flowsctl scim test\n", res.SCIMURL)
	return cmdutil.Print(o.IO.Out, o.Output(), res, func(w io.Writer) error {
		fmt.Fprintf(w, "Tenant URL:  %s\n", res.SCIMURL)
		if res.Token != "" {
			fmt.Fprintf(w, "Token:       %s\n", res.Token)
		} else {
			fmt.Fprintf(w, "Token:       written to %s\n", res.Sink)
		}
		fmt.Fprintf(w, "Expires:     %s (%d minutes)\n", res.ExpiresAt.Format(time.RFC3339), res.TTLMinutes)
		return nil
	})
}

// IdPCreateOptions of `identity idp create oidc`.
type IdPCreateOptions struct {
	*Common
	Name string
}

// NewCmdIdPCreateOIDC builds `flowsctl identity idp create oidc`.
func NewCmdIdPCreateOIDC(f *cmdutil.Factory, runF func(*IdPCreateOptions) error) *cobra.Command {
	o := &IdPCreateOptions{Common: newCommon(f)}
	cmd := &cobra.Command{
		Use:   "oidc",
		Short: "Create (or update) the OpenID Connect identity provider for Okta",
		Long: `Uses identityServices.oidc: the Okta OIDC web app's client id and secret (a secret reference),
configuration URL https://{okta org}/.well-known/openid-configuration, OIDC user identifier attribute
(email) and Workspace ONE user identifier attribute (email), bound to the directory. Prefer OIDC to
SAML (SAML may break UEM check-in/check-out).`,
		Args: cobra.NoArgs,
		Example: `  flowsctl identity idp create oidc
  flowsctl identity idp create oidc --name "Okta OIDC" -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return idpCreateRun(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "Okta", "identity provider name")
	return cmd
}

func idpCreateRun(ctx context.Context, o *IdPCreateOptions) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	if cfg.IdentityServices == nil || cfg.IdentityServices.OIDC == nil {
		return errors.New("no identityServices.oidc in the config: set issuerUrl, clientId, clientSecret (env: or file:), oidcUserIdentifier and workspaceOneUserIdentifier")
	}
	oc := cfg.IdentityServices.OIDC
	secret, err := access.ResolveSecret(cfg, oc.ClientSecret)
	if err != nil {
		return fmt.Errorf("identityServices.oidc.clientSecret: %w", err)
	}
	name, domain, source := "", "", ""
	if err := dirDefaults(cfg, &name, &domain, &source); err != nil {
		return err
	}
	cl, err := o.Client()
	if err != nil {
		return err
	}
	d, err := cl.FindDirectory(ctx, name)
	if err != nil {
		return authExit(err)
	}
	if d == nil {
		return fmt.Errorf("directory %q does not exist yet: run `flowsctl identity directory create` first", name)
	}
	p, created, err := cl.EnsureOIDC(ctx, identity.OIDCSpec{Name: o.Name, SourceType: "OKTA", ClientID: oc.ClientID, ClientSecret: secret,
		ConfigurationURL: identity.OktaConfigurationURL(string(oc.IssuerURL)), OIDCUserIdentifier: oc.OIDCUserIdentifier,
		WorkspaceOneUserIdentifier: oc.WorkspaceOneUserIdentifier, DirectoryIDs: []string{d.ID}})
	if err != nil {
		return authExit(err)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(o.IO.ErrOut, "%s identity provider %q (OIDC, Okta) for directory %q\n", verb, p.Name, d.Name)
	if len(cfg.IdentityServices.Services) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "next: in the console, Integrations > Identity Services > select services: %s\n", strings.Join(cfg.IdentityServices.Services, ", "))
	}
	return cmdutil.Print(o.IO.Out, o.Output(), p, func(w io.Writer) error {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.ID, p.Name, p.Type)
		return nil
	})
}
