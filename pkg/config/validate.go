package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/text"
)

// Allowed sets and ranges. The documentation table (schema.go) quotes these, so a change here
// shows up in docs/configuration.md.
var (
	SignInMethods      = []string{"devicecode", "browser", "cli", "clientsecret", "certificate", "workload", "default"}
	SignInAudiences    = []string{"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"}
	MediaTypes         = []string{"auto", "vendor", "json"}
	AccessScopes       = []string{"admin", "user", "openid", "profile", "email", "napps"}
	TokenTypes         = []string{"Bearer"}
	TokenLengths       = []int{32, 64, 128}
	DirectorySources   = []string{"OKTA", "AZURE", "PING", "ACCESS", "GENERIC"}
	IdentityServiceIDs = []string{"access", "uem"}
	MobileFlowsModes   = []string{"guided", "api"}
	UEMRegions         = []string{"uat", "na", "emea", "apac"}
	Notifications      = []string{"poll", "push"}
)

// Duration bounds.
const (
	MinTokenTTL          = 10 * time.Minute // Access template and client TTLs
	MinSecretLifetime    = Day
	MaxSecretLifetime    = 2 * Year // Entra accepts at most 2 years for a client secret
	MinSCIMTokenLifespan = Month
	MaxSCIMTokenLifespan = 24 * Month // Identity Services: 1 to 24 months (token_ttl ≤ 1051200 min)
	MinReplicationBudget = time.Minute
	MaxReplicationBudget = time.Hour
	MinWarnBefore        = Day
	MaxWarnBefore        = Year
	SyncStep             = 10 * time.Minute // third-party integration sync intervals (the integration preflight guide)
	MinSyncInterval      = 10 * time.Minute
	MaxSyncInterval      = 1440 * time.Minute
	MaxDirectoryName     = 128
	MaxBoxerSyncHours    = 8760
)

var (
	envNameRe     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dirNameRe     = regexp.MustCompile(`^[A-Za-z0-9 _-]+$`)
	accessIDRe    = regexp.MustCompile(`^[A-Za-z0-9._@-]+$`)
	tenantPathRe  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	uuidRe        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainLabelRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	permissionRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
)

// secretHint is what the literal-secret message proposes for each secret field.
var secretHint = map[string]string{
	"azure.signIn.clientSecret":          "FLOWSCTL_AZURE_SIGNIN_SECRET",
	"access.auth.clientSecret":           "FLOWSCTL_ACCESS_SECRET",
	"identityServices.oidc.clientSecret": "FLOWSCTL_OKTA_OIDC_SECRET",
	"uem.auth.oauth.clientSecret":        "FLOWSCTL_UEM_OAUTH_SECRET",
	"uem.auth.basic.password":            "FLOWSCTL_UEM_PASSWORD",
	"uem.auth.apiKey":                    "FLOWSCTL_UEM_API_KEY",
	"azure.app.secret.sink":              string(DefaultTeamsSecretSink),
	"access.scimClient.secretSink":       string(DefaultSCIMSecretSink),
	"identityServices.scimToken.sink":    string(DefaultIdentityTokSink),
}

type validator struct {
	c    *Config
	errs *Errors
}

// Validate checks every value against its allowed range or set and returns all problems as
// *Errors (nil when there are none). Each names the field path, the bad value (never a secret)
// and what is allowed.
func (c *Config) Validate() error {
	v := &validator{c: c, errs: &Errors{}}
	v.all()
	return v.errs.orNil()
}

func (v *validator) add(path, format string, args ...any) {
	v.errs.add(v.c.problem(path, fmt.Sprintf(format, args...)))
}

func (v *validator) required(path, val string, hint string) bool {
	if strings.TrimSpace(val) == "" {
		v.add(path, "is required (%s)", hint)
		return false
	}
	return true
}

