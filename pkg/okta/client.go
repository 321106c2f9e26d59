// Package okta is flowsctl's client of the Okta management API and the Okta objects of the
// provisioning procedures: the SCIM app that provisions users and groups into Workspace ONE,
// its provisioning connection and features, the domain attribute mapping (Access path), the
// OIDC sign-in app (Identity Services path), group assignments and group push.
//
// It signs in with an OAuth 2.0 service app (private_key_jwt, Okta's recommended way for
// automation) or an API token (SSWS), pages with Link headers, and reports Okta's error
// shape as httpx.APIError. Rate limits are waited out by httpx (429 until X-Rate-Limit-Reset,
// within the run's budget).
package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// MaxPages bounds a listing: a server that pages forever is cut off with an error.
const MaxPages = 500

// Client talks to one Okta org.
type Client struct {
	hc    *httpx.Client
	base  string
	authz func(ctx context.Context) (string, error)
	// logs: the credentials may read the System Log (an API token, or okta.logs.read among
	// the service app's scopes).
	logs bool
}

// ScopeFix is the console path that grants a missing scope to the service app.
const ScopeFix = "grant the scope to the service app: Okta Admin Console > Applications > API Services > <app> > Okta API Scopes > Grant (and check okta.auth.scopes)"

// New builds the client from the okta section: a service app with private_key_jwt, or an
// API token.
func New(hc *httpx.Client, cfg *config.Config) (*Client, error) {
	if cfg == nil || cfg.Okta == nil {
		return nil, fmt.Errorf("no okta section in the config: add okta.url and okta.auth (run: flowsctl init)")
	}
	o := cfg.Okta
	c := &Client{hc: hc, base: strings.TrimRight(string(o.URL), "/")}
	if o.Auth.APIToken != "" {
		tok, err := cfg.Secret(o.Auth.APIToken)
		if err != nil {
			return nil, fmt.Errorf("%w: okta.auth.apiToken: %v", httpx.ErrAuth, err)
		}
		hc.AddSecret(tok)
		c.authz = func(context.Context) (string, error) { return "SSWS " + tok, nil }
		c.logs = true
		return c, nil
	}
	pem, err := cfg.Secret(o.Auth.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("%w: okta.auth.privateKey: %v", httpx.ErrAuth, err)
	}
	key, err := ParsePrivateKey([]byte(pem))
	if err != nil {
		return nil, fmt.Errorf("okta.auth.privateKey: %w", err)
	}
	c.logs = slices.Contains(o.Auth.Scopes, LogsScope)
	tokenURL := c.base + "/oauth2/v1/token"
	ts := &httpx.TokenSource{Fetch: func(ctx context.Context) (httpx.Token, error) {
		assertion, err := ClientAssertion(key, o.Auth.KeyID, o.Auth.ClientID, tokenURL)
		if err != nil {
			return httpx.Token{}, err
		}
		cc := httpx.ClientCredentials{Service: "okta", TokenURL: tokenURL, ClientID: o.Auth.ClientID,
			Scope: strings.Join(o.Auth.Scopes, " "),
			Form: url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion": {assertion}},
			Fix: "check okta.auth.clientId, keyId and privateKey: Okta Admin Console > Applications > API Services > <app> > Client Credentials (public key registered, client authentication: Public key / Private key)"}
		return cc.Fetch(ctx, hc)
	}}
	c.authz = func(ctx context.Context) (string, error) {
		t, err := ts.Token(ctx)
		if err != nil {
			return "", err
		}
		return "Bearer " + t.Value, nil
	}
	return c, nil
}

// Base is the org URL.
func (c *Client) Base() string { return c.base }

// do sends one request. body, when not nil, is sent as JSON; out, when not nil, receives the
// JSON answer. A non-2xx answer is an *httpx.APIError in Okta's terms.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) (*http.Response, error) {
	u := path
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		u = c.base + path
	}
	req, err := httpx.NewJSONRequest(ctx, method, u, q, body)
	if err != nil {
		return nil, err
	}
	authz, err := c.authz(ctx)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", authz)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, ParseError(resp, b)
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp, fmt.Errorf("okta: %s %s: decoding the answer: %w", method, httpx.RedactURL(req.URL), err)
		}
	}
	return resp, nil
}

// ParseError turns Okta's error body {errorCode, errorSummary, errorId, errorCauses} into an
// APIError; a 403 for a missing scope names the scope and how to grant it.
func ParseError(resp *http.Response, body []byte) *httpx.APIError {
	e := httpx.NewAPIError("okta", resp, body)
	var o struct {
		Code    string `json:"errorCode"`
		Summary string `json:"errorSummary"`
		ID      string `json:"errorId"`
		Causes  []struct {
			Summary string `json:"errorSummary"`
		} `json:"errorCauses"`
	}
	if json.Unmarshal(body, &o) == nil && (o.Code != "" || o.Summary != "") {
		e.Code = o.Code
		msg := o.Summary
		for _, c := range o.Causes {
			if c.Summary != "" && !strings.Contains(msg, c.Summary) {
				msg += "; " + c.Summary
			}
		}
		e.Message = httpx.Excerpt(msg, 300)
		if o.ID != "" {
			e.RequestID = httpx.Excerpt(o.ID, 80)
		}
	}
	if e.RequestID == "" {
		e.RequestID = httpx.Excerpt(resp.Header.Get("X-Okta-Request-Id"), 80)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		e.FixMsg = "check okta.auth (the API token or the service app's key) in flowsctl.yaml"
	case http.StatusForbidden:
		if s := missingScope(resp.Header.Get("WWW-Authenticate")); s != "" {
			e.Message = "the access token lacks the scope " + s
			e.FixMsg = ScopeFix
		} else {
			e.FixMsg = "the service app or API token's admin role may not manage apps: Okta Admin Console > Security > Administrators"
		}
	case http.StatusTooManyRequests:
		e.FixMsg = "Okta's rate limit for this endpoint is spent; run again after X-Rate-Limit-Reset"
	}
	return e
}

var scopeRe = regexp.MustCompile(`scope="([^"]+)"`)

// missingScope reads the scope a 403's WWW-Authenticate header says is missing.
func missingScope(h string) string {
	if !strings.Contains(h, "insufficient_scope") {
		return ""
	}
	if m := scopeRe.FindStringSubmatch(h); m != nil {
		return m[1]
	}
	return "(unnamed)"
}

var nextRe = regexp.MustCompile(`<([^>]+)>\s*;\s*rel="?next"?`)

// nextLink is the rel="next" URL of a Link header ("" when none).
func nextLink(h []string) string {
	for _, v := range h {
		for _, part := range strings.Split(v, ",") {
			if m := nextRe.FindStringSubmatch(part); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// list reads every page of a collection, following Link rel="next" on the same origin.
func list[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	var all []T
	next := path
	for page := 0; next != ""; page++ {
		if page == MaxPages {
			return all, fmt.Errorf("okta: %s: still more pages after %d; stopped (narrow the query)", path, MaxPages)
		}
		var items []T
		resp, err := c.do(ctx, http.MethodGet, next, q, nil, &items)
		if err != nil {
			return all, err
		}
		all = append(all, items...)
		q = nil
		next = nextLink(resp.Header.Values("Link"))
		if next != "" && !strings.HasPrefix(next, c.base+"/") {
			return all, fmt.Errorf("okta: %s: the next page is on another host (%s); refusing to follow", path, httpx.Excerpt(next, 80))
		}
	}
	return all, nil
}
