package setupcmd

// The wizard of flowsctl init: the answers, their validation (shared by the prompts and
// --no-input) and the questions.

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/internal/prompt"
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

// catalogIDs maps connector names or aliases to their catalog ids (unknown names are dropped:
// validation reports them).
func catalogIDs(names []string) []string {
	var out []string
	for _, n := range names {
		if c, ok := mobileflows.Lookup(n); ok {
			out = append(out, c.ID)
		}
	}
	return out
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
	if a.OktaURL != "" {
		check("okta-url", a.OktaURL, validHTTPSURL)
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
			// The defaults may be aliases (--connectors teams): offer them as the catalog ids the
			// options use, so that pressing Enter keeps them selected.
			v, err := p.MultiSelect("Mobile flows connectors to add", catalogKeys(), catalogIDs(a.Connectors), "--connectors")
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
			return input("okta-url", "Okta org URL (flowsctl then creates the Okta apps; blank: it lists the Okta steps for you)", &a.OktaURL, optional(validHTTPSURL))
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
