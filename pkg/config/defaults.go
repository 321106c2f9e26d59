package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Values from the procedures flowsctl automates: the Boxer guide (VMware mobile flows
// documentation), the Teams mobile flows guide, the Identity Services with Okta guide and the
// Okta SCIM to Access guide.
const (
	APIVersion = "flowsctl/v1"

	// HeroHost is the mobile flows cloud service.
	HeroHost = "https://prod.hero.vmwservices.com"
	// HeroRedirectURI is the redirect URI of the Entra app and of MobileFlows_Server_Template.
	HeroRedirectURI = HeroHost + "/token-exchange/oauth2/callback"
	// TeamsGraphBaseURL is the Base URL of the OOTB Teams connector (v1.0 works only for Planner).
	TeamsGraphBaseURL = "https://graph.microsoft.com/beta"
	// PlannerGraphBaseURL is the Base URL of the OOTB Planner connector.
	PlannerGraphBaseURL = "https://graph.microsoft.com/v1.0"

	DefaultTemplateID      = "MobileFlows_Server_Template"
	DefaultAppDisplayName  = "Workspace ONE mobile flows - Microsoft Teams"
	DefaultAppUniqueName   = "ws1-mobile-flows-teams"
	DefaultSignInAudience  = "AzureADMultipleOrgs"
	DefaultSecretName      = "flowsctl"
	DefaultTeamsSecretSink = SecretRef("file:.flowsctl/secrets/teams-client-secret")
	DefaultSCIMClientID    = "OktaSCIM"
	DefaultSCIMSecretSink  = SecretRef("file:.flowsctl/secrets/access-oktascim-secret")
	DefaultIdentityTokSink = SecretRef("file:.flowsctl/secrets/identity-scim-token")
	DefaultDirectoryName   = "Okta Universal Directory"
)

// DefaultDelegatedPermissions are the Microsoft Graph delegated permissions the Teams connector needs.
var DefaultDelegatedPermissions = []string{"offline_access", "User.Read", "User.Read.All", "MailboxSettings.Read", "Group.ReadWrite.All"}

// DefaultTemplateScope is the scope of MobileFlows_Server_Template.
var DefaultTemplateScope = []string{"email", "profile", "user", "openid"}

// ApplyDefaults fills what the document left unset with the guides' defaults, only in the
// sections that are present. A string or list that is empty counts as unset; a boolean or a
// number whose zero is meaningful (adminConsent, deviceDeletionThreshold, ...) is only
// defaulted when the loaded document did not write the key — in a config built in code, false
// and 0 are kept as they are.
func ApplyDefaults(c *Config) {
	if c == nil {
		return
	}
	if c.APIVersion == "" {
		c.APIVersion = APIVersion
	}
	if a := c.Azure; a != nil {
		str(&a.SignIn.Method, "devicecode")
		if a.ReplicationBudget.IsZero() && !c.present("azure.replicationBudget") {
			a.ReplicationBudget = MustDuration("3m")
		}
		app := &a.App
		str(&app.DisplayName, DefaultAppDisplayName)
		str(&app.UniqueName, DefaultAppUniqueName)
		str(&app.SignInAudience, DefaultSignInAudience)
		list(&app.RedirectURIs, HeroRedirectURI)
		list(&app.DelegatedPermissions, DefaultDelegatedPermissions...)
		c.boolean("azure.app.adminConsent", &app.AdminConsent, true)
		if app.LogoutURL == "" {
			if u := c.derivedLogoutURL(); u != "" {
				app.LogoutURL = u
				c.metadata().defaulted["azure.app.logoutUrl"] = true
			}
		}
		s := &app.Secret
		str(&s.DisplayName, DefaultSecretName)
		c.duration("azure.app.secret.lifetime", &s.Lifetime, "12mo")
		c.duration("azure.app.secret.warnBefore", &s.WarnBefore, "30d")
		if s.Sink == "" {
			s.Sink = DefaultTeamsSecretSink
		}
	}
	if a := c.Access; a != nil {
		str(&a.MediaType, "auto")
		t := &a.MobileFlowsTemplate
		str(&t.TemplateID, DefaultTemplateID)
		list(&t.Scope, DefaultTemplateScope...)
		str(&t.RedirectURI, HeroRedirectURI)
		str(&t.TokenType, "Bearer")
		c.integer("access.mobileFlowsTemplate.tokenLength", &t.TokenLength, 32, false)
		c.boolean("access.mobileFlowsTemplate.issueRefreshToken", &t.IssueRefreshToken, true)
		c.duration("access.mobileFlowsTemplate.accessTokenTTL", &t.AccessTokenTTL, "1d")
		c.duration("access.mobileFlowsTemplate.refreshTokenTTL", &t.RefreshTokenTTL, "90d")
		c.duration("access.mobileFlowsTemplate.idleTokenTTL", &t.IdleTokenTTL, "10d")
		// userGrant defaults to false, the zero value.
		if s := a.SCIMClient; s != nil {
			str(&s.ClientID, DefaultSCIMClientID)
			list(&s.Scope, "admin")
			c.duration("access.scimClient.accessTokenTTL", &s.AccessTokenTTL, "1y")
			if s.SecretSink == "" {
				s.SecretSink = DefaultSCIMSecretSink
			}
		}
		if d := a.Directory; d != nil {
			str(&d.Name, DefaultDirectoryName)
		}
	}
	if is := c.IdentityServices; is != nil {
		if is.URL == "" && c.Access != nil && c.Access.URL != "" {
			is.URL = URL(tenantRoot(string(c.Access.URL)))
			c.metadata().defaulted["identityServices.url"] = true
		}
		str(&is.Directory.Source, "OKTA")
		c.duration("identityServices.scimToken.lifespan", &is.SCIMToken.Lifespan, "6mo")
		if is.SCIMToken.Sink == "" {
			is.SCIMToken.Sink = DefaultIdentityTokSink
		}
		if o := is.OIDC; o != nil {
			str(&o.OIDCUserIdentifier, "email")
			str(&o.WorkspaceOneUserIdentifier, "email")
		}
		list(&is.Services, "access", "uem")
	}
	if u := c.UEM; u != nil {
		if m := u.MobileFlows; m != nil {
			str((*string)(&m.Host), HeroHost)
			str(&m.Mode, "guided")
			for i := range m.Connectors {
				k := &m.Connectors[i]
				str(&k.Notification, "poll")
				if k.BaseURL == "" {
					switch strings.ToLower(k.Catalog) {
					case "teams", "microsoft-teams", "microsoft teams":
						k.BaseURL = TeamsGraphBaseURL
					case "planner", "microsoft-planner", "microsoft planner":
						k.BaseURL = PlannerGraphBaseURL
					}
				}
			}
		}
		if b := u.Boxer; b != nil {
			c.boolean("uem.boxer.enabled", &b.Enabled, true)
			c.integer("uem.boxer.syncTimeHours", &b.SyncTimeHours, 24, false)
		}
		for i := range u.Integrations {
			in := &u.Integrations[i]
			p := fmt.Sprintf("uem.integrations[%d].", i)
			c.duration(p+"deviceSyncInterval", &in.DeviceSyncInterval, "60m")
			c.duration(p+"appSyncInterval", &in.AppSyncInterval, "240m")
			c.integer(p+"deviceDeletionThreshold", &in.DeviceDeletionThreshold, 100, true)
			c.integer(p+"deviceDeletionAfter", &in.DeviceDeletionAfter, 3, false)
		}
	}
	applyOktaDefaults(c)
	if d := c.Doctor; d != nil {
		c.duration("doctor.warnSecretExpiryBefore", &d.WarnSecretExpiryBefore, "30d")
	}
}

func str(dst *string, v string) {
	if strings.TrimSpace(*dst) == "" {
		*dst = v
	}
}

func list(dst *[]string, v ...string) {
	if len(*dst) == 0 {
		*dst = append([]string(nil), v...)
	}
}

func (c *Config) duration(path string, dst *Duration, v string) {
	if dst.IsZero() && !c.present(path) {
		*dst = MustDuration(v)
	}
}

// boolean defaults a flag only when a loaded document left the key out.
func (c *Config) boolean(path string, dst *bool, v bool) {
	if c.decoded() && !c.present(path) {
		*dst = v
	}
}

// integer defaults a number that is 0 and not written; zeroMeaningful numbers are only
// defaulted in loaded documents (0 is a valid value for them).
func (c *Config) integer(path string, dst *int, v int, zeroMeaningful bool) {
	if *dst != 0 || c.present(path) {
		return
	}
	if zeroMeaningful && !c.decoded() {
		return
	}
	*dst = v
}

// tenantRoot is the Access URL without a trailing /SAAS (Access URLs may be written with it).
func tenantRoot(raw string) string {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	return strings.TrimSuffix(s, "/SAAS")
}

func (c *Config) derivedLogoutURL() string {
	if c.Access == nil || c.Access.URL == "" {
		return ""
	}
	root := tenantRoot(string(c.Access.URL))
	if u, err := url.Parse(root); err == nil && strings.Contains(u.Path, "/SAAS/") {
		return root + "/auth/logout" // tenant in path: .../SAAS/t/<tenant>/auth/logout
	}
	if t := strings.Trim(c.Access.TenantInPath, "/"); t != "" {
		return root + "/SAAS/t/" + url.PathEscape(t) + "/auth/logout"
	}
	return root + "/SAAS/auth/logout"
}

// LogoutURL is azure.app.logoutUrl, or <access.url>/SAAS/auth/logout when it was not set
// (computed from the current access.url, so a later --access-url flag is honoured).
func (c *Config) LogoutURL() string {
	if c.Azure != nil && c.Azure.App.LogoutURL != "" && !c.isDefaulted("azure.app.logoutUrl") {
		return c.Azure.App.LogoutURL
	}
	return c.derivedLogoutURL()
}

// IdentityURL is identityServices.url, or the Access tenant URL when it was not set
// (Identity Services lives on the Access tenant host).
func (c *Config) IdentityURL() string {
	if c.IdentityServices != nil && c.IdentityServices.URL != "" && !c.isDefaulted("identityServices.url") {
		return string(c.IdentityServices.URL)
	}
	if c.Access == nil || c.Access.URL == "" {
		return ""
	}
	return tenantRoot(string(c.Access.URL))
}

func (c *Config) decoded() bool { return c.meta != nil && c.meta.decoded }

func (c *Config) isDefaulted(path string) bool {
	return c.meta != nil && c.meta.defaulted[path]
}

// sectionPresent tells, for each section Require knows, whether c has it.
var sectionPresent = map[string]func(c *Config) bool{
	"azure":            func(c *Config) bool { return c.Azure != nil },
	"access":           func(c *Config) bool { return c.Access != nil },
	"identityServices": func(c *Config) bool { return c.IdentityServices != nil },
	"uem":              func(c *Config) bool { return c.UEM != nil },
	"okta":             func(c *Config) bool { return c.Okta != nil },
	"doctor":           func(c *Config) bool { return c.Doctor != nil },
}

// Require fails, naming the missing sections and how to add them, unless every named section
// (azure, access, identityServices, uem, doctor) is present.
func (c *Config) Require(sections ...string) error {
	var missing []string
	for _, s := range sections {
		if has, known := sectionPresent[s]; known && !has(c) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	file := c.Path
	if file == "" {
		file = "flowsctl.yaml"
	}
	return fmt.Errorf("%s has no %s section: add it (see docs/configuration.md, or run: flowsctl init)", file, strings.Join(missing, ", "))
}
