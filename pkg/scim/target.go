package scim

import (
	"context"
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
	// DirectoryID is the Identity Services directory the SCIM token belongs to ("" unknown).
	DirectoryID string
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
	if o.URL != "" {
		d, err := DialectFor(o.URL, o.Dialect)
		if err != nil {
			return nil, err
		}
		tok, err := tokenFromFileOrEnv(o.TokenFile)
		if err != nil {
			return nil, err
		}
		return newTarget(hc, strings.TrimRight(o.URL, "/"), "--url", domainOf(cfg), d, StaticToken(tok)), nil
	}
	if cfg == nil {
		return nil, errors.New("no config: pass -f flowsctl.yaml, or --url and --token-file")
	}
	if is := cfg.IdentityServices; is != nil && is.Enabled {
		base, err := cfg.IdentityBase()
		if err != nil {
			return nil, err
		}
		d, err := DialectFor("", o.Dialect)
		if err != nil {
			return nil, err
		}
		var tok string
		if o.TokenFile != "" {
			tok, err = tokenFromFileOrEnv(o.TokenFile)
		} else {
			tok, err = sinkToken(cfg, is.SCIMToken.Sink)
		}
		if err != nil {
			return nil, err
		}
		return newTarget(hc, base+config.IdentitySCIMPath, "Identity Services (identityServices.enabled)", is.Directory.Domain, d, StaticToken(tok)), nil
	}
	if cfg.Access == nil || cfg.Access.URL == "" {
		return nil, errors.New("no SCIM target: enable identityServices or set access.url and access.scimClient")
	}
	base, err := cfg.AccessBase()
	if err != nil {
		return nil, err
	}
	d := Access11
	if o.Dialect != "" && o.Dialect != "auto" {
		if d, err = DialectFor("", o.Dialect); err != nil {
			return nil, err
		}
	}
	u, src, domain := base.SAAS+AccessSCIMPath, "Access SCIM 1.1 (access.scimClient)", domainOf(cfg)
	if o.TokenFile != "" {
		tok, err := tokenFromFileOrEnv(o.TokenFile)
		if err != nil {
			return nil, err
		}
		return newTarget(hc, u, src, domain, d, StaticToken(tok)), nil
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
	return newTarget(hc, u, src, domain, d, AccessTokens(hc, base.TokenURL(), sc.ClientID, strings.TrimSpace(secret))), nil
}

// AccessTokens is the client-credentials token source of an Access OAuth client (the SCIM
// client's Service Client Token): HTTP Basic, grant_type in the query as Access documents it.
func AccessTokens(hc *httpx.Client, tokenURL, clientID, secret string) *httpx.TokenSource {
	cc := httpx.ClientCredentials{Service: "access", TokenURL: tokenURL, ClientID: clientID, Secret: secret, Basic: true, GrantInQuery: true,
		Fix: "check access.scimClient.clientId and its secretSink (flowsctl apply rotates a lost secret), or pass --token-file"}
	return &httpx.TokenSource{Fetch: func(ctx context.Context) (httpx.Token, error) { return cc.Fetch(ctx, hc) }}
}

// newTarget binds a client to u; the token's expiry comes from the token source (a JWT's exp
// claim for a static token, the OAuth answer for a client-credentials one).
func newTarget(hc *httpx.Client, u, source, domain string, d Dialect, tokens TokenSource) *Target {
	var dir string
	if s, ok := tokens.(StaticToken); ok {
		hc.AddSecret(string(s))
		// An Identity Services SCIM token names its directory (the directory_id claim).
		if d == RFC7644 {
			dir, _ = httpx.JWTClaims(string(s))["directory_id"].(string)
		}
	}
	return &Target{URL: u, Source: source, Domain: domain, DirectoryID: dir,
		Client: New(hc, u, Options{Dialect: d, Tokens: tokens, Domain: domain, DirectoryID: dir}),
		TokenExpiry: func(ctx context.Context) (time.Time, error) {
			t, err := tokens.Token(ctx)
			return t.Expiry, err
		}}
}

// sinkToken reads the Identity Services SCIM token from identityServices.scimToken.sink.
func sinkToken(cfg *config.Config, sink config.SecretRef) (string, error) {
	if sink.IsZero() {
		return "", errors.New("identityServices.scimToken.sink is empty: set it (e.g. file:secrets/identity-scim-token) and run `flowsctl identity token generate`")
	}
	tok, err := cfg.Secret(sink)
	if err != nil || strings.TrimSpace(tok) == "" {
		return "", fmt.Errorf("no Identity Services SCIM token in %s (%v): run `flowsctl identity token generate`", sink, err)
	}
	return strings.TrimSpace(tok), nil
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
