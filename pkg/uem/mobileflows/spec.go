package mobileflows

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

// EntraOutputs are what the Entra app registration step hands to connectors that sign in with
// that app (Teams, Planner, OneDrive). Plain values, so this package never imports pkg/azure.
type EntraOutputs struct {
	ClientID string
	// SecretSink is where the Entra step wrote the client secret (env:NAME or file:PATH).
	SecretSink config.SecretRef
	TenantID   string
	// Authority overrides https://login.microsoftonline.com (sovereign clouds).
	Authority string
}

// Grant holds the grant-type parameters of the console's Authentication page.
type Grant struct {
	ClientID string
	// ClientSecret is where the secret is; its value is read only to send it (api mode) or
	// to print it with --show-secret (guided mode).
	ClientSecret           config.SecretRef
	AuthorizeURL           string
	TokenURL               string
	Scopes                 []string
	TokenServerHints       map[string]string
	TokenURIBodyParameters map[string]string
}

// ConnectorSpec is one connector as the console's Add / New pages take it.
type ConnectorSpec struct {
	Name         string
	CatalogID    string // OOTB connector id (Catalog), or ""
	DiscoveryURL string // custom / self-hosted connector, or ""
	BaseURL      string
	Active       bool
	Categories   []string
	Auth         string // one of the Auth* constants
	Grant        Grant
	Notification string // poll | push
}

// Key is the connector's natural key (its name).
func (s ConnectorSpec) Key() string { return s.Name }

// Catalog returns the spec's catalog entry, if any.
func (s ConnectorSpec) Catalog() (CatalogEntry, bool) {
	if s.CatalogID == "" {
		return CatalogEntry{}, false
	}
	return Lookup(s.CatalogID)
}

// Fingerprint identifies the non-secret values an operator entered, so that a confirmation
// recorded for other values (a new client id, another base URL) no longer counts.
func (s ConnectorSpec) Fingerprint() string {
	h := sha256.New()
	for _, v := range []string{s.Name, s.CatalogID, s.DiscoveryURL, s.BaseURL, fmt.Sprint(s.Active), s.Auth,
		s.Grant.ClientID, s.Grant.AuthorizeURL, s.Grant.TokenURL, strings.Join(s.Grant.Scopes, " "), s.Notification} {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// SecretFingerprint is the first 16 hex digits of the SHA-256 of a secret: the modeled admin
// API reports it so that drift is visible without the value ever leaving the service.
func SecretFingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])[:16]
}

// EntraEndpoints returns the authorize and token URLs for a tenant ("" = organizations).
func EntraEndpoints(e EntraOutputs) (authorize, token string) {
	auth := strings.TrimRight(e.Authority, "/")
	if auth == "" {
		auth = DefaultMicrosoftLogin
	}
	t := e.TenantID
	if t == "" {
		t = "organizations"
	}
	return auth + "/" + t + "/oauth2/v2.0/authorize", auth + "/" + t + "/oauth2/v2.0/token"
}