func (v *validator) all() {
	c := v.c
	if c.APIVersion != "" && c.APIVersion != APIVersion {
		v.add("apiVersion", "%q is not supported (use %s)", c.APIVersion, APIVersion)
	}
	if c.Azure != nil {
		v.azure(c.Azure)
	}
	if c.Access != nil {
		v.access(c.Access)
	}
	if c.IdentityServices != nil {
		v.identity(c.IdentityServices)
	}
	if c.UEM != nil {
		v.uem(c.UEM)
	}
	if c.Okta != nil {
		v.okta(c.Okta)
	}
	if c.Doctor != nil {
		v.durRange("doctor.warnSecretExpiryBefore", c.Doctor.WarnSecretExpiryBefore, MinWarnBefore, MaxWarnBefore)
	}
}

func (v *validator) azure(a *Azure) {
	if v.required("azure.tenantId", a.TenantID, "the Entra tenant id, e.g. 11111111-2222-3333-4444-555555555555, or FLOWSCTL_AZURE_TENANT_ID") {
		t := a.TenantID
		if !uuidRe.MatchString(t) && !isDomain(t) {
			v.add("azure.tenantId", "%q is not a tenant id (a GUID) or a verified domain such as contoso.onmicrosoft.com", t)
		}
	}
	v.url("azure.authority", a.Authority)
	v.url("azure.graphUrl", a.GraphURL)
	if a.ReplicationBudget.D != 0 || v.c.present("azure.replicationBudget") {
		v.durRange("azure.replicationBudget", a.ReplicationBudget, MinReplicationBudget, MaxReplicationBudget)
	}
	s := a.SignIn
	if v.enum("azure.signIn.method", s.Method, SignInMethods) {
		switch s.Method {
		case "clientsecret":
			v.required("azure.signIn.clientId", s.ClientID, "signIn.method clientsecret signs in as an app registration")
			v.required("azure.signIn.clientSecret", string(s.ClientSecret), "signIn.method clientsecret: use env:FLOWSCTL_AZURE_SIGNIN_SECRET or file:PATH")
		case "certificate":
			v.required("azure.signIn.clientId", s.ClientID, "signIn.method certificate signs in as an app registration")
			v.required("azure.signIn.certificateFile", s.CertificateFile, "a PEM file with the certificate and its private key")
		}
	}
	if s.ClientID != "" && !uuidRe.MatchString(s.ClientID) {
		v.add("azure.signIn.clientId", "%q is not an application (client) id (a GUID)", s.ClientID)
	}
	v.secretRef("azure.signIn.clientSecret", s.ClientSecret, false)
	v.existingFile("azure.signIn.certificateFile", s.CertificateFile, true)

	app := a.App
	v.required("azure.app.displayName", app.DisplayName, "the app registration's display name")
	if len(app.DisplayName) > 256 {
		v.add("azure.app.displayName", "is %d characters long; Entra allows at most 256", len(app.DisplayName))
	}
	if v.required("azure.app.uniqueName", app.UniqueName, "the app's immutable natural key, e.g. ws1-mobile-flows-teams") {
		if strings.ContainsAny(app.UniqueName, " \t/\\?#%") || len(app.UniqueName) > 120 {
			v.add("azure.app.uniqueName", "%q must be at most 120 characters without spaces, /, \\, ?, # or %%", app.UniqueName)
		}
	}
	v.enum("azure.app.signInAudience", app.SignInAudience, SignInAudiences)
	if len(app.RedirectURIs) == 0 {
		v.add("azure.app.redirectUris", "needs at least one URI (the mobile flows callback is %s)", HeroRedirectURI)
	}
	for i, u := range app.RedirectURIs {
		v.urlReq(fmt.Sprintf("azure.app.redirectUris[%d]", i), u)
	}
	v.noDuplicates("azure.app.redirectUris", app.RedirectURIs)
	if !v.c.isDefaulted("azure.app.logoutUrl") {
		v.url("azure.app.logoutUrl", app.LogoutURL)
	}
	if len(app.DelegatedPermissions) == 0 {
		v.add("azure.app.delegatedPermissions", "needs at least one permission (the Teams connector uses %s)", strings.Join(DefaultDelegatedPermissions, ", "))
	}
	for i, p := range app.DelegatedPermissions {
		if !permissionRe.MatchString(p) {
			v.add(fmt.Sprintf("azure.app.delegatedPermissions[%d]", i), "%q is not a Microsoft Graph permission name such as User.Read", p)
		}
	}
	v.noDuplicates("azure.app.delegatedPermissions", app.DelegatedPermissions)
	sec := app.Secret
	v.required("azure.app.secret.displayName", sec.DisplayName, "the description of the client secret in Entra")
	v.durRange("azure.app.secret.lifetime", sec.Lifetime, MinSecretLifetime, MaxSecretLifetime)
	if v.durRange("azure.app.secret.warnBefore", sec.WarnBefore, MinWarnBefore, MaxWarnBefore) &&
		sec.Lifetime.D > 0 && sec.WarnBefore.D >= sec.Lifetime.D {
		v.add("azure.app.secret.warnBefore", "%s must be shorter than azure.app.secret.lifetime (%s)", sec.WarnBefore, sec.Lifetime)
	}
	v.secretRef("azure.app.secret.sink", sec.Sink, true)
}

