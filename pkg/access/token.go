package access

import (
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
)

// ErrAuth marks a rejected client credential or token (the CLI maps it to exit code 4).
var ErrAuth = errors.New("access authentication failed")

// tokenSkew is how long before expiry a cached token is replaced.
const tokenSkew = 60 * time.Second

// TokenSource obtains client-credentials tokens from POST /SAAS/auth/oauthtoken with Basic
// auth and caches one until shortly before it expires. It is safe for concurrent use; the
// SCIM client reuses it for the Access SCIM 1.1 dialect.
type TokenSource struct {
	hc       *httpx.Client
	url      string
	clientID string
	secret   string
	now      func() time.Time

	mu    sync.Mutex
	tok   string
	exp   time.Time
	scope string
}

// NewTokenSource returns a token source for one OAuth client of the tenant at base.
func NewTokenSource(hc *httpx.Client, base Base, clientID, secret string) *TokenSource {
	if hc != nil && secret != "" {
		hc.AddSecret(secret) // masked in --debug traces
	}
	return &TokenSource{hc: hc, url: base.TokenURL(), clientID: clientID, secret: secret, now: time.Now}
}

// ClientID is the OAuth client the tokens are issued to.
func (ts *TokenSource) ClientID() string { return ts.clientID }

// Token returns a valid access token and its expiry, fetching a new one when none is cached
// or the cached one expires within the skew.
func (ts *TokenSource) Token(ctx context.Context) (string, time.Time, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != "" && ts.now().Add(tokenSkew).Before(ts.exp) {
		return ts.tok, ts.exp, nil
	}
	t, err := ts.fetch(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	ts.tok, ts.exp, ts.scope = t.AccessToken, t.expiry, t.Scope
	return ts.tok, ts.exp, nil
}

// Scope is the scope of the cached token ("" before the first Token call).
func (ts *TokenSource) Scope() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.scope
}

// Invalidate drops the cached token, so the next Token call authenticates again (after a 401).
func (ts *TokenSource) Invalidate() {
	ts.mu.Lock()
	ts.tok, ts.exp = "", time.Time{}
	ts.mu.Unlock()
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	expiry      time.Time
}

func (ts *TokenSource) fetch(ctx context.Context) (*tokenResponse, error) {
	if ts.clientID == "" || ts.secret == "" {
		return nil, fmt.Errorf("%w: no client id or secret for the Access token (set access.auth.clientId and access.auth.clientSecret)", ErrAuth)
	}
	// grant_type goes in the query (the spec's parameter) and in the form body (the guide's).
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url+"?grant_type=client_credentials", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(ts.clientID, ts.secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// Issuing a token changes nothing on the tenant, so it may be retried.
	resp, err := ts.hc.Do(httpx.RetrySafe(req))
	if err != nil {
		return nil, fmt.Errorf("access token for client %q from %s: %w", ts.clientID, ts.url, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest:
		return nil, fmt.Errorf("%w: Access rejected the client credentials of %q (%s%s); check the client id and secret, or create the client in Access: Catalog > Settings > Remote App Access > Create Client (Service Client Token, scope admin)",
			ErrAuth, ts.clientID, resp.Status, oauthErrText(b))
	default:
		return nil, fmt.Errorf("access token for client %q: %s%s from %s", ts.clientID, resp.Status, oauthErrText(b), ts.url)
	}
	var t tokenResponse
	if err := json.Unmarshal(b, &t); err != nil || t.AccessToken == "" {
		return nil, fmt.Errorf("access token for client %q: the answer from %s holds no access_token", ts.clientID, ts.url)
	}
	exp := t.ExpiresIn
	if exp <= 0 {
		exp = 300 // unknown expiry: keep it briefly
	}
	ts.hc.AddSecret(t.AccessToken)
	t.expiry = ts.now().Add(time.Duration(exp) * time.Second)
	return &t, nil
}

// oauthErrText renders an OAuth error body ({"error","error_description"}) or an Access error
// list, never echoing anything that could be a credential.
func oauthErrText(b []byte) string {
	var o struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}
	if json.Unmarshal(b, &o) == nil && o.Error != "" {
		if o.Desc != "" {
			return ": " + o.Error + ": " + o.Desc
		}
		return ": " + o.Error
	}
	if e := decodeErrors(b); e != "" {
		return ": " + e
	}
	return ""
}
