package setupcmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// InitAnswers are everything init asks; each has a flag for --no-input.
type InitAnswers struct {
	AccessURL     string
	UEMURL        string
	TenantID      string // Entra tenant (GUID or domain)
	AzureSignIn   string // devicecode | browser | cli | clientsecret | certificate | workload | default
	AzureClientID string // public or confidential client used to sign in
	AzureCertFile string // PEM with certificate and key, for signIn certificate
	AccessAdmin   string // Access OAuth client id with scope admin
	UEMAuth       string // oauth | basic
	UEMRegion     string // uat | na | emea | apac
	UEMClientID   string // OAuth client id or basic username
	OrgGroup      string
	Connectors    []string
	Boxer         bool
	SmartGroup    string
	SCIMTarget    string // access | identity
	Domain        string // the directory's domain (users' email domain)
	OktaURL       string // https://<org>.okta.com, for the Identity Services OIDC IdP
	OktaClientID  string // the Okta OIDC web app's client id
	Secrets       string // env | file
	SecretsDir    string
}

// Choices offered by the wizard.
var (
	signInMethods = []string{"devicecode", "browser", "cli", "clientsecret", "certificate", "workload", "default"}
	uemRegions    = []string{"na", "emea", "apac", "uat"}
)

// InitOptions configure `flowsctl init`.
type InitOptions struct {
	cmdutil.Common
	Force bool
	Check bool
	A     InitAnswers
	// set records which flags the user gave (their answers are not asked again).
	set map[string]bool
}

// NewCmdInit builds `flowsctl init`.
func NewCmdInit(f *cmdutil.Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{Common: cmdutil.NewCommon(f)}
	a := &opts.A
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write flowsctl.yaml with a wizard (or from flags with --no-input)",
		Long: `Init asks only what it cannot infer: the tenant URLs, how to sign in to each service, which
mobile flows connectors to add, whether SCIM goes to Access or to Identity Services, and where
secrets live. It validates each answer as you type and writes flowsctl.yaml (mode 0600) with a
comment per section. Secrets are never written: the file holds env:NAME or file:PATH references.

Every question has a flag, so init runs unattended with --no-input. --check probes each URL
before writing. An existing file is not overwritten without --force.`,
		Example: `  flowsctl init
  flowsctl init --check
  flowsctl init --no-input --access-url https://acme.vmwareidentity.com --uem-url https://as1234.awmdm.com \
    --tenant-id 11111111-2222-3333-4444-555555555555 --connectors teams --scim-target identity \
    --domain acme.com --okta-url https://acme.okta.com --secrets env`,
		Args: cobra.NoArgs,
		PreRun: func(cmd *cobra.Command, _ []string) {
			opts.set = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { opts.set[fl.Name] = true })
		},
	}
	cmd.RunE = cmdutil.Run(opts, &opts.Common, runF, initRun)
	fl := cmd.Flags()
	fl.StringVar(&a.AccessURL, "access-url", "", "Workspace ONE Access tenant URL (https://TENANT.vmwareidentity.com)")
	fl.StringVar(&a.UEMURL, "uem-url", "", "Workspace ONE UEM API URL (https://asNNNN.awmdm.com)")
	fl.StringVar(&a.TenantID, "tenant-id", "", "Entra ID tenant id (GUID) or primary domain")
	fl.StringVar(&a.AzureSignIn, "azure-sign-in", "devicecode", "how flowsctl signs in to Entra: "+strings.Join(signInMethods, "|"))
	fl.StringVar(&a.AzureClientID, "azure-client-id", "", "client id used to sign in to Entra (needed for clientsecret/certificate/devicecode)")
	fl.StringVar(&a.AzureCertFile, "azure-certificate-file", "", "PEM file with the certificate and private key (for --azure-sign-in certificate)")
	fl.StringVar(&a.AccessAdmin, "access-client-id", "flowsctl-admin", "Access OAuth client (scope admin) flowsctl signs in with")
	fl.StringVar(&a.UEMAuth, "uem-auth", "oauth", "UEM sign-in: oauth|basic")
	fl.StringVar(&a.UEMRegion, "uem-region", "na", "UEM OAuth region: "+strings.Join(uemRegions, "|"))
	fl.StringVar(&a.UEMClientID, "uem-client-id", "flowsctl", "UEM OAuth client id (or the basic-auth user name)")
	fl.StringVar(&a.OrgGroup, "organization-group", "", "UEM organization group (GroupId) to work in")
	fl.StringSliceVar(&a.Connectors, "connectors", []string{"teams"}, "mobile flows connectors to add (catalog names, comma-separated)")
	fl.BoolVar(&a.Boxer, "boxer", true, "configure Workspace ONE Boxer for mobile flows")
	fl.StringVar(&a.SmartGroup, "smart-group", "All Boxer Users", "smart group whose Boxer assignment gets the mobile flows keys")
	fl.StringVar(&a.SCIMTarget, "scim-target", "identity", "where Okta provisions users: identity (Identity Services, SCIM 2.0) | access (Access SCIM 1.1)")
	fl.StringVar(&a.Domain, "domain", "", "your users' email domain (the directory's domain)")
	fl.StringVar(&a.OktaURL, "okta-url", "", "Okta org URL (https://ORG.okta.com), for the OIDC identity provider")
	fl.StringVar(&a.OktaClientID, "okta-client-id", "", "client id of the Okta OIDC web app (with --okta-url)")
	fl.StringVar(&a.Secrets, "secrets", "file", "where secrets live: env (environment variables, e.g. from a CI secret store) | file (0600 files under --secrets-dir)")
	fl.StringVar(&a.SecretsDir, "secrets-dir", ".flowsctl/secrets", "directory for file: secrets")
	fl.BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	fl.BoolVar(&opts.Check, "check", false, "probe each URL (DNS, TLS, HTTP) before writing")
	return cmd
}