func (v *validator) access(a *Access) {
	if v.required("access.url", string(a.URL), "the Access tenant URL, e.g. https://acme.vmwareidentity.com, or FLOWSCTL_ACCESS_URL") {
		v.url("access.url", string(a.URL))
	}
	if a.TenantInPath != "" && !tenantPathRe.MatchString(a.TenantInPath) {
		v.add("access.tenantInPath", "%q is not a tenant name (letters, digits, '.', '_', '-')", a.TenantInPath)
	}
	v.enum("access.mediaType", a.MediaType, MediaTypes)
	if v.required("access.auth.clientId", a.Auth.ClientID, "an Access OAuth client with scope admin, created once in the console") {
		v.accessID("access.auth.clientId", a.Auth.ClientID)
	}
	if v.required("access.auth.clientSecret", string(a.Auth.ClientSecret), "use env:FLOWSCTL_ACCESS_SECRET or file:PATH") {
		v.secretRef("access.auth.clientSecret", a.Auth.ClientSecret, false)
	}
	t := a.MobileFlowsTemplate
	const tp = "access.mobileFlowsTemplate."
	if v.required(tp+"templateId", t.TemplateID, "the template's appProductId, "+DefaultTemplateID) {
		v.accessID(tp+"templateId", t.TemplateID)
	}
	v.scopes(tp+"scope", t.Scope)
	if v.required(tp+"redirectUri", t.RedirectURI, HeroRedirectURI) {
		v.url(tp+"redirectUri", t.RedirectURI)
	}
	v.enum(tp+"tokenType", t.TokenType, TokenTypes)
	if !slices.Contains(TokenLengths, t.TokenLength) {
		v.add(tp+"tokenLength", "%d is not one of %s (bytes)", t.TokenLength, joinInts(TokenLengths))
	}
	v.durRange(tp+"accessTokenTTL", t.AccessTokenTTL, MinTokenTTL, 0)
	v.durRange(tp+"refreshTokenTTL", t.RefreshTokenTTL, MinTokenTTL, 0)
	v.durRange(tp+"idleTokenTTL", t.IdleTokenTTL, MinTokenTTL, 0)
	if s := a.SCIMClient; s != nil {
		if v.required("access.scimClient.clientId", s.ClientID, "e.g. "+DefaultSCIMClientID) {
			v.accessID("access.scimClient.clientId", s.ClientID)
		}
		v.scopes("access.scimClient.scope", s.Scope)
		v.durRange("access.scimClient.accessTokenTTL", s.AccessTokenTTL, MinTokenTTL, 0)
		v.secretRef("access.scimClient.secretSink", s.SecretSink, true)
	}
	if d := a.Directory; d != nil {
		v.dirName("access.directory.name", d.Name)
		if len(d.Domains) == 0 {
			v.add("access.directory.domains", "needs at least one domain (the Okta users' domain, unique in the tenant)")
		}
		for i, dom := range d.Domains {
			v.domain(fmt.Sprintf("access.directory.domains[%d]", i), dom)
		}
		v.noDuplicates("access.directory.domains", lower(d.Domains))
	}
}

