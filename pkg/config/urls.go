package config

import (
	"fmt"
	"net/url"
	"strings"
)

// AccessBase locates one Workspace ONE Access tenant. SAAS is the URL of the /SAAS root of the tenant, either
// https://tenant.example.com/SAAS (tenant in host) or https://host/SAAS/t/<tenant> (tenant in
// path, on-premises and some multi-tenant deployments).
type AccessBase struct {
	SAAS string
}

// ParseAccessBase builds a Base from the configured URL and the optional tenant-in-path name. The URL
// may already end in /SAAS or /SAAS/t/<tenant>.
func ParseAccessBase(raw, tenantInPath string) (AccessBase, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return AccessBase{}, fmt.Errorf("access.url %q is not an absolute https URL (set access.url to e.g. https://acme.vmwareidentity.com)", raw)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return AccessBase{}, fmt.Errorf("access.url %q uses http: Access must be reached over https (only loopback may use http)", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	tenant := strings.Trim(tenantInPath, "/")
	if i := strings.Index(p, "/SAAS/t/"); i >= 0 {
		rest := strings.SplitN(p[i+len("/SAAS/t/"):], "/", 2)[0]
		if tenant != "" && tenant != rest {
			return AccessBase{}, fmt.Errorf("access.url names tenant %q in its path but access.tenantInPath is %q: keep one of them", rest, tenant)
		}
		tenant = rest
		p = p[:i]
	} else {
		p = strings.TrimSuffix(p, "/SAAS")
	}
	saas := u.Scheme + "://" + u.Host + p + "/SAAS"
	if tenant != "" {
		saas += "/t/" + url.PathEscape(tenant)
	}
	return AccessBase{SAAS: saas}, nil
}

// AccessBase reads access.url and access.tenantInPath.
func (c *Config) AccessBase() (AccessBase, error) {
	var a *Access
	if c != nil {
		a = c.Access
	}
	if a == nil || a.URL.IsZero() {
		return AccessBase{}, fmt.Errorf("no access section: set access.url in flowsctl.yaml (run: flowsctl init)")
	}
	return ParseAccessBase(string(a.URL), a.TenantInPath)
}

// TokenURL is the client-credentials token endpoint.
func (b AccessBase) TokenURL() string { return b.SAAS + "/auth/oauthtoken" }

// API is the URL of a path under /SAAS/jersey/manager/api.
func (b AccessBase) API(p string) string {
	return b.SAAS + "/jersey/manager/api/" + strings.TrimLeft(p, "/")
}

// Host is scheme://host[:port], the key media-type detection is remembered under.
func (b AccessBase) Host() string {
	u, err := url.Parse(b.SAAS)
	if err != nil {
		return b.SAAS
	}
	return u.Scheme + "://" + u.Host
}

// TenantURL is what Okta calls the Base URL: the tenant root without /SAAS.
func (b AccessBase) TenantURL() string {
	if i := strings.Index(b.SAAS, "/SAAS"); i >= 0 && !strings.Contains(b.SAAS, "/SAAS/t/") {
		return b.SAAS[:i]
	}
	return b.SAAS
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}

// IdentityBase is the Identity Services API root: identityServices.url, else access.url,
// without a trailing slash.
func (c *Config) IdentityBase() (string, error) {
	if c != nil && c.IdentityServices != nil && c.IdentityServices.URL != "" {
		return strings.TrimRight(string(c.IdentityServices.URL), "/"), nil
	}
	if c != nil && c.Access != nil && c.Access.URL != "" {
		return strings.TrimRight(string(c.Access.URL), "/"), nil
	}
	return "", fmt.Errorf("no identityServices.url or access.url in the config: set the tenant URL (flowsctl init)")
}

// IdentitySCIMPath is the Identity Services SCIM 2.0 root under IdentityBase.
const IdentitySCIMPath = "/usergroup/scim/v2"

// MobileFlowsVIDM is the value of Boxer's AppMobileFlowsvIDM key for an Access URL: the tenant
// URL without a trailing slash or /SAAS (access.url may be written with either).
func MobileFlowsVIDM(accessURL string) string { return tenantRoot(accessURL) }
