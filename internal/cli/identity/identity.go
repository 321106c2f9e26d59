// Package identity is `flowsctl identity ...`: Identity Services directories, the SCIM secret
// token and the OIDC identity provider for Okta (the Identity Services with Okta guide). Each
// command runs the objects plan/apply/doctor run (pkg/identity), built by the same constructors.
package identity

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// NewCmdIdentity builds `flowsctl identity`.
func NewCmdIdentity(f *cmdutil.Factory) *cobra.Command {
	dir := cmdutil.NewGroup("directory <command>", "Create and list Identity Services directories",
		"  flowsctl identity directory create --name \"Okta Directory\" --domain okta.example.com\n  flowsctl identity directory list",
		NewCmdDirectoryCreate(f, nil), NewCmdDirectoryList(f, nil))
	tok := cmdutil.NewGroup("token <command>", "The directory's SCIM secret token",
		"  flowsctl identity token generate --lifespan 24mo", NewCmdTokenGenerate(f, nil))
	idp := cmdutil.NewGroup("idp <command>", "Identity providers", "  flowsctl identity idp create oidc",
		cmdutil.NewGroup("create <type>", "Create an identity provider", "  flowsctl identity idp create oidc", NewCmdIdPCreateOIDC(f, nil)))
	return cmdutil.Group(&cobra.Command{
		Use:   "identity <command>",
		Short: "Identity Services: directory, SCIM secret token, OIDC identity provider (Okta)",
		Long: `Identity Services admin API on the tenant host (identityServices.url, default access.url), authenticated
with the admin OAuth client of access.auth at /acs/token.`,
		Example: `  flowsctl identity directory create
  flowsctl identity token generate --lifespan 24mo
  flowsctl identity idp create oidc`,
	}, dir, tok, idp)
}

// client loads the config and builds the admin client from it.
func client(c *cmdutil.Common) (cl *identity.Client, cfg *config.Config, err error) {
	cfg, hc, err := c.ConfigAndClient()
	if err == nil {
		cl, err = identity.FromConfig(hc, cfg)
	}
	return cl, cfg, err
}

// ensureDirectory applies the configured directory object, with --name/--domain/--source
// overrides, and says when it created it. created reports that it did.
func ensureDirectory(o *cmdutil.Common, cl *identity.Client, cfg *config.Config, name, domain, source string) (d *identity.Directory, created bool, err error) {
	if cfg != nil && cfg.IdentityServices != nil {
		c := cfg.IdentityServices.Directory
		name, domain, source = cmp.Or(name, c.Name), cmp.Or(domain, c.Domain), cmp.Or(source, c.Source)
	}
	if name == "" || domain == "" {
		return nil, false, errors.New("the directory needs a name and a domain: pass --name and --domain or set identityServices.directory")
	}
	if err := identity.ValidateDirectoryName(name); err != nil {
		return nil, false, err
	}
	dir := identity.NewDirectoryObject(cl, name, domain, source)
	res, err := dir.Apply(o.Context())
	if err != nil {
		return nil, false, err
	}
	d, created = dir.Found(), res.Action == plan.Create
	if created {
		fmt.Fprintf(o.IO.ErrOut, "created directory %q (domain %s, id %s)\n", d.Name, d.Domain(), d.ID)
	}
	return d, created, nil
}

// DirectoryCreateOptions of `identity directory create`.
type DirectoryCreateOptions struct {
	cmdutil.Common
	Name, Domain, Source string
}

// NewCmdDirectoryCreate builds `flowsctl identity directory create`.
func NewCmdDirectoryCreate(f *cmdutil.Factory, runF func(*DirectoryCreateOptions) error) *cobra.Command {
	o := &DirectoryCreateOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "create",
		Short: "Create the directory (idempotent: an existing one with the same name and domain is kept)",
		Example: `  flowsctl identity directory create
  flowsctl identity directory create --name "Okta Directory" --domain okta.example.com --source OKTA`,
	}, o, &o.Common, runF, directoryCreateRun)
	cmd.Flags().StringVar(&o.Name, "name", "", "directory name (≤128 letters, digits, space, - and _; default identityServices.directory.name)")
	cmd.Flags().StringVar(&o.Domain, "domain", "", "its one domain (default identityServices.directory.domain)")
	cmd.Flags().StringVar(&o.Source, "source", "", "OKTA, AZURE, PING, ACCESS or GENERIC (default OKTA)")
	return cmd
}