func (v *validator) identity(is *IdentityServices) {
	if is.URL == "" {
		if is.Enabled {
			v.add("identityServices.url", "is required when there is no access.url (Identity Services lives on the Access tenant host)")
		}
	} else if !v.c.isDefaulted("identityServices.url") {
		v.url("identityServices.url", string(is.URL))
	}
	d := is.Directory
	if is.Enabled || d.Name != "" {
		v.dirName("identityServices.directory.name", d.Name)
	}
	if is.Enabled || d.Domain != "" {
		if v.required("identityServices.directory.domain", d.Domain, "the primary domain of the source directory, e.g. example.com") {
			v.domain("identityServices.directory.domain", d.Domain)
		}
	}
	v.enum("identityServices.directory.source", d.Source, DirectorySources)
	v.durRange("identityServices.scimToken.lifespan", is.SCIMToken.Lifespan, MinSCIMTokenLifespan, MaxSCIMTokenLifespan)
	v.secretRef("identityServices.scimToken.sink", is.SCIMToken.Sink, true)
	if o := is.OIDC; o != nil {
		const p = "identityServices.oidc."
		// With okta.oidcApp, flowsctl creates the Okta app and takes its issuer, client id and
		// secret from it; values written here still win.
		fromOkta := v.c.OIDCFromOkta()
		if fromOkta || v.required(p+"issuerUrl", string(o.IssuerURL), "the Okta org URL, e.g. https://example.okta.com") {
			v.url(p+"issuerUrl", string(o.IssuerURL))
		}
		if !fromOkta {
			v.required(p+"clientId", o.ClientID, "the client id of the Okta OIDC web app (or let flowsctl create it: okta.oidcApp)")
		}
		if fromOkta || v.required(p+"clientSecret", string(o.ClientSecret), "use env:FLOWSCTL_OKTA_OIDC_SECRET or file:PATH") {
			v.secretRef(p+"clientSecret", o.ClientSecret, false)
		}
		v.required(p+"oidcUserIdentifier", o.OIDCUserIdentifier, "the OIDC claim that identifies the user, e.g. email")
		v.required(p+"workspaceOneUserIdentifier", o.WorkspaceOneUserIdentifier, "the Workspace ONE user attribute, e.g. email")
	}
	if len(is.Services) == 0 {
		v.add("identityServices.services", "needs at least one of %s", strings.Join(IdentityServiceIDs, ", "))
	}
	for i, s := range is.Services {
		v.enum(fmt.Sprintf("identityServices.services[%d]", i), s, IdentityServiceIDs)
	}
	v.noDuplicates("identityServices.services", is.Services)
}

// uemAuth checks UEM credentials at p0 (uem.auth, or an integration's own auth).
func (v *validator) uemAuth(p0 string, au UEMAuth) {
	if au.OAuth == nil && au.Basic == nil {
		if au.APIKey != "" {
			v.add(p0, "an apiKey alone does not authenticate: add basic (username, password) or use oauth")
		} else {
			v.add(p0, "set oauth (recommended: region or tokenUrl, clientId, clientSecret) or basic with apiKey")
		}
	}
	if o := au.OAuth; o != nil {
		p := p0 + ".oauth."
		switch {
		case o.Region != "" && o.TokenURL != "":
			v.add(p+"tokenUrl", "set either region or tokenUrl, not both")
		case o.Region == "" && o.TokenURL == "":
			v.add(p+"region", "set region (%s) or tokenUrl", strings.Join(UEMRegions, ", "))
		case o.Region != "":
			v.enum(p+"region", o.Region, UEMRegions)
		default:
			v.url(p+"tokenUrl", string(o.TokenURL))
		}
		v.required(p+"clientId", o.ClientID, "the UEM OAuth client id (Groups & Settings > Configurations > OAuth Client Management)")
		if v.required(p+"clientSecret", string(o.ClientSecret), "use env:FLOWSCTL_UEM_OAUTH_SECRET or file:PATH") {
			v.secretRef(p+"clientSecret", o.ClientSecret, false)
		}
	}
	if b := au.Basic; b != nil {
		v.required(p0+".basic.username", b.Username, "the UEM API admin account")
		if v.required(p0+".basic.password", string(b.Password), "use env:FLOWSCTL_UEM_PASSWORD or file:PATH") {
			v.secretRef(p0+".basic.password", b.Password, false)
		}
		if au.APIKey == "" {
			v.add(p0+".apiKey", "is required with basic (the REST API key sent as aw-tenant-code): use env:FLOWSCTL_UEM_API_KEY or file:PATH")
		}
	}
	v.secretRef(p0+".apiKey", au.APIKey, false)
}

