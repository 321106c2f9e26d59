package uem

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Credentials are the resolved UEM credentials. OAuth is preferred when both are set.
type Credentials struct {
	OAuth *OAuthCredentials
	Basic *BasicCredentials
	// APIKey is the REST API key sent as aw-tenant-code (required with Basic, optional with OAuth).
	APIKey string
}

// OAuthCredentials are a UEM OAuth client (Groups & Settings > Configurations > OAuth Client Management).
type OAuthCredentials struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
}

// BasicCredentials are an API admin account.
type BasicCredentials struct {
	Username string
	Password string
}

// Method names the authentication used, for reports.
func (c Credentials) Method() string {
	switch {
	case c.OAuth != nil:
		return "oauth"
	case c.Basic != nil:
		return "basic"
	}
	return "none"
}

// Regions maps a region to its token host prefix (docs.omnissa.com, "Using UEM functionality with a REST API").
var Regions = []string{"uat", "na", "emea", "apac"}

// TokenURLFor returns the token URL of a region: "na" gives
// https://na.uemauth.workspaceone.com/connect/token; "na-legacy" (or "legacy-na") the older
// https://na.uemauth.vmwservices.com/connect/token host.
func TokenURLFor(region string) (string, error) {
	r := strings.ToLower(strings.TrimSpace(region))
	host := "workspaceone.com"
	switch {
	case strings.HasSuffix(r, "-legacy"):
		r, host = strings.TrimSuffix(r, "-legacy"), "vmwservices.com"
	case strings.HasPrefix(r, "legacy-"):
		r, host = strings.TrimPrefix(r, "legacy-"), "vmwservices.com"
	}
	for _, k := range Regions {
		if r == k {
			return "https://" + r + ".uemauth." + host + "/connect/token", nil
		}
	}
	return "", fmt.Errorf("uem.auth.oauth.region %q: use one of uat, na, emea, apac (append -legacy for the uemauth.vmwservices.com hosts), or set uem.auth.oauth.tokenUrl", region)
}

// CredentialsFrom resolves the secrets the uem section references through cfg.Secret. Errors
// name the config field.
func CredentialsFrom(cfg *config.Config) (Credentials, error) {
	var c Credentials
	if cfg == nil || cfg.UEM == nil {
		return c, errors.New("the config has no uem section (add uem.url and uem.auth, or run: flowsctl init)")
	}
	u := cfg.UEM
	secret := func(field string, ref config.SecretRef) (string, error) {
		v, err := cfg.Secret(ref)
		if err != nil {
			return "", fmt.Errorf("%s: %w", field, err)
		}
		return v, nil
	}
	if o := u.Auth.OAuth; o != nil {
		tu := string(o.TokenURL)
		if tu == "" {
			if o.Region == "" {
				return c, errors.New("uem.auth.oauth: set region (uat, na, emea, apac) or tokenUrl")
			}
			var err error
			if tu, err = TokenURLFor(o.Region); err != nil {
				return c, err
			}
		}
		if o.ClientID == "" {
			return c, errors.New("uem.auth.oauth.clientId is empty (create an OAuth client at Groups & Settings > Configurations > OAuth Client Management)")
		}
		sec, err := secret("uem.auth.oauth.clientSecret", o.ClientSecret)
		if err != nil {
			return c, err
		}
		c.OAuth = &OAuthCredentials{TokenURL: tu, ClientID: o.ClientID, ClientSecret: sec}
	}
	if b := u.Auth.Basic; b != nil {
		pw, err := secret("uem.auth.basic.password", b.Password)
		if err != nil {
			return c, err
		}
		c.Basic = &BasicCredentials{Username: b.Username, Password: pw}
	}
	if !u.Auth.APIKey.IsZero() {
		k, err := secret("uem.auth.apiKey", u.Auth.APIKey)
		if err != nil {
			return c, err
		}
		c.APIKey = k
	}
	if c.OAuth == nil && c.Basic == nil {
		return c, errors.New("uem.auth: configure oauth (clientId, clientSecret, region or tokenUrl) or basic (username, password) with apiKey")
	}
	if c.OAuth == nil && c.Basic != nil && c.APIKey == "" {
		return c, errors.New("uem.auth.apiKey: Basic authentication needs the REST API key (Groups & Settings > All Settings > System > Advanced > API > REST API)")
	}
	return c, nil
}

