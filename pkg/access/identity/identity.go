// Package identity is the Identity Services (VMware/Omnissa) admin client: a token from
// /acs/token with the admin OAuth client of access.auth, directories, SCIM sync credentials
// (sync-client?action=generate_credentials) and identity providers.
package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// SCIMPath is the SCIM 2.0 base path on the tenant host.
const SCIMPath = "/usergroup/scim/v2"

// Token TTL bounds (minutes): the console's default lifespan is six months, its longest 24.
const (
	DefaultLifespan = 6 * config.Month
	MaxLifespan     = 24 * config.Month
)

// ErrAuth marks rejected admin credentials (exit code 4).
var ErrAuth = errors.New("identity services authentication failed")

// Client calls the Identity Services admin API. Safe for concurrent use.
type Client struct {
	hc       *httpx.Client
	base     string
	clientID string
	secret   string

	mu  sync.Mutex
	tok string
	exp time.Time
}

// New returns a client for the tenant at base with the admin OAuth client's credentials.
func New(hc *httpx.Client, base, clientID, secret string) *Client {
	if secret != "" {
		hc.AddSecret(secret)
	}
	return &Client{hc: hc, base: strings.TrimRight(base, "/"), clientID: clientID, secret: secret}
}

// BaseURL is identityServices.url, or access.url when unset (the same tenant host).
func BaseURL(cfg *config.Config) (string, error) {
	if cfg != nil && cfg.IdentityServices != nil && cfg.IdentityServices.URL != "" {
		return strings.TrimRight(string(cfg.IdentityServices.URL), "/"), nil
	}
	if cfg != nil && cfg.Access != nil && cfg.Access.URL != "" {
		return strings.TrimRight(string(cfg.Access.URL), "/"), nil
	}
	return "", errors.New("no identityServices.url or access.url in the config: set the tenant URL (flowsctl init)")
}