// validation, shared by the prompts and --no-input.

func validHTTPSURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL (expected https://host)", s)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopbackHost(u.Hostname())) {
		return fmt.Errorf("%q must use https", s)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

var (
	guidRe   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRe = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,}$`)
)

func validTenant(s string) error {
	if guidRe.MatchString(s) || domainRe.MatchString(s) {
		return nil
	}
	return fmt.Errorf("%q is neither a tenant GUID nor a domain (Entra admin center > Overview > Tenant ID)", s)
}

func validDomain(s string) error {
	if domainRe.MatchString(s) {
		return nil
	}
	return fmt.Errorf("%q is not a domain name (e.g. acme.com)", s)
}

func oneOf(allowed []string) func(string) error {
	return func(s string) error {
		if slices.Contains(allowed, s) {
			return nil
		}
		return fmt.Errorf("%q: use one of %s", s, strings.Join(allowed, ", "))
	}
}

// catalogKeys are the OOTB connectors of the mobile flows catalog (the Boxer guide), by id.
func catalogKeys() []string {
	var out []string
	for _, c := range mobileflows.Catalog {
		if c.Kind == "" || c.Kind == mobileflows.KindNotification {
			out = append(out, c.ID)
		}
	}
	return out
}

// validConnector accepts a catalog id, alias or name.
func validConnector(k string) error {
	if _, ok := mobileflows.Lookup(k); ok {
		return nil
	}
	return fmt.Errorf("%q is not in the mobile flows catalog (see: flowsctl uem connector catalog); use one of %s", k, strings.Join(catalogKeys(), ", "))
}

// validate checks every answer; errors name the flag.
func (a *InitAnswers) validate() error {
	var errs []error
	check := func(flag, v string, fn func(string) error) {
		if v == "" {
			errs = append(errs, fmt.Errorf("--%s is required", flag))
			return
		}
		if err := fn(v); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %v", flag, err))
		}
	}
	check("access-url", a.AccessURL, validHTTPSURL)
	check("uem-url", a.UEMURL, validHTTPSURL)
	check("tenant-id", a.TenantID, validTenant)
	check("azure-sign-in", a.AzureSignIn, oneOf(signInMethods))
	if a.AzureSignIn == "clientsecret" || a.AzureSignIn == "certificate" {
		check("azure-client-id", a.AzureClientID, nonEmpty)
	}
	if a.AzureSignIn == "certificate" {
		check("azure-certificate-file", a.AzureCertFile, nonEmpty)
	}
	check("uem-auth", a.UEMAuth, oneOf([]string{"oauth", "basic"}))
	if a.UEMAuth == "oauth" {
		check("uem-region", a.UEMRegion, oneOf(uemRegions))
	}
	check("scim-target", a.SCIMTarget, oneOf([]string{"identity", "access"}))
	check("domain", a.Domain, validDomain)
	if a.SCIMTarget == "identity" && a.OktaURL != "" {
		check("okta-url", a.OktaURL, validHTTPSURL)
		check("okta-client-id", a.OktaClientID, nonEmpty)
	}
	check("secrets", a.Secrets, oneOf([]string{"env", "file"}))
	for _, c := range a.Connectors {
		if err := validConnector(c); err != nil {
			errs = append(errs, fmt.Errorf("--connectors: %v", err))
		}
	}
	return errors.Join(errs...)
}

// ask fills the answers the flags did not give.
func (o *InitOptions) ask(p prompt.Prompter) error {
	a := &o.A
	input := func(flag, msg string, dst *string, v func(string) error) error {
		if o.set[flag] {
			return nil
		}
		s, err := p.Input(msg, *dst, "--"+flag, v)
		if err != nil {
			return err
		}
		*dst = strings.TrimSpace(s)
		return nil
	}
	sel := func(flag, msg string, opts []string, dst *string) error {
		if o.set[flag] {
			return nil
		}
		s, err := p.Select(msg, opts, *dst, "--"+flag)
		if err != nil {
			return err
		}
		*dst = s
		return nil
	}
	steps := []func() error{
		func() error {
			return input("access-url", "Workspace ONE Access URL", &a.AccessURL, validHTTPSURL)
		},
		func() error { return input("uem-url", "Workspace ONE UEM API URL", &a.UEMURL, validHTTPSURL) },
		func() error { return input("tenant-id", "Entra ID tenant (id or domain)", &a.TenantID, validTenant) },
		func() error {
			return sel("azure-sign-in", "Sign in to Entra ID with", signInMethods, &a.AzureSignIn)
		},
		func() error {
			switch a.AzureSignIn {
			case "clientsecret", "certificate":
				return input("azure-client-id", "Client id of the app registration flowsctl signs in as", &a.AzureClientID, nonEmpty)
			case "devicecode", "browser":
				return input("azure-client-id", "Public client id to sign in with (blank: the Azure CLI's)", &a.AzureClientID, nil)
			}
			return nil
		},
		func() error {
			if a.AzureSignIn != "certificate" {
				return nil
			}
			return input("azure-certificate-file", "PEM file with the certificate and its private key", &a.AzureCertFile, nonEmpty)
		},
		func() error {
			return input("access-client-id", "Access OAuth client with scope admin (Catalog > Settings > Remote App Access)", &a.AccessAdmin, nonEmpty)
		},
		func() error { return sel("uem-auth", "Sign in to UEM with", []string{"oauth", "basic"}, &a.UEMAuth) },
		func() error {
			if a.UEMAuth != "oauth" {
				return nil
			}
			return sel("uem-region", "UEM OAuth region", uemRegions, &a.UEMRegion)
		},
		func() error {
			msg := "UEM OAuth client id"
			if a.UEMAuth == "basic" {
				msg = "UEM API admin user name"
			}
			return input("uem-client-id", msg, &a.UEMClientID, nonEmpty)
		},
		func() error {
			return input("organization-group", "UEM organization group (GroupId)", &a.OrgGroup, nil)
		},
		func() error {
			if o.set["connectors"] {
				return nil
			}
			v, err := p.MultiSelect("Mobile flows connectors to add", catalogKeys(), a.Connectors, "--connectors")
			if err != nil {
				return err
			}
			a.Connectors = v
			return nil
		},
		func() error {
			if o.set["boxer"] {
				return nil
			}
			v, err := p.Confirm("Configure Workspace ONE Boxer for mobile flows?", a.Boxer, "--boxer")
			a.Boxer = v
			return err
		},
		func() error {
			if !a.Boxer {
				return nil
			}
			return input("smart-group", "Smart group of the Boxer assignment", &a.SmartGroup, nonEmpty)
		},
		func() error {
			return sel("scim-target", "Okta provisions users (SCIM) into", []string{"identity", "access"}, &a.SCIMTarget)
		},
		func() error { return input("domain", "Your users' email domain", &a.Domain, validDomain) },
		func() error {
			if a.SCIMTarget != "identity" {
				return nil
			}
			return input("okta-url", "Okta org URL (blank to skip the OIDC identity provider)", &a.OktaURL, optional(validHTTPSURL))
		},
		func() error {
			if a.SCIMTarget != "identity" || a.OktaURL == "" {
				return nil
			}
			return input("okta-client-id", "Client id of the Okta OIDC web app", &a.OktaClientID, nonEmpty)
		},
		func() error {
			return sel("secrets", "Keep secrets in", []string{"file", "env"}, &a.Secrets)
		},
		func() error {
			if a.Secrets != "file" {
				return nil
			}
			return input("secrets-dir", "Directory for secret files (mode 0600)", &a.SecretsDir, nonEmpty)
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func nonEmpty(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("an answer is required")
	}
	return nil
}

func optional(v func(string) error) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return v(s)
	}
}

func initRun(o *InitOptions) error {
	ctx := o.Context()
	path := o.ConfigPath()
	if path == "" {
		path = "flowsctl.yaml"
	}
	if _, err := os.Stat(path); err == nil && !o.Force {
		return fmt.Errorf("%s exists: not overwriting it (use --force to replace it, or -f OTHER.yaml to write elsewhere)", path)
	}
	if !o.NoInput() {
		p := o.Prompter()
		if _, isNo := p.(prompt.NoInput); isNo {
			return fmt.Errorf("init needs a terminal to ask its questions: run it in one, or pass --no-input with the flags (see flowsctl init --help)")
		}
		fmt.Fprintln(o.IO.ErrOut, "flowsctl init: a few questions to write "+path+" (Ctrl-C to stop; nothing is written until the end).")
		if err := o.ask(p); err != nil {
			return err
		}
	}
	if err := o.A.validate(); err != nil {
		if o.NoInput() {
			return fmt.Errorf("init cannot ask (no terminal, --no-input or CI=true), so every answer must come from a flag (see flowsctl init --help):\n%w", err)
		}
		return fmt.Errorf("init: %w", err)
	}
	if o.Check {
		hc, err := o.HTTPClient()
		if err != nil {
			return err
		}
		if failed := o.probe(ctx, hc); failed {
			return cmdutil.Exit(cmdutil.ExitPending, fmt.Errorf("init --check: an URL is not reachable (see above); fix it or run without --check"))
		}
	}
	b, err := RenderConfig(o.A)
	if err != nil {
		return err
	}
	if _, err := config.Parse(path, b); err != nil {
		return fmt.Errorf("init produced a config that does not load (a flowsctl bug): %w", err)
	}
	if err := config.WriteFileAtomic(path, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Wrote %s (mode 0600).\n", path)
	fmt.Fprintln(o.IO.ErrOut, secretHints(o.A))
	fmt.Fprintln(o.IO.ErrOut, "Next: flowsctl plan -f "+path+"   then   flowsctl apply -f "+path+"   then   flowsctl doctor -f "+path)
	return nil
}

// probe checks every URL the answers name; it prints one line per URL.
func (o *InitOptions) probe(ctx context.Context, hc *httpx.Client) bool {
	urls := []struct{ name, u string }{{"access", o.A.AccessURL}, {"uem", o.A.UEMURL}}
	if o.A.OktaURL != "" {
		urls = append(urls, struct{ name, u string }{"okta", o.A.OktaURL})
	}
	failed := false
	for _, x := range urls {
		c := probeURL(ctx, hc, x.u)
		fmt.Fprintf(o.IO.ErrOut, "%-6s %-40s %s %s\n", strings.ToUpper(string(c.Status)), x.u, c.Detail, c.Fix)
		failed = failed || c.Status == doctor.Fail
	}
	return failed
}

func probeURL(ctx context.Context, hc *httpx.Client, u string) doctor.Check {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, strings.TrimRight(u, "/")+"/", nil)
	if err != nil {
		return doctor.Check{Status: doctor.Fail, Detail: err.Error()}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return doctor.Check{Status: doctor.Fail, Detail: err.Error(), Fix: "(check the URL, DNS and proxy; for a private CA pass --ca-file)"}
	}
	resp.Body.Close()
	return doctor.Check{Status: doctor.Pass, Detail: fmt.Sprintf("HTTP %d", resp.StatusCode)}
}

// secretRef names where one secret lives, per the answers.
func secretRef(a InitAnswers, env, file string) string {
	if a.Secrets == "env" {
		return "env:" + env
	}
	return "file:" + filepath.ToSlash(filepath.Join(a.SecretsDir, file))
}

func secretHints(a InitAnswers) string {
	if a.Secrets == "env" {
		return "Secrets are env: references; export FLOWSCTL_ACCESS_SECRET, FLOWSCTL_UEM_SECRET (and the others the file names) before plan/apply. Secrets flowsctl creates are written to file: sinks."
	}
	return "Secrets are file: references under " + a.SecretsDir + "; put the admin secrets you already have there (chmod 600). flowsctl writes the ones it creates."
}

// RenderConfig writes the answers as a commented flowsctl.yaml (pkg/config's template).
func RenderConfig(a InitAnswers) ([]byte, error) {
	// Secrets flowsctl creates always go to files: an environment variable cannot be written.
	dir := a.SecretsDir
	if dir == "" {
		dir = ".flowsctl/secrets"
	}
	sink := func(name string) string { return "file:" + filepath.ToSlash(filepath.Join(dir, name)) }
	d := config.TemplateData{
		TenantID: a.TenantID, AzureSignIn: a.AzureSignIn, AzureClientID: a.AzureClientID, AzureCertFile: a.AzureCertFile,
		NeedsSignInSecret: a.AzureSignIn == "clientsecret",
		AccessURL:         a.AccessURL, AccessAdmin: a.AccessAdmin,
		UEMURL: a.UEMURL, UEMAuth: a.UEMAuth, UEMRegion: a.UEMRegion, UEMClientID: a.UEMClientID, OrgGroup: a.OrgGroup,
		Boxer: a.Boxer, SmartGroup: a.SmartGroup,
		IdentityEnabled: a.SCIMTarget == "identity", Domain: a.Domain, OktaURL: a.OktaURL, OktaClientID: a.OktaClientID,
		AccessSecret:      secretRef(a, "FLOWSCTL_ACCESS_SECRET", "access-admin-secret"),
		UEMSecret:         secretRef(a, "FLOWSCTL_UEM_SECRET", "uem-secret"),
		UEMAPIKey:         secretRef(a, "FLOWSCTL_UEM_API_KEY", "uem-api-key"),
		AzureSignInSecret: secretRef(a, "FLOWSCTL_AZURE_SIGNIN_SECRET", "azure-signin-secret"),
		OktaSecret:        secretRef(a, "FLOWSCTL_OKTA_OIDC_SECRET", "okta-oidc-secret"),
		TeamsSink:         sink("teams-client-secret"),
		SCIMSink:          sink("access-oktascim-secret"),
		TokenSink:         sink("identity-scim-token"),
	}
	for _, k := range a.Connectors {
		if c, ok := mobileflows.Lookup(k); ok {
			d.Connectors = append(d.Connectors, config.TemplateConnector{ID: c.ID, Name: c.Name, BaseURL: c.BaseURL})
		}
	}
	return config.RenderTemplate(d)
}