func (v *validator) uem(u *UEM) {
	if v.required("uem.url", string(u.URL), "the UEM API server, e.g. https://as1234.awmdm.com, or FLOWSCTL_UEM_URL") {
		v.url("uem.url", string(u.URL))
	}
	v.uemAuth("uem.auth", u.Auth)
	v.existingFile("uem.caFile", u.CAFile, false)
	if m := u.MobileFlows; m != nil {
		const p = "uem.mobileFlows."
		v.url(p+"host", string(m.Host))
		if v.enum(p+"mode", m.Mode, MobileFlowsModes) && m.Mode == "api" {
			if v.required(p+"adminUrl", string(m.AdminURL), "mode api calls the mobile flows admin API at this URL") {
				v.url(p+"adminUrl", string(m.AdminURL))
			}
		} else {
			v.url(p+"adminUrl", string(m.AdminURL))
		}
		names := map[string]int{}
		for i, k := range m.Connectors {
			cp := fmt.Sprintf("%sconnectors[%d]", p, i)
			if v.required(cp+".name", k.Name, "the connector's display name, its natural key") {
				if j, dup := names[strings.ToLower(k.Name)]; dup {
					v.add(cp+".name", "%q is also the name of connectors[%d]; names must be unique", k.Name, j)
				}
				names[strings.ToLower(k.Name)] = i
			}
			switch {
			case k.Catalog == "" && k.DiscoveryURL == "":
				v.add(cp, "set catalog (an OOTB connector such as teams) or discoveryUrl (a self-hosted connector)")
			case k.Catalog != "" && k.DiscoveryURL != "":
				v.add(cp+".discoveryUrl", "set either catalog or discoveryUrl, not both")
			}
			v.url(cp+".baseUrl", k.BaseURL)
			v.url(cp+".discoveryUrl", string(k.DiscoveryURL))
			if v.enum(cp+".notification", k.Notification, Notifications) && k.Notification == "push" && k.Catalog != "" {
				v.add(cp+".notification", "push is not available for VMware-hosted (catalog) connectors, they poll every 60 minutes; use poll or a self-hosted connector (discoveryUrl)")
			}
			if why := ConnectorBaseURLProblem(k.Catalog, k.BaseURL); why != "" {
				v.add(cp+".baseUrl", "%s", why)
			}
		}
	}
	if b := u.Boxer; b != nil {
		if b.SyncTimeHours < 1 || b.SyncTimeHours > MaxBoxerSyncHours {
			v.add("uem.boxer.syncTimeHours", "%d is not between 1 and %d (hours)", b.SyncTimeHours, MaxBoxerSyncHours)
		}
		for i, g := range b.SmartGroups {
			if strings.TrimSpace(g) == "" {
				v.add(fmt.Sprintf("uem.boxer.smartGroups[%d]", i), "is empty")
			}
		}
	}
	names := map[string]int{}
	for i, in := range u.Integrations {
		p := fmt.Sprintf("uem.integrations[%d].", i)
		if v.required(p+"name", in.Name, "a name for the third-party dashboard, e.g. harmony-mobile") {
			if j, dup := names[in.Name]; dup {
				v.add(p+"name", "%q is also the name of uem.integrations[%d]; names must be unique", in.Name, j)
			}
			names[in.Name] = i
		}
		if len(in.Groups) == 0 {
			v.add(p+"groups", "needs at least one organization group or smart group")
		}
		v.syncInterval(p+"deviceSyncInterval", in.DeviceSyncInterval)
		v.syncInterval(p+"appSyncInterval", in.AppSyncInterval)
		if in.DeviceDeletionThreshold < 0 || in.DeviceDeletionThreshold > 100 {
			v.add(p+"deviceDeletionThreshold", "%d is not between 0 and 100 (percent)", in.DeviceDeletionThreshold)
		}
		if in.DeviceDeletionAfter < 1 || in.DeviceDeletionAfter > 100 {
			v.add(p+"deviceDeletionAfter", "%d is not between 1 and 100 (sync tries)", in.DeviceDeletionAfter)
		}
		v.existingFile(p+"serverCertificate", in.ServerCertificate, false)
		if in.Auth != nil {
			v.uemAuth(p+"auth", *in.Auth)
		}
	}
}

