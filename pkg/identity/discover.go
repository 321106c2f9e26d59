package identity

import (
	"context"
	"strings"
)

// FindOIDCIdPs reads the OIDC identity providers `flowsctl import` may adopt: the one named
// name when there is one (then the only candidate), else every OIDC provider. Each comes with
// its OIDC profile (one read per provider); the client secret is never returned. Reads only.
func (c *Client) FindOIDCIdPs(ctx context.Context, name string) ([]IdP, error) {
	all, err := c.IdPs(ctx)
	if err != nil {
		return nil, err
	}
	var ps []IdP
	for _, p := range all {
		if !strings.EqualFold(p.Type, "OIDC") {
			continue
		}
		if strings.EqualFold(p.Name, name) {
			ps = []IdP{p}
			break
		}
		ps = append(ps, p)
	}
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