func directoryCreateRun(o *DirectoryCreateOptions) error {
	cl, cfg, err := client(&o.Common)
	if err != nil {
		return err
	}
	d, created, err := ensureDirectory(&o.Common, cl, cfg, o.Name, o.Domain, o.Source)
	if err != nil {
		return err
	}
	if !created {
		fmt.Fprintf(o.IO.ErrOut, "directory %q exists (domain %s, id %s): nothing to do\n", d.Name, d.Domain(), d.ID)
	}
	fmt.Fprintln(o.IO.ErrOut, "next: flowsctl identity token generate")
	return cmdutil.Print(o.IO.Out, o.Output(), d, func(w io.Writer) error {
		fmt.Fprintf(w, "%s\t%s\t%s\n", d.ID, d.Name, d.Domain())
		return nil
	})
}

// NewCmdDirectoryList builds `flowsctl identity directory list`.
func NewCmdDirectoryList(f *cmdutil.Factory, runF func(*cmdutil.Common) error) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:     "list",
		Short:   "List directories",
		Example: `  flowsctl identity directory list -o json`,
	}, runF, directoryListRun)
}

func directoryListRun(o *cmdutil.Common) error {
	cl, _, err := client(o)
	if err != nil {
		return err
	}
	ds, err := cl.Directories(o.Context())
	if err != nil {
		return err
	}
	return cmdutil.Print(o.IO.Out, o.Output(), append([]identity.Directory{}, ds...), func(w io.Writer) error {
		tab := cmdutil.NewTable(w, "ID", "NAME", "DOMAINS", "SOURCE", "TYPE")
		for _, d := range ds {
			tab.Row(d.ID, d.Name, strings.Join(d.Domains, ","), d.Source, d.Type)
		}
		return tab.Flush()
	})
}

// TokenGenerateOptions of `identity token generate`.
type TokenGenerateOptions struct {
	cmdutil.Common
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
	o := &TokenGenerateOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "generate",
		Short: "Generate the directory's SCIM secret token (replaces the previous one)",
		Long: `Generates the SCIM secret token of the Identity Services directory (creating the directory first when
it does not exist) with a lifespan of 6 months by default, at most 24. The token is written to
identityServices.scimToken.sink (0600) when one is set, else printed once on stdout. Paste it, with
the tenant SCIM URL, into Okta's SCIM 2.0 Test App (OAuth Bearer Token) > Provisioning > Integration.`,
		Example: `  flowsctl identity token generate
  flowsctl identity token generate --lifespan 24mo -o json`,
	}, o, &o.Common, runF, tokenGenerateRun)
	cmd.Flags().StringVar(&o.Lifespan, "lifespan", "", "token lifespan, e.g. 6mo, 12mo, 24mo (default identityServices.scimToken.lifespan or 6mo; max 24mo)")
	cmd.Flags().StringVar(&o.Directory, "directory", "", "directory name (default identityServices.directory.name)")
	return cmd
}

func tokenGenerateRun(o *TokenGenerateOptions) error {
	cl, cfg, err := client(&o.Common)
	if err != nil {
		return err
	}
	if cfg.IdentityServices == nil {
		return errors.New("no identityServices section in the config: add it (flowsctl init) with directory and scimToken.sink")
	}
	tok, err := identity.SCIMTokenFromConfig(cl, cfg, nil)
	if err != nil {
		return err
	}
	if o.Lifespan != "" {
		d, err := config.ParseDuration(o.Lifespan)
		if err != nil {
			return fmt.Errorf("--lifespan: %w", err)
		}
		if tok.TTL, err = identity.LifespanMinutes(d); err != nil {
			return err
		}
	}
	// A sink that cannot be written is found before anything remote is touched: generating
	// revokes the token Okta holds, and the new one would be lost.
	if !tok.Sink.IsZero() {
		if err := cfg.ResolveRef(tok.Sink).CheckSink(); err != nil {
			return fmt.Errorf("%s: nothing was generated (the current token still works): %w; fix identityServices.scimToken.sink, then run flowsctl identity token generate again", tok.Object(), err)
		}
	}
	d, _, err := ensureDirectory(&o.Common, cl, cfg, o.Directory, "", "")
	if err != nil {
		return err
	}
	tok.DirID = func() string { return d.ID }
	tok.OnIssued = func(t *identity.SCIMToken) {
		// Okta still holds the previous token: doctor says so until rotate okta-scim-token ran.
		if err := steps.RecordIssued(cfg.Path, t.ExpiresAt, steps.PhaseIssued); err != nil {
			fmt.Fprintf(o.IO.ErrOut, "warning: the token's issue time was not recorded (%v)\n", err)
		}
	}
	gen, err := tok.Generate(o.Context())
	if err != nil {
		return err
	}
	out := TokenResult{Directory: d.Name, DirectoryID: d.ID, SCIMURL: cl.SCIMURL(), TTLMinutes: gen.TTL, ExpiresAt: gen.ExpiresAt.UTC().Truncate(time.Second)}
	if !tok.Sink.IsZero() {
		out.Sink = string(tok.Sink)
		fmt.Fprintf(o.IO.ErrOut, "SCIM token written to %s (expires %s); the previous token no longer works\n", out.Sink, out.ExpiresAt.Format(time.RFC3339))
	} else {
		out.Token = gen.Token
		fmt.Fprintln(o.IO.ErrOut, "the token is shown once: store it now (or set identityServices.scimToken.sink)")
	}
	fmt.Fprintf(o.IO.ErrOut, "next: in Okta, SCIM 2.0 Test App (OAuth Bearer Token) > Provisioning > Integration: Base URL %s, OAuth Bearer Token = the token; Test API Credentials; or run: flowsctl scim test\n", out.SCIMURL)
	return cmdutil.Print(o.IO.Out, o.Output(), out, func(w io.Writer) error {
		fmt.Fprintf(w, "Tenant URL:  %s\n", out.SCIMURL)
		if out.Token != "" {
			fmt.Fprintf(w, "Token:       %s\n", out.Token)
		} else {
			fmt.Fprintf(w, "Token:       written to %s\n", out.Sink)
		}
		fmt.Fprintf(w, "Expires:     %s (%d minutes)\n", out.ExpiresAt.Format(time.RFC3339), out.TTLMinutes)
		return nil
	})
}