// FromConfig builds the client from identityServices.url (default access.url) and access.auth.
func FromConfig(hc *httpx.Client, cfg *config.Config) (*Client, error) {
	base, err := BaseURL(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Access == nil || cfg.Access.Auth.ClientID == "" {
		return nil, errors.New("access.auth.clientId is empty: Identity Services uses the tenant's admin OAuth client (Catalog > Settings > Remote App Access)")
	}
	secret, err := access.ResolveSecret(cfg, cfg.Access.Auth.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("access.auth.clientSecret: %w", err)
	}
	return New(hc, base, cfg.Access.Auth.ClientID, secret), nil
}

// Base is the tenant URL.
func (c *Client) Base() string { return c.base }

// SCIMURL is the tenant's SCIM 2.0 base (what Okta's "Base URL" takes).
func (c *Client) SCIMURL() string { return c.base + SCIMPath }

// APIError is a non-2xx broker answer: {"errors":[{code,message,parameters}]}.
type APIError struct {
	Method, URL string
	Status      int
	Code        string
	Message     string
	Object      string
}

func (e *APIError) Error() string {
	var b strings.Builder
	if e.Object != "" {
		b.WriteString(e.Object + ": ")
	}
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		b.WriteString(" [" + e.Code + "]")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// IsConflict reports a 409.
func IsConflict(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// ParseError decodes an error answer {"errors":[{code,message}]} (the first entry) or a
// {"message"} object; other bodies (HTML pages, text) add nothing. Code and message are
// bounded excerpts: a server's text never floods an error message.
func ParseError(method, url string, status int, body []byte) *APIError {
	e := &APIError{Method: method, URL: url, Status: status}
	var eb struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &eb) == nil {
		if len(eb.Errors) > 0 {
			e.Code, e.Message = eb.Errors[0].Code, eb.Errors[0].Message
		} else {
			e.Message = eb.Message
		}
	}
	e.Code, e.Message = httpx.Excerpt(e.Code, 80), httpx.Excerpt(e.Message, 300)
	return e
}

// transient reports a failure after which a create may or may not have been applied and the
// same request may succeed: 429/5xx or a lost connection.
func transient(err error) bool {
	var e *APIError
	if errors.As(err, &e) {
		return httpx.TransientStatus(e.Status)
	}
	return httpx.TransientError(err)
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Token returns a cached admin token, fetching one from /acs/token (client_credentials, Basic).
func (c *Client) Token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != "" && time.Now().Add(time.Minute).Before(c.exp) {
		return c.tok, nil
	}
	if c.clientID == "" || c.secret == "" {
		return "", fmt.Errorf("%w: no admin client id or secret (set access.auth)", ErrAuth)
	}
	u := c.base + "/acs/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(c.clientID, c.secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(httpx.RetrySafe(req))
	if err != nil {
		return "", fmt.Errorf("identity services token for client %q: %w", c.clientID, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest {
		return "", fmt.Errorf("%w: %s rejected the client credentials of %q (%s); check access.auth, and that the client has rule set IDP_AND_DIRECTORY_ADMIN or TENANT_ADMIN",
			ErrAuth, u, c.clientID, resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("identity services token for client %q: %s from %s", c.clientID, resp.Status, u)
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if json.Unmarshal(b, &t) != nil || t.AccessToken == "" {
		return "", fmt.Errorf("identity services token: the answer from %s holds no access_token", u)
	}
	c.hc.AddSecret(t.AccessToken)
	if t.ExpiresIn <= 0 {
		t.ExpiresIn = 300
	}
	c.tok, c.exp = t.AccessToken, time.Now().Add(time.Duration(t.ExpiresIn)*time.Second)
	return c.tok, nil
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any, object string) (int, error) {
	tok, err := c.Token(ctx)
	if err != nil {
		return 0, err
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	var req *http.Request
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", object, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		e := ParseError(method, c.base+path, resp.StatusCode, b)
		e.Object = object
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			c.mu.Lock()
			c.tok = ""
			c.mu.Unlock()
			return resp.StatusCode, fmt.Errorf("%w: %v (the admin client needs rule set IDP_AND_DIRECTORY_ADMIN)", ErrAuth, e)
		}
		if resp.StatusCode == 444 {
			e.Message = "the tenant dropped the request: the Host header is not the tenant FQDN (check identityServices.url)"
		}
		return resp.StatusCode, e
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: answer is not JSON: %v", object, err)
		}
	}
	return resp.StatusCode, nil
}

// Directory is an Identity Services directory.
type Directory struct {
	ID               string         `json:"id,omitempty"`
	Name             string         `json:"name"`
	Domains          []string       `json:"domains"`
	DefaultDomain    string         `json:"default_domain,omitempty"`
	Source           string         `json:"source,omitempty"`
	Type             string         `json:"type,omitempty"`
	Attributes       map[string]any `json:"attributes,omitempty"`
	DeleteInProgress bool           `json:"delete_in_progress,omitempty"`
}

// Domain is the directory's one domain.
func (d *Directory) Domain() string {
	if d.DefaultDomain != "" {
		return d.DefaultDomain
	}
	if len(d.Domains) > 0 {
		return d.Domains[0]
	}
	return ""
}

// ValidateDirectoryName applies seed 003: at most 128 characters of letters, digits, space, '-' and '_'.
func ValidateDirectoryName(name string) error {
	if name == "" {
		return errors.New("identityServices.directory.name is empty")
	}
	if len(name) > 128 {
		return fmt.Errorf("directory name %q is %d characters long: at most 128 are allowed", name, len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_') {
			return fmt.Errorf("directory name %q has %q: only letters, digits, space, hyphen (-) and underscore (_) are allowed", name, r)
		}
	}
	return nil
}

const dirPath = "/usergroup/broker/directories"

// Directories lists every directory.
func (c *Client) Directories(ctx context.Context) ([]Directory, error) {
	var out struct {
		Items []Directory `json:"items"`
	}
	_, err := c.do(ctx, http.MethodGet, dirPath, nil, nil, &out, "list Identity Services directories")
	return out.Items, err
}

// Directory reads one directory (with default_domain).
func (c *Client) Directory(ctx context.Context, id string) (*Directory, error) {
	var d Directory
	if _, err := c.do(ctx, http.MethodGet, dirPath+"/"+url.PathEscape(id), nil, nil, &d, fmt.Sprintf("directory %q", id)); err != nil {
		return nil, err
	}
	return &d, nil
}

// FindDirectory finds a directory by name (case-insensitive); nil when absent.
func (c *Client) FindDirectory(ctx context.Context, name string) (*Directory, error) {
	ds, err := c.Directories(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if strings.EqualFold(ds[i].Name, name) {
			return &ds[i], nil
		}
	}
	return nil, nil
}

// CreateDirectory creates a PROVISIONED directory with one domain.
func (c *Client) CreateDirectory(ctx context.Context, name, domain, source string) (*Directory, error) {
	if err := ValidateDirectoryName(name); err != nil {
		return nil, err
	}
	if domain == "" || strings.ContainsAny(domain, " ,;") {
		return nil, fmt.Errorf("directory %q: domain %q must be one domain name (Identity Services supports one domain per directory)", name, domain)
	}
	if source == "" {
		source = "OKTA"
	}
	body := map[string]any{"name": name, "domains": []string{domain}, "default_domain": domain, "source": strings.ToUpper(source),
		"type": "PROVISIONED", "attributes": map[string]any{"attemptDecodeExternalIdAsMSGuid": false}}
	var d Directory
	if _, err := c.do(ctx, http.MethodPost, dirPath, nil, body, &d, fmt.Sprintf("create directory %q", name)); err != nil {
		if IsConflict(err) {
			return nil, fmt.Errorf("%w (a directory with this name or domain %q exists: list them with `flowsctl identity directory list`; a domain can belong to one directory only)", err, domain)
		}
		return nil, err
	}
	return &d, nil
}

// EnsureDirectory finds the directory by name or creates it; a found directory with another
// domain is an error naming both.
func (c *Client) EnsureDirectory(ctx context.Context, name, domain, source string) (d *Directory, created bool, err error) {
	d, err = c.FindDirectory(ctx, name)
	if err != nil {
		return nil, false, err
	}
	if d == nil {
		d, _, err = httpx.CreateChecked(ctx, c.hc, transient,
			func() (*Directory, error) { return c.FindDirectory(ctx, name) },
			func() (*Directory, error) { return c.CreateDirectory(ctx, name, domain, source) })
		if err != nil {
			return nil, false, err
		}
		return d, true, nil
	}
	if full, err := c.Directory(ctx, d.ID); err == nil {
		d = full
	}
	if domain != "" && !strings.EqualFold(d.Domain(), domain) {
		return d, false, fmt.Errorf("directory %q exists with domain %q, but identityServices.directory.domain is %q: fix the config, or delete and recreate the directory in the console (Integrations > Identity Services)", name, d.Domain(), domain)
	}
	return d, false, nil
}

// DeleteDirectory starts the asynchronous delete (202); it also removes the directory's
// sync clients, users and groups.
func (c *Client) DeleteDirectory(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, dirPath+"/"+url.PathEscape(id), nil, nil, nil, fmt.Sprintf("delete directory %q", id))
	return err
}

// LifespanMinutes converts a token lifespan to token_ttl minutes: default six months, at most 24.
func LifespanMinutes(d config.Duration) (int64, error) {
	if d.IsZero() {
		return int64(DefaultLifespan / time.Minute), nil
	}
	if d.D > MaxLifespan {
		return 0, fmt.Errorf("token lifespan %s is longer than 24 months (the most Identity Services allows): use e.g. 24mo", d)
	}
	if d.D < time.Minute {
		return 0, fmt.Errorf("token lifespan %s is shorter than a minute", d)
	}
	return d.Minutes(), nil
}

// SCIMToken is a generated SCIM secret token.
type SCIMToken struct {
	Token     string    `json:"-"`
	TTL       int64     `json:"tokenTtlMinutes"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// GenerateSCIMToken regenerates the directory's SCIM secret token (the previous one stops working).
func (c *Client) GenerateSCIMToken(ctx context.Context, dirID string, ttlMinutes int64) (*SCIMToken, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpireIn    int64  `json:"access_token_expire_in"`
		TokenTTL    int64  `json:"token_ttl"`
	}
	q := url.Values{"action": {"generate_credentials"}}
	body := map[string]any{"generate_token": true, "token_ttl": ttlMinutes}
	// Generating again has the same effect (a fresh token; the earlier one stops working), so
	// the POST is repeated after a lost or refused answer (429, 5xx, reset), a bounded number of times.
	obj := fmt.Sprintf("generate the SCIM token of directory %q", dirID)
	_, _, err := httpx.CreateChecked(ctx, c.hc, transient, func() (*struct{}, error) { return nil, nil }, func() (*struct{}, error) {
		_, err := c.do(httpx.RetrySafeContext(ctx), http.MethodPost, dirPath+"/"+url.PathEscape(dirID)+"/sync-client", q, body, &out, obj)
		return nil, err
	})
	if err != nil {
		return nil, err
	}
	if out.AccessToken == "" {
		return nil, fmt.Errorf("generate the SCIM token of directory %q: the answer holds no access_token", dirID)
	}
	c.hc.AddSecret(out.AccessToken)
	exp := time.Now().Add(time.Duration(ttlMinutes) * time.Minute)
	if out.ExpireIn > 0 {
		exp = time.Now().Add(time.Duration(out.ExpireIn) * time.Second)
	}
	return &SCIMToken{Token: out.AccessToken, TTL: ttlMinutes, ExpiresAt: exp}, nil
}

// IdP is an identity provider (list form plus what flowsctl sets).
type IdP struct {
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"idp_name"`
	Type         string   `json:"idp_type"`
	SourceType   string   `json:"idp_source_type,omitempty"`
	DirectoryIDs []string `json:"directory_ids,omitempty"`
}

// OIDCSpec is an Okta (or other) OIDC identity provider.
type OIDCSpec struct {
	Name             string
	SourceType       string // OKTA | ENTRA | GENERIC
	ClientID         string
	ClientSecret     string
	ConfigurationURL string
	// OIDCUserIdentifier is the claim matched (email); WorkspaceOneUserIdentifier the attribute (email).
	OIDCUserIdentifier         string
	WorkspaceOneUserIdentifier string
	DirectoryIDs               []string
}

const idpPath = "/federation/broker/identity-providers"

// IdPs lists identity providers.
func (c *Client) IdPs(ctx context.Context) ([]IdP, error) {
	var out struct {
		Items []IdP `json:"items"`
	}
	_, err := c.do(ctx, http.MethodGet, idpPath, nil, nil, &out, "list identity providers")
	return out.Items, err
}

func (s OIDCSpec) body() map[string]any {
	dl := make([]map[string]string, 0, len(s.DirectoryIDs))
	for _, id := range s.DirectoryIDs {
		dl = append(dl, map[string]string{"id": id})
	}
	oidcAttr, wsAttr := s.OIDCUserIdentifier, s.WorkspaceOneUserIdentifier
	if oidcAttr == "" {
		oidcAttr = "email"
	}
	if wsAttr == "" {
		wsAttr = "email"
	}
	src := s.SourceType
	if src == "" {
		src = "OKTA"
	}
	return map[string]any{
		"idp_name": s.Name, "idp_type": "OIDC", "idp_source_type": src, "directory_list": dl,
		"oidc_profile": map[string]any{
			"client_id": s.ClientID, "client_secret": s.ClientSecret, "configuration_url": s.ConfigurationURL,
			"oidc_user_attribute_mapping": map[string]string{}, "authorize_params": map[string]string{}, "token_params": map[string]string{},
			"pass_through_claims": false, "open_id_user_identifier_attribute": oidcAttr,
			"internal_user_identifier_attribute": wsAttr, "login_hint_user_attribute": "userName", "send_login_hint_in_request": false,
		},
	}
}

// EnsureOIDC creates the IdP, or updates the one with that name (PATCH), returning it and
// whether it was created.
func (c *Client) EnsureOIDC(ctx context.Context, s OIDCSpec) (*IdP, bool, error) {
	if s.ConfigurationURL == "" || s.ClientID == "" || s.ClientSecret == "" {
		return nil, false, fmt.Errorf("identity provider %q: client id, client secret and configuration URL are required (identityServices.oidc)", s.Name)
	}
	c.hc.AddSecret(s.ClientSecret)
	list, err := c.IdPs(ctx)
	if err != nil {
		return nil, false, err
	}
	var out IdP
	for _, p := range list {
		if strings.EqualFold(p.Name, s.Name) {
			_, err := c.do(ctx, http.MethodPatch, idpPath+"/"+url.PathEscape(p.ID), nil, s.body(), &out, fmt.Sprintf("update identity provider %q", s.Name))
			return &out, false, err
		}
	}
	created, _, err := httpx.CreateChecked(ctx, c.hc, transient,
		func() (*IdP, error) {
			list, err := c.IdPs(ctx)
			if err != nil {
				return nil, err
			}
			for i := range list {
				if strings.EqualFold(list[i].Name, s.Name) {
					return &list[i], nil
				}
			}
			return nil, nil
		},
		func() (*IdP, error) {
			var out IdP
			_, err := c.do(ctx, http.MethodPost, idpPath, nil, s.body(), &out, fmt.Sprintf("create identity provider %q", s.Name))
			return &out, err
		})
	if err != nil {
		return nil, false, err
	}
	return created, true, nil
}

// OktaConfigurationURL is the org authorization server's discovery document for an Okta org URL.
func OktaConfigurationURL(issuer string) string {
	issuer = strings.TrimRight(issuer, "/")
	if strings.HasSuffix(issuer, "/.well-known/openid-configuration") {
		return issuer
	}
	return issuer + "/.well-known/openid-configuration"
}

// VerifyDirectory checks that the directory exists with the configured domain and has a SCIM
// sync client.
func (c *Client) VerifyDirectory(ctx context.Context, name, domain string) []doctor.Check {
	ck := doctor.Check{ID: "identity.directory", Title: "Identity Services directory exists with the configured domain"}
	d, err := c.FindDirectory(ctx, name)
	switch {
	case err != nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "check access.auth (the admin client needs rule set IDP_AND_DIRECTORY_ADMIN)"
	case d == nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, fmt.Sprintf("no directory named %q", name), "flowsctl identity directory create"
	default:
		if full, err := c.Directory(ctx, d.ID); err == nil {
			d = full
		}
		if !strings.EqualFold(d.Domain(), domain) {
			ck.Status, ck.Detail = doctor.Fail, fmt.Sprintf("directory %q has domain %q, the config says %q", name, d.Domain(), domain)
			ck.Fix = "set identityServices.directory.domain to " + d.Domain() + ", or recreate the directory in the console (Integrations > Identity Services)"
		} else {
			ck.Status, ck.Detail = doctor.Pass, fmt.Sprintf("%s (domain %s)", d.Name, d.Domain())
		}
	}
	return []doctor.Check{ck}
}
