package scim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// AccessSCIMPath is the Access SCIM 1.1 base under /SAAS.
const AccessSCIMPath = "/jersey/manager/api/scim"

// EnvToken names the environment variable a SCIM token may come from (scim test --url).
const EnvToken = "FLOWSCTL_SCIM_TOKEN"

// Override is what --url, --token-file and --dialect change.
type Override struct {
	URL       string
	TokenFile string
	Dialect   string // auto | rfc7644 | access
}

// Target is a resolved SCIM endpoint: where, which dialect, and how its token was found.
type Target struct {
	Client *Client
	URL    string
	// Source explains the choice, e.g. "Identity Services (identityServices.enabled)".
	Source string
	// TokenExpiry is the token's expiry when known (a JWT exp claim or the OAuth answer).
	TokenExpiry func(ctx context.Context) (time.Time, error)
	// Domain is the directory domain users and groups should carry.
	Domain string
}

// DialectFor guesses the dialect from a base URL: Access's path means SCIM 1.1.
func DialectFor(u, forced string) (Dialect, error) {
	switch strings.ToLower(forced) {
	case "", "auto":
		if strings.Contains(u, "/SAAS/") {
			return Access11, nil
		}
		return RFC7644, nil
	case "rfc7644", "scim2", "2.0":
		return RFC7644, nil
	case "access", "scim1.1", "1.1":
		return Access11, nil
	}
	return 0, fmt.Errorf("--dialect %q: use auto, rfc7644 or access", forced)
}

// ResolveTarget picks the SCIM endpoint: --url/--token-file when given; else Identity Services
// (SCIM 2.0 at <identityServices.url or access.url>/usergroup/scim/v2, token from
// identityServices.scimToken.sink) when identityServices.enabled; else Access SCIM 1.1 with a
// client-credentials token of access.scimClient (secret from its secretSink).
func ResolveTarget(hc *httpx.Client, cfg *config.Config, o Override) (*Target, error) {
	t := &Target{}
	if o.URL != "" {
		d, err := DialectFor(o.URL, o.Dialect)
		if err != nil {
			return nil, err
		}
		tok, err := tokenFromFileOrEnv(o.TokenFile)
		if err != nil {
			return nil, err
		}
		hc.AddSecret(tok)
		t.URL, t.Source = strings.TrimRight(o.URL, "/"), "--url"
		t.Domain = domainOf(cfg)
		t.Client = New(hc, t.URL, Options{Dialect: d, Tokens: StaticToken(tok), Domain: t.Domain})
		t.TokenExpiry = jwtExpiry(tok)
		return t, nil
	}
	if cfg == nil {
		return nil, errors.New("no config: pass -f flowsctl.yaml, or --url and --token-file")
	}
	if is := cfg.IdentityServices; is != nil && is.Enabled {
		base, err := cfg.IdentityBase()
		if err != nil {
			return nil, err
		}
		tok := ""
		if o.TokenFile != "" {
			if tok, err = tokenFromFileOrEnv(o.TokenFile); err != nil {
				return nil, err
			}
		} else {
			if is.SCIMToken.Sink.IsZero() {
				return nil, errors.New("identityServices.scimToken.sink is empty: set it (e.g. file:secrets/identity-scim-token) and run `flowsctl identity token generate`")
			}
			tok, err = cfg.Secret(is.SCIMToken.Sink)
			if err != nil || strings.TrimSpace(tok) == "" {
				return nil, fmt.Errorf("no Identity Services SCIM token in %s (%v): run `flowsctl identity token generate`", is.SCIMToken.Sink, err)
			}
		}
		tok = strings.TrimSpace(tok)
		hc.AddSecret(tok)
		d, _ := DialectFor("", o.Dialect)
		t.URL, t.Source, t.Domain = base+config.IdentitySCIMPath, "Identity Services (identityServices.enabled)", is.Directory.Domain
		t.Client = New(hc, t.URL, Options{Dialect: d, Tokens: StaticToken(tok), Domain: t.Domain})
		t.TokenExpiry = jwtExpiry(tok)
		return t, nil
	}
	if cfg.Access == nil || cfg.Access.URL == "" {
		return nil, errors.New("no SCIM target: enable identityServices or set access.url and access.scimClient")
	}
	base, err := cfg.AccessBase()
	if err != nil {
		return nil, err
	}
	t.URL, t.Source, t.Domain = base.SAAS+AccessSCIMPath, "Access SCIM 1.1 (access.scimClient)", domainOf(cfg)
	d := Access11
	if o.Dialect != "" && o.Dialect != "auto" {
		if d, err = DialectFor("", o.Dialect); err != nil {
			return nil, err
		}
	}
	if o.TokenFile != "" {
		tok, err := tokenFromFileOrEnv(o.TokenFile)
		if err != nil {
			return nil, err
		}
		hc.AddSecret(tok)
		t.Client = New(hc, t.URL, Options{Dialect: d, Tokens: StaticToken(tok), Domain: t.Domain})
		t.TokenExpiry = jwtExpiry(tok)
		return t, nil
	}
	sc := cfg.Access.SCIMClient
	if sc == nil || sc.ClientID == "" {
		return nil, errors.New("access.scimClient.clientId is empty: create the Service Client Token client (flowsctl apply) or pass --token-file")
	}
	if sc.SecretSink.IsZero() {
		return nil, fmt.Errorf("access.scimClient.secretSink is empty: the secret of %q is needed for its SCIM token (or pass --token-file)", sc.ClientID)
	}
	secret, err := cfg.Secret(sc.SecretSink)
	if err != nil || strings.TrimSpace(secret) == "" {
		return nil, fmt.Errorf("no secret for the SCIM client %q in %s (%v): run `flowsctl apply` to create the client and write its secret, or pass --token-file", sc.ClientID, sc.SecretSink, err)
	}
	secret = strings.TrimSpace(secret)
	hc.AddSecret(secret)
	cc := httpx.ClientCredentials{Service: "access", TokenURL: base.TokenURL(), ClientID: sc.ClientID, Secret: secret, Basic: true, GrantInQuery: true,
		Fix: "rotate the secret into the sink: flowsctl access client rotate-secret"}
	ts := HTTPTokens{&httpx.TokenSource{Fetch: func(ctx context.Context) (httpx.Token, error) { return cc.Fetch(ctx, hc) }}}
	t.Client = New(hc, t.URL, Options{Dialect: d, Tokens: ts, Domain: t.Domain})
	t.TokenExpiry = func(ctx context.Context) (time.Time, error) {
		_, exp, err := ts.Token(ctx)
		return exp, err
	}
	return t, nil
}

