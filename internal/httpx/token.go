package httpx

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Token is an access token with its expiry and granted scope.
type Token struct {
	Value  string
	Expiry time.Time
	Scope  string
}

// DefaultTokenSkew is how long before its expiry a cached token is replaced.
const DefaultTokenSkew = 60 * time.Second

// DefaultTokenLifetime is assumed when a token answer gives no expires_in.
const DefaultTokenLifetime = 5 * time.Minute

// TokenSource caches one token from Fetch until Skew before it expires. It is the one token
// cache of flowsctl (Access, Identity Services, UEM, Okta); safe for concurrent use.
type TokenSource struct {
	Fetch func(ctx context.Context) (Token, error)
	Skew  time.Duration    // default DefaultTokenSkew
	Now   func() time.Time // default time.Now; tests inject a clock

	mu  sync.Mutex
	tok Token
}

// Token returns the cached token, or fetches one when none is cached or the cached one
// expires within the skew.
func (ts *TokenSource) Token(ctx context.Context) (Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok.Value != "" && ts.now().Add(ts.skew()).Before(ts.tok.Expiry) {
		return ts.tok, nil
	}
	t, err := ts.Fetch(ctx)
	if err != nil {
		return Token{}, err
	}
	ts.tok = t
	return t, nil
}

// Cached is the cached token (zero before the first Token call or after Invalidate).
func (ts *TokenSource) Cached() Token {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.tok
}

// Invalidate drops the cached token, so the next Token call signs in again (after a 401).
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	ts.tok = Token{}
	ts.mu.Unlock()
}

func (ts *TokenSource) now() time.Time {
	if ts.Now != nil {
		return ts.Now()
	}
	return time.Now()
}

func (ts *TokenSource) skew() time.Duration {
	if ts.Skew > 0 {
		return ts.Skew
	}
	return DefaultTokenSkew
}

// ClientCredentials describes an OAuth 2.0 client-credentials sign-in.
type ClientCredentials struct {
	Service  string // names the service in errors ("access", "uem", "okta")
	TokenURL string
	ClientID string
	Secret   string
	Scope    string
	// Basic sends the client id and secret as HTTP Basic (Access); otherwise they go in the
	// form body (client_id, client_secret), as UEM's regional token service wants.
	Basic bool
	// Form holds extra form fields (a client_assertion for private_key_jwt, say).
	Form url.Values
	// GrantInQuery also puts grant_type in the query string (Access documents it there).
	GrantInQuery bool
	// Fix is the console path or command shown when the credentials are rejected.
	Fix string
	// Now is the clock used to turn expires_in into an expiry (default time.Now).
	Now func() time.Time
}

// Fetch signs in once. The secret and the token are registered with c's redactor; a refusal
// (400 or 401 from the token endpoint) is an *APIError classified as authentication.
func (cc ClientCredentials) Fetch(ctx context.Context, c *Client) (Token, error) {
	if cc.ClientID == "" || (cc.Secret == "" && cc.Form.Get("client_assertion") == "") {
		return Token{}, fmt.Errorf("%w: %s: no client id or secret for the token (%s)", ErrAuth, cc.Service, cc.Fix)
	}
	if cc.Secret != "" {
		c.AddSecret(cc.Secret)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	for k, v := range cc.Form {
		form[k] = v
	}
	if cc.Scope != "" {
		form.Set("scope", cc.Scope)
	}
	if !cc.Basic {
		form.Set("client_id", cc.ClientID)
		if cc.Secret != "" {
			form.Set("client_secret", cc.Secret)
		}
	}
	u := cc.TokenURL
	if cc.GrantInQuery {
		u += "?grant_type=client_credentials"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, err
	}
	if cc.Basic {
		req.SetBasicAuth(cc.ClientID, cc.Secret)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// Issuing a token changes nothing on the tenant, so it may be sent again.
	resp, err := c.Do(NoRedirect(RetrySafe(req)))
	if err != nil {
		return Token{}, fmt.Errorf("%s: token for client %q: %w", cc.Service, cc.ClientID, err)
	}
	b, err := ReadBody(resp)
	if err != nil {
		return Token{}, err
	}
	if resp.StatusCode != http.StatusOK {
		e := NewAPIError(cc.Service, resp, b)
		e.Object = fmt.Sprintf("token for client %q", cc.ClientID)
		var o struct {
			Error string `json:"error"`
			Desc  string `json:"error_description"`
		}
		if json.Unmarshal(b, &o) == nil && o.Error != "" {
			e.Code, e.Message = o.Error, o.Desc
		}
		if resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized {
			e.Auth = true
			e.FixMsg = cc.Fix
		}
		return Token{}, e
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}
	if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" {
		return Token{}, fmt.Errorf("%s: token for client %q: the answer from %s holds no access_token", cc.Service, cc.ClientID, RedactURL(req.URL))
	}
	c.AddSecret(t.AccessToken)
	life := time.Duration(t.ExpiresIn) * time.Second
	if life <= 0 {
		life = DefaultTokenLifetime
	}
	now := time.Now
	if cc.Now != nil {
		now = cc.Now
	}
	return Token{Value: t.AccessToken, Expiry: now().Add(life), Scope: t.Scope}, nil
}

// JWTClaims decodes the payload of a JWT without verifying it (the services verify; flowsctl
// only peeks at expiry, scope and audience). Nil when tok is not a JWT.
func JWTClaims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// JWTExpiry is the exp claim of a JWT; ok is false when tok is not a JWT or has no exp.
func JWTExpiry(tok string) (exp time.Time, ok bool) {
	v, ok := JWTClaims(tok)["exp"].(float64)
	if !ok || v <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(v), 0), true
}