// syncInterval is the integration preflight guide's rule: 10 to 1440 minutes in steps of 10.
func (v *validator) syncInterval(path string, d Duration) {
	if d.D < MinSyncInterval || d.D > MaxSyncInterval || d.D%SyncStep != 0 {
		v.add(path, "%s is not a multiple of %s between %s and %s", d, fmtMin(SyncStep), fmtMin(MinSyncInterval), fmtMin(MaxSyncInterval))
	}
}

func fmtMin(d time.Duration) string { return strconv.FormatInt(int64(d/time.Minute), 10) + "m" }

// durRange checks min <= d <= max (max 0 = no upper bound beyond the parser's 100 years).
func (v *validator) durRange(path string, d Duration, lo, hi time.Duration) bool {
	switch {
	case hi > 0 && (d.D < lo || d.D > hi):
		v.add(path, "%s is not between %s and %s", d, FormatDuration(lo), FormatDuration(hi))
		return false
	case d.D < lo:
		v.add(path, "%s is shorter than the minimum %s", d, FormatDuration(lo))
		return false
	}
	return true
}

func (v *validator) enum(path, val string, set []string) bool {
	if slices.Contains(set, val) {
		return true
	}
	if val == "" {
		v.add(path, "is required: one of %s", strings.Join(set, ", "))
		return false
	}
	msg := fmt.Sprintf("%q is not one of %s", val, strings.Join(set, ", "))
	if s := text.Suggest(val, set); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	v.add(path, "%s", msg)
	return false
}

func (v *validator) scopes(path string, scopes []string) {
	if len(scopes) == 0 {
		v.add(path, "needs at least one scope (%s, or a resource UUID)", strings.Join(AccessScopes, ", "))
	}
	for i, s := range scopes {
		if !slices.Contains(AccessScopes, s) && !uuidRe.MatchString(s) {
			v.add(fmt.Sprintf("%s[%d]", path, i), "%q is not one of %s, or a resource UUID", s, strings.Join(AccessScopes, ", "))
		}
	}
	v.noDuplicates(path, scopes)
}

func (v *validator) accessID(path, id string) {
	if len(id) > 256 || !accessIDRe.MatchString(id) {
		v.add(path, "%q must be at most 256 characters of letters, digits, '.', '_', '-', '@'", id)
	}
}