// Client talks to the UEM REST API (the "as" host). Safe for concurrent use.
type Client struct {
	hc    *httpx.Client
	base  string
	creds Credentials

	tokens *httpx.TokenSource

	rl rateState
	// MaxQuotaWait is the longest Client waits for the rate-limit window to reset when the
	// quota is spent; a longer wait is an error naming the reset time. Default 2m.
	MaxQuotaWait time.Duration
	// now and sleep are replaced in tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient builds a client for the API at baseURL (https://asNNN.awmdm.com).
func NewClient(hc *httpx.Client, baseURL string, creds Credentials) *Client {
	c := &Client{hc: hc, base: strings.TrimRight(baseURL, "/"), creds: creds, MaxQuotaWait: 2 * time.Minute,
		now: time.Now, sleep: httpx.Sleep}
	if o := creds.OAuth; o != nil {
		hc.AddSecret(o.ClientSecret)
		cc := httpx.ClientCredentials{Service: "uem", TokenURL: o.TokenURL, ClientID: o.ClientID, Secret: o.ClientSecret, Fix: oauthFix,
			Now: func() time.Time { return c.now() }}
		c.tokens = &httpx.TokenSource{Now: func() time.Time { return c.now() },
			Fetch: func(ctx context.Context) (httpx.Token, error) { return cc.Fetch(ctx, c.hc) }}
	}
	if creds.Basic != nil {
		hc.AddSecret(creds.Basic.Password)
	}
	if creds.APIKey != "" {
		hc.AddSecret(creds.APIKey)
	}
	return c
}

// Open builds a client from a loaded config's uem section (its paths are absolute since load);
// secrets are read with cfg.Secret. When uem.caFile is set, a dedicated httpx client trusting
// that CA is built through httpx.New (self-signed on-prem servers); otherwise hc is used.
func Open(hc *httpx.Client, cfg *config.Config, o httpx.Options) (*Client, error) {
	creds, err := CredentialsFrom(cfg)
	if err != nil {
		return nil, err
	}
	u := cfg.UEM
	if u.URL == "" {
		return nil, errors.New("uem.url is empty (the API host, e.g. https://as1234.awmdm.com)")
	}
	if err := checkURL(string(u.URL)); err != nil {
		return nil, fmt.Errorf("uem.url: %w", err)
	}
	if u.CAFile != "" {
		o.CAFile = u.CAFile
		if hc, err = httpx.New(o); err != nil {
			return nil, fmt.Errorf("uem.caFile: %w", err)
		}
	}
	return NewClient(hc, string(u.URL), creds), nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme != "https" {
		h := u.Hostname()
		if !(u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1")) {
			return fmt.Errorf("%q: use https", raw)
		}
	}
	return nil
}

// BaseURL is the API host.
func (c *Client) BaseURL() string { return c.base }

// Credentials returns the method in use (never the values).
func (c *Client) AuthMethod() string { return c.creds.Method() }

// HTTP is the underlying client.
func (c *Client) HTTP() *httpx.Client { return c.hc }

// WithCredentials returns a client for the same host using other credentials (the preflight
// checks OAuth and Basic separately).
func (c *Client) WithCredentials(creds Credentials) *Client {
	n := NewClient(c.hc, c.base, creds)
	n.MaxQuotaWait, n.now, n.sleep = c.MaxQuotaWait, c.now, c.sleep
	return n
}

// Authorize sets the authentication headers on req (Bearer from the token endpoint, or Basic),
// plus aw-tenant-code when an API key is configured.
func (c *Client) Authorize(ctx context.Context, req *http.Request) error {
	switch {
	case c.creds.OAuth != nil:
		t, err := c.token(ctx)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+t)
	case c.creds.Basic != nil:
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.creds.Basic.Username+":"+c.creds.Basic.Password)))
	default:
		return errors.New("uem: no credentials configured")
	}
	if c.creds.APIKey != "" {
		req.Header.Set("aw-tenant-code", c.creds.APIKey)
	}
	return nil
}

// oauthFix is shown when the token endpoint refuses the OAuth client.
const oauthFix = "check uem.auth.oauth.clientId/clientSecret and the region; manage clients at Groups & Settings > Configurations > OAuth Client Management"

func (c *Client) token(ctx context.Context) (string, error) {
	t, err := c.tokens.Token(ctx)
	return t.Value, err
}

