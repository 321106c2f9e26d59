package setupcmd

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
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
	cmd := cmdutil.Command(&cobra.Command{
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
		PreRun: func(cmd *cobra.Command, _ []string) {
			opts.set = map[string]bool{}
			cmd.Flags().Visit(func(fl *pflag.Flag) { opts.set[fl.Name] = true })
		},
	}, opts, &opts.Common, runF, initRun)
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
	fl.StringVar(&a.OktaURL, "okta-url", "", "Okta org URL (https://ORG.okta.com): flowsctl then manages the Okta apps (okta: section)")
	fl.StringVar(&a.OktaClientID, "okta-client-id", "", "pin an existing Okta OIDC web app instead (Identity Services path; no okta: section)")
	fl.StringVar(&a.Secrets, "secrets", "file", "where secrets live: env (environment variables, e.g. from a CI secret store) | file (0600 files under --secrets-dir)")
	fl.StringVar(&a.SecretsDir, "secrets-dir", ".flowsctl/secrets", "directory for file: secrets")
	fl.BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	fl.BoolVar(&opts.Check, "check", false, "probe each URL (DNS, TLS, HTTP) before writing")
	return cmd
}

func initRun(o *InitOptions) error {
	ctx := o.Context()
	path := o.ConfigPath()
	if path == "" {
		path = config.DefaultFile
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
	cs := o.IO.ColorScheme()
	for _, x := range urls {
		c := probeURL(ctx, hc, x.u)
		fmt.Fprintln(o.IO.ErrOut, strings.TrimSpace(fmt.Sprintf("%s %-6s %-40s %s %s", c.Status.Icon(cs), x.name, x.u, c.Detail, c.Fix)))
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
		OktaAPIToken:      secretRef(a, "OKTA_API_TOKEN", "okta-api-token"),
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