// HTTPTokens is an httpx.TokenSource (the one token cache) as a TokenSource.
type HTTPTokens struct{ Source *httpx.TokenSource }

// Token returns the cached token and its expiry.
func (h HTTPTokens) Token(ctx context.Context) (string, time.Time, error) {
	t, err := h.Source.Token(ctx)
	return t.Value, t.Expiry, err
}

func domainOf(cfg *config.Config) string {
	if cfg == nil {
		return ""
	}
	if cfg.IdentityServices != nil && cfg.IdentityServices.Enabled && cfg.IdentityServices.Directory.Domain != "" {
		return cfg.IdentityServices.Directory.Domain
	}
	if cfg.Access != nil && cfg.Access.Directory != nil && len(cfg.Access.Directory.Domains) > 0 {
		return cfg.Access.Directory.Domains[0]
	}
	return ""
}

func tokenFromFileOrEnv(path string) (string, error) {
	if path == "" {
		tok := strings.TrimSpace(os.Getenv(EnvToken))
		if tok == "" {
			return "", fmt.Errorf("no SCIM token: pass --token-file FILE or set %s", EnvToken)
		}
		return tok, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the SCIM token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("the token file %s is empty", path)
	}
	return tok, nil
}

// jwtExpiry reads the exp claim of a JWT token (zero time when the token is not a JWT).
func jwtExpiry(tok string) func(context.Context) (time.Time, error) {
	return func(context.Context) (time.Time, error) { return JWTExpiry(tok), nil }
}

// JWTExpiry is the exp claim of a JWT, or the zero time.
func JWTExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(b, &c) != nil || c.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(c.Exp, 0)
}