// SpecFrom turns one uem.mobileFlows.connectors entry into a spec. entra may be nil when no
// Entra connector is configured; an Entra connector without a client id is an error naming
// the command that produces it.
func SpecFrom(c config.Connector, entra *EntraOutputs, scopes []string) (ConnectorSpec, error) {
	s := ConnectorSpec{Name: c.Name, BaseURL: c.BaseURL, DiscoveryURL: string(c.DiscoveryURL), Categories: c.Categories,
		Notification: strings.ToLower(c.Notification), Active: true}
	if c.Active != nil {
		s.Active = *c.Active
	}
	if c.Authentication != "" {
		a, ok := NormalizeAuth(c.Authentication)
		if !ok {
			return s, fmt.Errorf("connector %q: authentication %q: use oauth2_authorization_code, oauth2_password, oauth2_client_credentials, service_account, basic or workspace_one", c.Name, c.Authentication)
		}
		s.Auth = a
	}
	switch {
	case c.Catalog != "" && c.DiscoveryURL != "":
		return s, fmt.Errorf("connector %q: set catalog (an OOTB connector) or discoveryUrl (a self-hosted one), not both", c.Name)
	case c.Catalog != "":
		e, ok := Lookup(c.Catalog)
		if !ok {
			return s, &uem.NotFoundError{Kind: "catalog connector", Key: c.Catalog, Suggestions: uem.Suggest(c.Catalog, CatalogKeys()),
				Fix: "see flowsctl uem connector catalog"}
		}
		s.CatalogID = e.ID
		if s.Name == "" {
			s.Name = e.Name
		}
		if s.BaseURL == "" {
			s.BaseURL = e.BaseURL
		}
		if s.Auth == "" {
			s.Auth = e.Authentication()
		}
		if len(s.Categories) == 0 {
			s.Categories = e.Categories
		}
		if s.Notification == "" {
			s.Notification = NotificationPoll
		}
		if s.Notification == NotificationPush {
			return s, fmt.Errorf("connector %q: VMware-hosted OOTB connectors poll only (every 60 minutes); push needs a self-hosted connector (set discoveryUrl instead of catalog)", s.Name)
		}
		if e.Entra {
			if entra == nil || entra.ClientID == "" {
				return s, errors.New("connector " + strconvQuote(s.Name) + " signs in with the Entra ID app, whose client id is unknown: run `flowsctl azure register` first (or pass --client-id)")
			}
			s.Grant.ClientID = entra.ClientID
			s.Grant.ClientSecret = entra.SecretSink
			s.Grant.AuthorizeURL, s.Grant.TokenURL = EntraEndpoints(*entra)
			s.Grant.Scopes = scopes
			if len(s.Grant.Scopes) == 0 {
				s.Grant.Scopes = e.Scopes
			}
			if len(s.Grant.Scopes) == 0 {
				s.Grant.Scopes = TeamsScopes
			}
		}
	case c.DiscoveryURL != "":
		if _, err := CheckDiscoveryURL(string(c.DiscoveryURL)); err != nil {
			return s, fmt.Errorf("connector %q: %w", c.Name, err)
		}
		if s.Name == "" {
			return s, errors.New("a custom connector needs a name (uem.mobileFlows.connectors[].name or --name)")
		}
		if s.Auth == "" {
			s.Auth = AuthWorkspaceONE
		}
		if s.Notification == "" {
			s.Notification = NotificationPoll
		}
	default:
		return s, fmt.Errorf("connector %q: set catalog (e.g. teams) or discoveryUrl", c.Name)
	}
	if s.Notification != NotificationPoll && s.Notification != NotificationPush {
		return s, fmt.Errorf("connector %q: notification %q: use poll or push", s.Name, s.Notification)
	}
	if s.Name == "" {
		return s, errors.New("connector without a name")
	}
	return s, nil
}

// SpecsFrom builds every configured connector. scopes are the Entra app's delegated
// permissions (azure.app.delegatedPermissions), used for Entra connectors.
func SpecsFrom(mf *config.MobileFlows, entra *EntraOutputs, scopes []string) ([]ConnectorSpec, error) {
	if mf == nil {
		return nil, errors.New("the config has no uem.mobileFlows section")
	}
	var out []ConnectorSpec
	seen := map[string]bool{}
	for i, c := range mf.Connectors {
		s, err := SpecFrom(c, entra, scopes)
		if err != nil {
			return nil, fmt.Errorf("uem.mobileFlows.connectors[%d]: %w", i, err)
		}
		if seen[strings.ToLower(s.Name)] {
			return nil, fmt.Errorf("uem.mobileFlows.connectors[%d]: two connectors named %q (the name is the key)", i, s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		out = append(out, s)
	}
	return out, nil
}

func strconvQuote(s string) string { return "\"" + s + "\"" }
