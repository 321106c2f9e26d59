package access

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// Defaults from the Teams mobile flows guide and the Okta SCIM to Access guide.
const (
	DefaultTemplateID   = "MobileFlows_Server_Template"
	DefaultRedirectURI  = "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"
	DefaultSCIMClientID = "OktaSCIM"
	DefaultDirectory    = "Okta Universal Directory"
)

var (
	defaultTemplateScope   = []string{"email", "profile", "user", "openid"}
	defaultAccessTTL       = config.MustDuration("1d")
	defaultRefreshTTL      = config.MustDuration("90d")
	defaultIdleTTL         = config.MustDuration("10d")
	defaultSCIMAccessTTL   = config.MustDuration("1y")
	defaultSCIMRefreshTTL  = config.MustDuration("90d")
	defaultSCIMIdleTTL     = config.MustDuration("4d")
	minSCIMTokenTTLWarning = 30 * config.Day
)

// TemplateSpec is the wanted state of an OAuth2 app template.
type TemplateSpec struct {
	AppProductID      string
	Scope             []string
	RedirectURI       string
	TokenType         string
	Length            int
	IssueRefreshToken bool
	AccessTokenTTL    config.Duration
	RefreshTokenTTL   config.Duration
	IdleTokenTTL      config.Duration
	DisplayUserGrant  bool
}

// TemplateSpecFrom fills access.mobileFlowsTemplate with the Teams mobile flows guide's defaults. An empty section
// means all defaults (refresh token issued). Otherwise issueRefreshToken is taken as written,
// and setting refreshTokenTTL or idleTokenTTL implies it.
func TemplateSpecFrom(t config.MobileFlowsTemplate) TemplateSpec {
	empty := t.TemplateID == "" && len(t.Scope) == 0 && t.RedirectURI == "" && t.TokenType == "" && t.TokenLength == 0 &&
		!t.IssueRefreshToken && t.AccessTokenTTL.IsZero() && t.RefreshTokenTTL.IsZero() && t.IdleTokenTTL.IsZero() && !t.UserGrant
	s := TemplateSpec{
		AppProductID:      or(t.TemplateID, DefaultTemplateID),
		Scope:             t.Scope,
		RedirectURI:       or(t.RedirectURI, DefaultRedirectURI),
		TokenType:         or(t.TokenType, "Bearer"),
		Length:            t.TokenLength,
		IssueRefreshToken: empty || t.IssueRefreshToken || !t.RefreshTokenTTL.IsZero() || !t.IdleTokenTTL.IsZero(),
		AccessTokenTTL:    durOr(t.AccessTokenTTL, defaultAccessTTL),
		RefreshTokenTTL:   durOr(t.RefreshTokenTTL, defaultRefreshTTL),
		IdleTokenTTL:      durOr(t.IdleTokenTTL, defaultIdleTTL),
		DisplayUserGrant:  t.UserGrant,
	}
	if len(s.Scope) == 0 {
		s.Scope = defaultTemplateScope
	}
	if s.Length == 0 {
		s.Length = 32
	}
	return s
}

// Validate checks the spec the way the Access console does.
func (s TemplateSpec) Validate() error {
	if !validID(s.AppProductID) {
		return fmt.Errorf("access.mobileFlowsTemplate.templateId %q: use letters, digits and . _ - @ only", s.AppProductID)
	}
	if s.Length != 32 && s.Length != 64 {
		return fmt.Errorf("access.mobileFlowsTemplate.tokenLength %d: the console offers 32 or 64", s.Length)
	}
	for _, d := range []struct {
		name string
		v    config.Duration
	}{{"accessTokenTTL", s.AccessTokenTTL}, {"refreshTokenTTL", s.RefreshTokenTTL}, {"idleTokenTTL", s.IdleTokenTTL}} {
		if d.v.D < time.Minute {
			return fmt.Errorf("access.mobileFlowsTemplate.%s %q: must be at least 1m", d.name, d.v)
		}
	}
	if s.TokenType != "Bearer" {
		return fmt.Errorf("access.mobileFlowsTemplate.tokenType %q: Access only issues Bearer tokens", s.TokenType)
	}
	return nil
}

// Wire is the template as Access stores it.
func (s TemplateSpec) Wire() Template {
	grants := "authorization_code"
	if s.IssueRefreshToken {
		grants += " refresh_token"
	}
	return Template{
		AppProductID:        s.AppProductID,
		Scope:               strings.Join(s.Scope, " "),
		AuthGrantTypes:      grants,
		RedirectURI:         s.RedirectURI,
		TokenType:           s.TokenType,
		Length:              s.Length,
		AccessTokenTTL:      s.AccessTokenTTL.Minutes(),
		RefreshTokenTTL:     s.RefreshTokenTTL.Minutes(),
		RefreshTokenIdleTTL: s.IdleTokenTTL.Minutes(),
		DisplayUserGrant:    s.DisplayUserGrant,
	}
}