// NewCmdIdPCreateOIDC builds `flowsctl identity idp create oidc`.
func NewCmdIdPCreateOIDC(f *cmdutil.Factory, runF func(*IdPCreateOptions) error) *cobra.Command {
	o := &IdPCreateOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{Use: "oidc", Short: "Create (or update) the OpenID Connect identity provider for Okta",
		Long: `Uses identityServices.oidc: the Okta OIDC web app's client id and secret (a secret reference),
configuration URL https://{okta org}/.well-known/openid-configuration, OIDC user identifier attribute
(email) and Workspace ONE user identifier attribute (email), bound to the directory. Prefer OIDC to
SAML (SAML may break UEM check-in/check-out).`,
		Example: `  flowsctl identity idp create oidc
  flowsctl identity idp create oidc --name "Okta OIDC" -o json`,
	}, o, &o.Common, runF, idpCreateRun)
	cmd.Flags().StringVar(&o.Name, "name", "Okta", "identity provider name")
	return cmd
}

// IdPCreateOptions of `identity idp create oidc`.
type IdPCreateOptions struct {
	cmdutil.Common
	Name string
}

func idpCreateRun(o *IdPCreateOptions) error {
	cl, cfg, err := client(&o.Common)
	if err != nil {
		return err
	}
	dir, err := identity.DirectoryFromConfig(cl, cfg)
	if err != nil {
		return err
	}
	if _, err := dir.Plan(o.Context()); err != nil {
		return err
	}
	d := dir.Found()
	if d == nil {
		return fmt.Errorf("directory %q does not exist yet: run `flowsctl identity directory create` first", dir.Name)
	}
	// On the Okta path the issuer, client id and secret come from the Okta OIDC app.
	hc, err := o.HTTPClient()
	if err != nil {
		return err
	}
	if cfg, err = steps.IdPConfig(o.Context(), steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: o.HTTPOpts(), ErrOut: o.IO.Messages(o.IO.ErrOut), NoInput: true}); err != nil {
		return err
	}
	idp, err := identity.IdPFromConfig(cl, cfg, dir.ID, o.Name)
	if err != nil {
		return err
	}
	idp.Always = true
	res, err := idp.Apply(o.Context())
	if err != nil {
		return err
	}
	verb := "updated"
	if res.Action == plan.Create {
		verb = "created"
	}
	fmt.Fprintf(o.IO.ErrOut, "%s identity provider %q (OIDC, Okta) for directory %q\n", verb, idp.Spec.Name, d.Name)
	if len(cfg.IdentityServices.Services) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "next: in the console, Integrations > Identity Services > directory %q > select services: %s (no API does it); then record it: %s\n",
			cfg.IdentityServices.Directory.Name, strings.Join(cfg.IdentityServices.Services, ", "), steps.WithFile(cfg, "flowsctl confirm identity.services"))
	}
	p := idp.Found()
	return cmdutil.Print(o.IO.Out, o.Output(), p, func(w io.Writer) error {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.ID, p.Name, p.Type)
		return nil
	})
}