// IsForbidden reports a 403 (missing role permission or API key).
func IsForbidden(err error) bool { return httpx.StatusOf(err) == http.StatusForbidden }

// statusFix is the next thing to try after a UEM error status.
var statusFix = map[int]string{
	http.StatusUnauthorized:    "check uem.auth (client id/secret or username/password) and the tenant code",
	http.StatusForbidden:       "the API account's role lacks a permission or the REST API key is wrong: edit the role at Accounts > Administrators > Roles, check the key at Groups & Settings > All Settings > System > Advanced > API > REST API",
	http.StatusTooManyRequests: "the tenant's API quota is spent; retry after the x-ratelimit-reset time",
	http.StatusNotAcceptable:   "this UEM version does not serve that API version; upgrade the console or report it",
}

// apiError decodes a UEM error answer {errorCode, message, activityId} into an httpx.APIError:
// Code is the errorCode, RequestID the activity id, Object the endpoint.
func apiError(method, path string, resp *http.Response, b []byte) *httpx.APIError {
	e := httpx.NewAPIError("uem", resp, b)
	e.Method, e.Object, e.FixMsg = method, path, statusFix[resp.StatusCode]
	var body struct {
		ErrorCode  json.Number `json:"errorCode"`
		Message    string      `json:"message"`
		ActivityID string      `json:"activityId"`
	}
	if json.Unmarshal(b, &body) == nil {
		if body.ErrorCode != "" && body.ErrorCode != "0" {
			e.Code = httpx.Excerpt(body.ErrorCode.String(), 40)
		}
		if body.Message != "" {
			e.Message = httpx.Excerpt(body.Message, 300)
		}
		if body.ActivityID != "" {
			e.RequestID = httpx.Excerpt(body.ActivityID, 80)
		}
	}
	if e.Message == "" && len(b) > 0 && len(b) < 300 && !bytes.ContainsAny(b, "<") {
		e.Message = httpx.Excerpt(string(b), 300)
	}
	return e
}

// rateState remembers the last x-ratelimit-* headers.
type rateState struct {
	mu        sync.Mutex
	known     bool
	limit     int
	remaining int
	reset     time.Time
}

func (c *Client) noteRate(h http.Header) {
	rem, err := strconv.Atoi(h.Get("x-ratelimit-remaining"))
	if err != nil {
		return
	}
	c.rl.mu.Lock()
	defer c.rl.mu.Unlock()
	c.rl.known = true
	c.rl.remaining = rem
	if l, err := strconv.Atoi(h.Get("x-ratelimit-limit")); err == nil {
		c.rl.limit = l
	}
	if r, err := strconv.ParseInt(h.Get("x-ratelimit-reset"), 10, 64); err == nil {
		// The header has whole seconds; the window may end up to a second later.
		c.rl.reset = time.Unix(r+1, 0)
	}
}

// RateLimit returns the last seen quota (ok false before any answer carried the headers).
func (c *Client) RateLimit() (limit, remaining int, reset time.Time, ok bool) {
	c.rl.mu.Lock()
	defer c.rl.mu.Unlock()
	return c.rl.limit, c.rl.remaining, c.rl.reset, c.rl.known
}