// ClientSpec is the wanted state of the SCIM service client (Remote App Access, Service Client Token).
type ClientSpec struct {
	ClientID       string
	Scope          []string
	AccessTokenTTL config.Duration
	// SecretSink is where the generated secret is written (a file: reference, absolute after
	// config load; read and written through cfg.Secret and cfg.WriteSecret).
	SecretSink config.SecretRef
}

// ClientSpecFrom reads access.scimClient with the Okta SCIM to Access guide's defaults (OktaSCIM, scope admin, 1y).
func ClientSpecFrom(cfg *config.Config) (ClientSpec, error) {
	if cfg == nil || cfg.Access == nil || cfg.Access.SCIMClient == nil {
		return ClientSpec{}, fmt.Errorf("no access.scimClient section: add clientId, accessTokenTTL and secretSink (see docs/guides/scim-okta-access.md)")
	}
	c := cfg.Access.SCIMClient
	s := ClientSpec{
		ClientID:       or(c.ClientID, DefaultSCIMClientID),
		Scope:          c.Scope,
		AccessTokenTTL: durOr(c.AccessTokenTTL, defaultSCIMAccessTTL),
		SecretSink:     c.SecretSink,
	}
	if len(s.Scope) == 0 {
		s.Scope = []string{"admin"}
	}
	if !validID(s.ClientID) {
		return s, fmt.Errorf("access.scimClient.clientId %q: use letters, digits and . _ - @ only", s.ClientID)
	}
	if !slices.Contains(s.Scope, "admin") {
		return s, fmt.Errorf("access.scimClient.scope %v: Okta's SCIM calls need scope admin (add admin)", s.Scope)
	}
	if s.SecretSink.Kind() != "file" {
		return s, fmt.Errorf("access.scimClient.secretSink %q: set it to file:PATH; the generated secret is written there (0600)", c.SecretSink)
	}
	if s.AccessTokenTTL.D < time.Minute {
		return s, fmt.Errorf("access.scimClient.accessTokenTTL %q: must be at least 1m", s.AccessTokenTTL)
	}
	return s, nil
}

// Wire is the client as Access stores it (without the secret).
func (s ClientSpec) Wire() OAuthClient {
	return OAuthClient{
		ClientID:            s.ClientID,
		RememberAs:          s.ClientID,
		Scope:               strings.Join(s.Scope, " "),
		AuthGrantTypes:      "client_credentials",
		TokenType:           "Bearer",
		TokenLength:         32,
		AccessTokenTTL:      s.AccessTokenTTL.Minutes(),
		RefreshTokenTTL:     defaultSCIMRefreshTTL.Minutes(),
		RefreshTokenIdleTTL: defaultSCIMIdleTTL.Minutes(),
	}
}

// DirectorySpec is the wanted directory of type Other.
type DirectorySpec struct {
	Name    string
	Domains []string
}

// DirectorySpecFrom reads access.directory.
func DirectorySpecFrom(cfg *config.Config) (DirectorySpec, error) {
	if cfg == nil || cfg.Access == nil || cfg.Access.Directory == nil {
		return DirectorySpec{}, fmt.Errorf("no access.directory section: add name and domains (the domain Okta sends, unique in the tenant)")
	}
	d := cfg.Access.Directory
	s := DirectorySpec{Name: or(d.Name, DefaultDirectory)}
	for _, dom := range d.Domains {
		if dom = strings.TrimSpace(dom); dom != "" {
			s.Domains = append(s.Domains, dom)
		}
	}
	if len(s.Domains) == 0 {
		return s, fmt.Errorf("access.directory.domains is empty: add the domain Okta maps users to (e.g. okta.example.com); it must not belong to another directory")
	}
	return s, nil
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func durOr(d, def config.Duration) config.Duration {
	if d.IsZero() {
		return def
	}
	return d
}

func validID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == '@':
		default:
			return false
		}
	}
	return true
}

// words splits a space- or comma-delimited list into a sorted set.
func words(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	sort.Strings(f)
	out := f[:0]
	for i, w := range f {
		if i == 0 || w != f[i-1] {
			out = append(out, w)
		}
	}
	return out
}

func sameSet(a, b string) bool { return strings.Join(words(a), " ") == strings.Join(words(b), " ") }

// ttl renders minutes both ways: "1440 (1d)".
func ttl(min int64) string {
	return fmt.Sprintf("%d (%s)", min, FormatMinutes(min))
}

// FormatMinutes writes a TTL the way the Access console counts it: whole years of 365 days,
// else days (so 90 days stays "90d" rather than "3mo"), else hours, else minutes.
func FormatMinutes(min int64) string {
	d := time.Duration(min) * time.Minute
	switch {
	case d == 0:
		return "0m"
	case d%config.Year == 0:
		return fmt.Sprintf("%dy", d/config.Year)
	case d%config.Day == 0:
		return fmt.Sprintf("%dd", d/config.Day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", min)
}
