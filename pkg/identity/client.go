// Package identity is the Identity Services (VMware/Omnissa) admin client and its managed
// objects: the directory, its SCIM secret token and the OIDC identity provider (the Identity
// Services with Okta guide). A token comes from /acs/token with the admin OAuth client of
// access.auth; the tenant is identityServices.url (default access.url).
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
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// SCIMPath is the SCIM 2.0 base path on the tenant host.
const SCIMPath = config.IdentitySCIMPath

// authFix is shown when the admin client is refused.
const authFix = "check access.auth (client id and secret) in flowsctl.yaml; the client needs rule set IDP_AND_DIRECTORY_ADMIN or TENANT_ADMIN"

// Client calls the Identity Services admin API. Safe for concurrent use.
type Client struct {
	hc     *httpx.Client
	base   string
	tokens *httpx.TokenSource
	// now is the clock of token expiries (time.Now unless a test sets it).
	now func() time.Time
}

// New returns a client for the tenant at base with the admin OAuth client's credentials.
func New(hc *httpx.Client, base, clientID, secret string) *Client {
	c := &Client{hc: hc, base: strings.TrimRight(base, "/"), now: time.Now}
	cc := httpx.ClientCredentials{Service: "identity", TokenURL: c.base + "/acs/token", ClientID: clientID, Secret: secret,
		Basic: true, GrantInQuery: true, Fix: authFix, Now: c.clock}
	c.tokens = &httpx.TokenSource{Fetch: func(ctx context.Context) (httpx.Token, error) { return cc.Fetch(ctx, hc) }, Now: c.clock}
	return c
}

func (c *Client) clock() time.Time { return c.now() }

// FromConfig builds the client from identityServices.url (default access.url) and access.auth.
func FromConfig(hc *httpx.Client, cfg *config.Config) (*Client, error) {
	base, err := cfg.IdentityBase()
	if err != nil {
		return nil, err
	}
	if cfg.Access == nil || cfg.Access.Auth.ClientID == "" {
		return nil, errors.New("access.auth.clientId is empty: Identity Services uses the tenant's admin OAuth client (Catalog > Settings > Remote App Access)")
	}
	secret, err := cfg.Secret(cfg.Access.Auth.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("access.auth.clientSecret: %w", err)
	}
	return New(hc, base, cfg.Access.Auth.ClientID, secret), nil
}

// Base is the tenant URL.
func (c *Client) Base() string { return c.base }

// SCIMURL is the tenant's SCIM 2.0 base (what Okta's "Base URL" takes).
func (c *Client) SCIMURL() string { return c.base + SCIMPath }

// Token returns the cached admin token, signing in when none is cached.
func (c *Client) Token(ctx context.Context) (string, error) {
	t, err := c.tokens.Token(ctx)
	return t.Value, err
}

// IsConflict reports a 409.
func IsConflict(err error) bool { return httpx.StatusOf(err) == http.StatusConflict }

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return httpx.StatusOf(err) == http.StatusNotFound }

// decodeError turns a non-2xx broker answer ({"errors":[{code,message}]} or {"message"}) into
// an *httpx.APIError; other bodies (HTML pages, text) add nothing. Code and message are
// bounded excerpts: a server's text never floods an error message.
func decodeError(resp *http.Response, body []byte, object string) *httpx.APIError {
	e := httpx.NewAPIError("identity", resp, body)
	e.Object = object
	var eb struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		Message string `json:"message"`
	}
	e.Message = ""
	if json.Unmarshal(body, &eb) == nil {
		if len(eb.Errors) > 0 {
			e.Code, e.Message = eb.Errors[0].Code, eb.Errors[0].Message
		} else {
			e.Message = eb.Message
		}
	}
	e.Code, e.Message = httpx.Excerpt(e.Code, 80), httpx.Excerpt(e.Message, 300)
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		e.FixMsg = "the admin client of access.auth needs rule set IDP_AND_DIRECTORY_ADMIN"
	case 444:
		e.Message = "the tenant dropped the request: the Host header is not the tenant FQDN (check identityServices.url)"
	}
	return e
}

// transient reports a failure after which a create may or may not have been applied and the
// same request may succeed: 429/5xx or a lost connection.
func transient(err error) bool {
	if s := httpx.StatusOf(err); s != 0 {
		return httpx.TransientStatus(s)
	}
	return httpx.TransientError(err)
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any, object string) error {
	tok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
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
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("identity: %s %s: %w", method, object, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			c.tokens.Invalidate()
		}
		return decodeError(resp, b, object)
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("identity: %s: answer is not JSON: %v", object, err)
		}
	}
	return nil
}