// takeQuota waits for the window to reset when the last answer said the quota is spent, so
// flowsctl never burns requests into 429s. It counts the request against the quota locally.
func (c *Client) takeQuota(ctx context.Context) error {
	for {
		c.rl.mu.Lock()
		if !c.rl.known || c.rl.remaining > 0 {
			if c.rl.known {
				c.rl.remaining--
			}
			c.rl.mu.Unlock()
			return nil
		}
		reset, limit := c.rl.reset, c.rl.limit
		c.rl.mu.Unlock()
		wait := reset.Sub(c.now())
		if wait <= 0 {
			c.rl.mu.Lock()
			c.rl.known = false // a new window: the next answer tells the new remaining
			c.rl.mu.Unlock()
			continue
		}
		dl, hasDL := ctx.Deadline()
		if wait > c.MaxQuotaWait || (hasDL && c.now().Add(wait).After(dl)) {
			return fmt.Errorf("uem API quota spent (%d requests per window); it resets at %s (in %s): re-run then, or ask Omnissa support to raise the tenant's API limit",
				limit, reset.UTC().Format(time.RFC3339), wait.Round(time.Second))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Do sends one API call: path is relative to the host ("/api/system/info"), version the
// Accept version (0 = 1). body, when not nil, is sent as JSON. out, when not nil, receives the
// JSON answer. It returns the status; a 204 leaves out untouched.
func (c *Client) Do(ctx context.Context, method, path string, q url.Values, version int, body, out any) (int, error) {
	if version <= 0 {
		version = 1
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rdr *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rdr = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if rdr != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, rdr)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("uem %s %s: %w", method, path, err)
	}
	mt := fmt.Sprintf("application/json;version=%d", version)
	req.Header.Set("Accept", mt)
	if rdr != nil {
		req.Header.Set("Content-Type", mt)
	}
	if err := c.Authorize(ctx, req); err != nil {
		return 0, err
	}
	if err := c.takeQuota(ctx); err != nil {
		return 0, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("uem %s %s: %w", method, path, err)
	}
	c.noteRate(resp.Header)
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, apiError(method, path, resp, b)
	}
	if out != nil && method == http.MethodGet && resp.StatusCode != http.StatusNoContent && len(bytes.TrimSpace(b)) == 0 {
		// UEM says "nothing found" with 204; an empty 200 is not a UEM API answer.
		return resp.StatusCode, fmt.Errorf("uem %s %s: answered %d with an empty body (an empty result is 204): is uem.url the API host, asNNN, not the console cnNNN?", method, path, resp.StatusCode)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(b)) == 0 {
		return resp.StatusCode, nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return resp.StatusCode, fmt.Errorf("uem %s %s: decoding the answer: %w (is uem.url the API host, asNNN, not the console cnNNN?)", method, path, err)
	}
	return resp.StatusCode, nil
}

// PageSize is the page size flowsctl asks for (the UEM maximum).
const PageSize = 500

// searchAll pages through a search endpoint: key is the list's field ("OrganizationGroups");
// totals come from Total, TotalResults or total. A 204 is an empty result.
func searchAll[T any](ctx context.Context, c *Client, path string, q url.Values, version int, keys ...string) ([]T, error) {
	var all []T
	for page := 0; page < 1000; page++ {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("page", strconv.Itoa(page))
		qq.Set("pagesize", strconv.Itoa(PageSize))
		var raw map[string]json.RawMessage
		st, err := c.Do(ctx, http.MethodGet, path, qq, version, nil, &raw)
		if err != nil {
			return nil, err
		}
		if st == http.StatusNoContent || raw == nil {
			return all, nil
		}
		var items []T
		found := false
		for _, k := range keys {
			if v, ok := raw[k]; ok {
				if err := json.Unmarshal(v, &items); err != nil {
					return nil, fmt.Errorf("uem GET %s: decoding %s: %w", path, k, err)
				}
				found = true
				break
			}
		}
		if !found {
			if _, ok := raw["Total"]; !ok {
				return nil, fmt.Errorf("uem GET %s: the answer has no %s list (keys: %s): is uem.url the API host, asNNN, not the console cnNNN?", path, strings.Join(keys, " or "), strings.Join(sortedKeys(raw, 8), ", "))
			}
		}
		all = append(all, items...)
		total := -1
		for _, k := range []string{"Total", "TotalResults", "total"} {
			if v, ok := raw[k]; ok {
				var n int
				if json.Unmarshal(v, &n) == nil {
					total = n
				}
				break
			}
		}
		if len(items) == 0 || (total >= 0 && len(all) >= total) || (total < 0 && len(items) < PageSize) {
			return all, nil
		}
	}
	return all, nil
}

// sortedKeys lists at most n keys of m, sorted, for an error message.
func sortedKeys(m map[string]json.RawMessage, n int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		if len(k) > 40 {
			k = k[:40] + "…"
		}
		ks = append(ks, strconv.Quote(k))
	}
	sort.Strings(ks)
	if len(ks) > n {
		ks = append(ks[:n], "…")
	}
	if len(ks) == 0 {
		ks = []string{"none"}
	}
	return ks
}

// ID is a UEM id that arrives as 570 (v2) or {"Value": 570} (v1).
type ID int

func (i *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			Value json.Number `json:"Value"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		n, _ := v.Value.Int64()
		*i = ID(n)
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		json.Unmarshal(b, &s)
		n, _ := strconv.Atoi(s)
		*i = ID(n)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*i = ID(n)
	return nil
}
