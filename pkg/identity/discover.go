package identity

import (
	"context"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/object"
)

// FindOIDCIdPs reads the OIDC identity providers `flowsctl import` may adopt: the one named
// name when there is one (then the only candidate), else every OIDC provider. Each comes with
// its OIDC profile (one read per provider); the client secret is never returned. Reads only.
func (c *Client) FindOIDCIdPs(ctx context.Context, name string) ([]IdP, error) {
	all, err := c.IdPs(ctx)
	if err != nil {
		return nil, err
	}
	ps := object.Keep(all, func(p IdP) bool { return strings.EqualFold(p.Type, "OIDC") },
		func(p IdP) bool { return strings.EqualFold(p.Name, name) })
	for i := range ps {
		full, err := c.IdP(ctx, ps[i].ID)
		if err != nil {
			return nil, err
		}
		if full.OIDC != nil {
			ps[i].OIDC = full.OIDC
		}
		if len(full.DirectoryIDs) > 0 {
			ps[i].DirectoryIDs = full.DirectoryIDs
		}
	}
	return ps, nil
}

// IssuerOf is the issuer URL whose discovery document is configurationURL (the inverse of
// OktaConfigurationURL).
func IssuerOf(configurationURL string) string {
	return strings.TrimRight(strings.TrimSuffix(strings.TrimSpace(configurationURL), "/.well-known/openid-configuration"), "/")
}
