package access

import (
	"context"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// credentialsFix is shown when Access refuses a client's credentials.
const credentialsFix = "check the client id and secret, or create the client in Access: Catalog > Settings > Remote App Access > Create Client (Service Client Token, scope admin)"

// NewTokenSource is the token cache of one OAuth client of the tenant at base: client
// credentials posted to /SAAS/auth/oauthtoken with Basic auth, grant_type in the query (the
// spec's parameter) and in the form body (the guide's). The SCIM client reuses it for the
// Access SCIM 1.1 dialect.
func NewTokenSource(hc *httpx.Client, base Base, clientID, secret string) *httpx.TokenSource {
	cc := httpx.ClientCredentials{Service: "access", TokenURL: base.TokenURL(), ClientID: clientID, Secret: secret,
		Basic: true, GrantInQuery: true, Fix: credentialsFix}
	if hc != nil && secret != "" {
		hc.AddSecret(secret) // masked in --debug traces
	}
	return &httpx.TokenSource{Fetch: func(ctx context.Context) (httpx.Token, error) { return cc.Fetch(ctx, hc) }}
}