func (v *validator) noDuplicates(path string, items []string) {
	seen := map[string]int{}
	for i, s := range items {
		if j, ok := seen[s]; ok {
			v.add(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice (also at [%d])", s, j)
			continue
		}
		seen[s] = i
	}
}

func lower(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// dirName is the Identity Services with Okta guide's rule for directory names.
func (v *validator) dirName(path, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		v.add(path, "is required: up to %d letters, digits, spaces, '-' or '_'", MaxDirectoryName)
	case len([]rune(name)) > MaxDirectoryName:
		v.add(path, "is %d characters long; at most %d letters, digits, spaces, '-' or '_' are allowed", len([]rune(name)), MaxDirectoryName)
	case !dirNameRe.MatchString(name):
		v.add(path, "%q may only contain letters, digits, spaces, '-' and '_' (at most %d)", name, MaxDirectoryName)
	}
}

func (v *validator) domain(path, d string) {
	if !isDomain(d) {
		v.add(path, "%q is not a domain name such as example.com (labels of letters, digits and '-', with a dot)", d)
	}
}

func isDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(d, "."), ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !domainLabelRe.MatchString(l) {
			return false
		}
	}
	// The top-level label is never all digits (rules out IP addresses).
	_, err := strconv.Atoi(labels[len(labels)-1])
	return err != nil
}

// url checks an optional URL (empty is fine).
func (v *validator) url(path, raw string) {
	if raw != "" {
		v.urlReq(path, raw)
	}
}

func (v *validator) urlReq(path, raw string) {
	if msg := checkURL(raw); msg != "" {
		v.add(path, "%s", msg)
	}
}

// checkURL returns "" for an absolute https URL, or http on a loopback host.
func checkURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err == nil && u.User != nil {
		// Never echo it: the part before @ may be a password.
		return "must not contain credentials (user:password@); put secrets in env: or file: references"
	}
	show := raw
	if len(show) > 200 {
		show = show[:200] + "…"
	}
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("%q is not an absolute https URL (e.g. https://host.example.com)", show)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return fmt.Sprintf("%q uses http: use https (http is allowed only for 127.0.0.0/8, ::1 and localhost)", show)
		}
	default:
		return fmt.Sprintf("%q is not an https URL (scheme %q; http is allowed only for 127.0.0.0/8, ::1 and localhost)", show, u.Scheme)
	}
	if u.Fragment != "" {
		return fmt.Sprintf("%q must not have a #fragment", show)
	}
	return ""
}

// IsLoopback reports whether host is localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secretRef checks a reference; sink refs must be files flowsctl can write.
func (v *validator) secretRef(path string, ref SecretRef, sink bool) {
	if ref == "" {
		return
	}
	switch ref.Kind() {
	case "":
		if sink {
			v.add(path, "must be file:PATH, where flowsctl writes the created secret (e.g. %s)", secretHint[path])
			return
		}
		env := secretHint[path]
		if env == "" {
			env = "FLOWSCTL_SECRET"
		}
		v.add(path, "a literal secret is not allowed here; use env:%s or file:/path/to/secret (mode 0600)", env)
		return
	case "env":
		if sink {
			v.add(path, "must be file:PATH: flowsctl writes the created secret there and cannot set an environment variable (e.g. %s)", secretHint[path])
			return
		}
		if !envNameRe.MatchString(ref.Target()) {
			v.add(path, "the name after env: is not a valid environment variable name (letters, digits and _, not starting with a digit)")
		}
		return
	}
	p := ref.Target()
	if strings.TrimSpace(p) == "" {
		v.add(path, "file: needs a path, e.g. file:/path/to/secret (mode 0600)")
		return
	}
	full := v.c.ResolvePath(p)
	st, err := os.Stat(full)
	if err != nil {
		return // a sink is created by apply; a missing input is reported when it is read
	}
	if st.IsDir() {
		v.add(path, "%s is a directory, not a file", full)
		return
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		v.add(path, "%s has mode %04o: other users can read it (run: chmod 600 %s)", full, st.Mode().Perm(), full)
	}
}

// existingFile checks that a configured file (CA bundle, certificate) exists.
func (v *validator) existingFile(path, p string, private bool) {
	if p == "" {
		return
	}
	full := v.c.ResolvePath(p)
	st, err := os.Stat(full)
	switch {
	case err != nil:
		v.add(path, "%s: no such file (fix the path or remove the key)", full)
	case st.IsDir():
		v.add(path, "%s is a directory, not a file", full)
	case private && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0:
		v.add(path, "%s holds a private key and has mode %04o (run: chmod 600 %s)", full, st.Mode().Perm(), full)
	}
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
