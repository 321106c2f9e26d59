// Package azure registers the Entra ID application behind the Microsoft Teams mobile flows
// connector (the Teams mobile flows guide): a multitenant app with the hero redirect URI, the Access logout URL and
// delegated Microsoft Graph permissions, its service principal, tenant-wide admin consent and a
// client secret. It is the only package that imports msgraph-sdk-go; callers see plain Go types.
package azure

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// Values of the Teams mobile flows guide (reference §1).
const (
	HeroRedirectURI       = "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"
	MultipleOrgs          = "AzureADMultipleOrgs"
	GraphAppID            = "00000003-0000-0000-c000-000000000000"
	DefaultDisplayName    = "Workspace ONE mobile flows - Microsoft Teams"
	DefaultSecretName     = "flowsctl"
	DefaultBudget         = 3 * time.Minute
	defaultSecretLifetime = 12 * config.Month
	defaultWarnBefore     = 30 * config.Day
)

// DefaultScopes are the delegated Graph permissions the Teams connector needs.
var DefaultScopes = []string{"offline_access", "User.Read", "User.Read.All", "MailboxSettings.Read", "Group.ReadWrite.All"}

// Spec is the desired Entra application, resolved from flowsctl.yaml (and flag overrides).
type Spec struct {
	Settings
	Scopes       []string `json:"delegatedPermissions"`
	AdminConsent bool     `json:"adminConsent"`
	// SecretName prefixes the displayName of the client secrets flowsctl creates ("flowsctl 2026-11-23").
	SecretName     string        `json:"secretDisplayName"`
	SecretLifetime time.Duration `json:"-"`
	WarnBefore     time.Duration `json:"-"`
	// Sink is where a new secret value goes (absolute: config.Load resolved it).
	Sink config.SecretRef `json:"secretSink"`
	// AllowNoSink lets a secret be created without a writable sink (the caller shows it once).
	AllowNoSink bool `json:"-"`
	// ReplicationBudget bounds the retries of Entra's replication errors.
	ReplicationBudget time.Duration `json:"-"`
}

// SpecFromConfig reads the azure section, filling the Teams mobile flows guide's defaults for unset values.
func SpecFromConfig(cfg *config.Config) (Spec, error) {
	if cfg == nil || cfg.Azure == nil {
		return Spec{}, errors.New("flowsctl.yaml has no azure section (add one with: flowsctl init, or see docs/configuration.md#azure)")
	}
	a := cfg.Azure.App
	s := Spec{
		Settings: Settings{DisplayName: strings.TrimSpace(a.DisplayName), UniqueName: strings.TrimSpace(a.UniqueName),
			SignInAudience: a.SignInAudience, RedirectURIs: append([]string(nil), a.RedirectURIs...)},
		Scopes:            append([]string(nil), a.DelegatedPermissions...),
		AdminConsent:      a.AdminConsent,
		SecretName:        strings.TrimSpace(a.Secret.DisplayName),
		SecretLifetime:    a.Secret.Lifetime.D,
		WarnBefore:        a.Secret.WarnBefore.D,
		Sink:              a.Secret.Sink,
		ReplicationBudget: cfg.Azure.ReplicationBudget.D,
	}
	if s.DisplayName == "" {
		s.DisplayName = DefaultDisplayName
	}
	if s.SignInAudience == "" {
		s.SignInAudience = MultipleOrgs
	}
	if len(s.RedirectURIs) == 0 {
		s.RedirectURIs = []string{HeroRedirectURI}
	}
	if len(s.Scopes) == 0 {
		s.Scopes = append([]string(nil), DefaultScopes...)
	}
	if s.SecretName == "" {
		s.SecretName = DefaultSecretName
	}
	if s.SecretLifetime <= 0 {
		s.SecretLifetime = defaultSecretLifetime
	}
	if s.WarnBefore <= 0 {
		s.WarnBefore = defaultWarnBefore
	}
	if s.ReplicationBudget <= 0 {
		s.ReplicationBudget = DefaultBudget
	}
	if s.Sink == "" {
		s.Sink = cfg.ResolveRef(config.DefaultTeamsSecretSink) // a config built in memory has no defaults
	}
	// config.LogoutURL is the explicit value, or one derived from the current access.url
	// (tenant-in-path aware), so an --access-url override is honoured.
	s.LogoutURL = strings.TrimSpace(cfg.LogoutURL())
	return s, s.Validate()
}

// Validate reports the first problem, naming the config key.
func (s Spec) Validate() error {
	switch {
	case s.UniqueName == "":
		return errors.New("azure.app.uniqueName is empty: set the app's natural key, e.g. ws1-mobile-flows-teams (it is immutable in Entra)")
	case len(s.UniqueName) > 120 || strings.ContainsAny(s.UniqueName, "'/\\?#%"):
		return fmt.Errorf("azure.app.uniqueName %q: use at most 120 characters without ' / \\ ? # %%", s.UniqueName)
	case s.SecretLifetime > 2*config.Year:
		return fmt.Errorf("azure.app.secret.lifetime %s: Entra allows at most 2y (default 12mo)", config.FormatDuration(s.SecretLifetime))
	}
	for i, u := range s.RedirectURIs {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://localhost") {
			return fmt.Errorf("azure.app.redirectUris[%d] %q: must be an https URL", i, u)
		}
	}
	if s.LogoutURL != "" && !strings.HasPrefix(s.LogoutURL, "https://") {
		return fmt.Errorf("azure.app.logoutUrl %q: must be an https URL (default: <access.url>/SAAS/auth/logout)", s.LogoutURL)
	}
	return nil
}
