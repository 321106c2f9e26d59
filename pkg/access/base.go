// Package access is the Workspace ONE Access admin client: the client-credentials token,
// OAuth2 app templates (MobileFlows_Server_Template), OAuth2 clients (the SCIM service
// client) and directories of type Other. Every object is found by its natural key, diffed
// field by field and created or updated; a second Ensure makes no writes.
package access

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// Base locates one Access tenant. SAAS is the URL of the /SAAS root of the tenant, either
// https://tenant.example.com/SAAS (tenant in host) or https://host/SAAS/t/<tenant> (tenant in
// path, on-premises and some multi-tenant deployments).
type Base struct {
	SAAS string
}

// ParseBase builds a Base from the configured URL and the optional tenant-in-path name. The URL
// may already end in /SAAS or /SAAS/t/<tenant>.
func ParseBase(raw, tenantInPath string) (Base, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Base{}, fmt.Errorf("access.url %q is not an absolute https URL (set access.url to e.g. https://acme.vmwareidentity.com)", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return Base{}, fmt.Errorf("access.url %q uses http: Access must be reached over https (only loopback may use http)", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	tenant := strings.Trim(tenantInPath, "/")
	if i := strings.Index(p, "/SAAS/t/"); i >= 0 {
		rest := strings.SplitN(p[i+len("/SAAS/t/"):], "/", 2)[0]
		if tenant != "" && tenant != rest {
			return Base{}, fmt.Errorf("access.url names tenant %q in its path but access.tenantInPath is %q: keep one of them", rest, tenant)
		}
		tenant = rest
		p = p[:i]
	} else if strings.HasSuffix(p, "/SAAS") {
		p = strings.TrimSuffix(p, "/SAAS")
	}
	saas := u.Scheme + "://" + u.Host + p + "/SAAS"
	if tenant != "" {
		saas += "/t/" + url.PathEscape(tenant)
	}
	return Base{SAAS: saas}, nil
}

// BaseFromConfig reads access.url and access.tenantInPath.
func BaseFromConfig(a *config.Access) (Base, error) {
	if a == nil || a.URL.IsZero() {
		return Base{}, fmt.Errorf("no access section: set access.url in flowsctl.yaml (run: flowsctl init)")
	}
	return ParseBase(string(a.URL), a.TenantInPath)
}

// TokenURL is the client-credentials token endpoint.
func (b Base) TokenURL() string { return b.SAAS + "/auth/oauthtoken" }

// API is the URL of a path under /SAAS/jersey/manager/api.
func (b Base) API(p string) string {
	return b.SAAS + "/jersey/manager/api/" + strings.TrimLeft(p, "/")
}

// Host is scheme://host[:port], the key media-type detection is remembered under.
func (b Base) Host() string {
	u, err := url.Parse(b.SAAS)
	if err != nil {
		return b.SAAS
	}
	return u.Scheme + "://" + u.Host
}

// TenantURL is what Okta calls the Base URL: the tenant root without /SAAS.
func (b Base) TenantURL() string {
	if i := strings.Index(b.SAAS, "/SAAS"); i >= 0 && !strings.Contains(b.SAAS, "/SAAS/t/") {
		return b.SAAS[:i]
	}
	return b.SAAS
}

func isLoopback(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}
