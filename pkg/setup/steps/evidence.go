package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/identity"
)

// discoveryDoc is the part of an OpenID Provider configuration the IdP check compares.
type discoveryDoc struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
}

// fetchDiscovery reads an OpenID configuration document (public, no credentials; 1 MiB cap).
func fetchDiscovery(ctx context.Context, d Deps, u string) (*discoveryDoc, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil || doc.Issuer == "" {
		return nil, fmt.Errorf("GET %s: not an OpenID configuration (no issuer)", u)
	}
	return &doc, nil
}

// oktaIssuer is the Okta issuer the Identity Services IdP must use: identityServices.oidc.issuerUrl,
// else okta.url when flowsctl creates the Okta OIDC app.
func oktaIssuer(d Deps) string {
	cfg := d.Config
	if oc := cfg.IdentityServices.OIDC; oc != nil && oc.IssuerURL != "" {
		return strings.TrimRight(string(oc.IssuerURL), "/")
	}
	if cfg.Okta != nil {
		return strings.TrimRight(string(cfg.Okta.URL), "/")
	}
	return ""
}

// idpDiscoveryProbe: the identity provider configured in Identity Services reads the same OpenID
// configuration Okta's issuer publishes (issuer, authorization and token endpoints). A provider
// pointed at another issuer signs nobody in, whatever its client id.
func idpDiscoveryProbe(d Deps) []doctor.Probe {
	cfg := d.Config
	if identitySkip(cfg) != "" || cfg.IdentityServices.OIDC == nil {
		return nil
	}
	const id, title = "identity.idp.discovery", "Identity Services IdP reads Okta's OpenID configuration"
	return []doctor.Probe{{ID: id, Title: title, Run: func(ctx context.Context) []doctor.Check {
		ck := doctor.Check{ID: id, Title: title, Status: doctor.Pass}
		fix := "flowsctl apply --only identity.idp"
		issuer := oktaIssuer(d)
		if issuer == "" {
			ck.Status, ck.Detail = doctor.Skip, "no Okta issuer in the config (identityServices.oidc.issuerUrl or okta.url)"
			return []doctor.Check{ck}
		}
		c, err := identityClient(d)
		if err != nil {
			return failCheck(id, title, err, identityAuthFix)
		}
		name := identity.IdPNameFor(cfg.IdentityServices.Directory.Source)
		found, err := c.FindIdP(ctx, name)
		if err != nil {
			return failCheck(id, title, err, identityAuthFix)
		}
		if found == nil {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, fmt.Sprintf("no identity provider %q in Identity Services", name), fix
			return []doctor.Check{ck}
		}
		idp, err := c.IdP(ctx, found.ID)
		if err != nil {
			return failCheck(id, title, err, identityAuthFix)
		}
		if idp.OIDC == nil || idp.OIDC.ConfigurationURL == "" {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, fmt.Sprintf("identity provider %q has no OIDC configuration URL", name), fix
			return []doctor.Check{ck}
		}
		want, err := fetchDiscovery(ctx, d, identity.OktaConfigurationURL(issuer))
		if err != nil {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, "Okta's issuer "+issuer+": "+err.Error(), "check identityServices.oidc.issuerUrl (or okta.url)"
			return []doctor.Check{ck}
		}
		have, err := fetchDiscovery(ctx, d, idp.OIDC.ConfigurationURL)
		if err != nil {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, fmt.Sprintf("identity provider %q configuration URL: %v", name, err), fix
			return []doctor.Check{ck}
		}
		var bad []string
		same := func(field, h, w string) {
			if strings.TrimRight(h, "/") != strings.TrimRight(w, "/") {
				bad = append(bad, fmt.Sprintf("%s %q, Okta publishes %q", field, h, w))
			}
		}
		same("issuer", have.Issuer, want.Issuer)
		same("authorization_endpoint", have.AuthorizationEndpoint, want.AuthorizationEndpoint)
		same("token_endpoint", have.TokenEndpoint, want.TokenEndpoint)
		if len(bad) > 0 {
			ck.Status, ck.Fix = doctor.Fail, fix
			ck.Detail = fmt.Sprintf("identity provider %q reads %s: %s", name, idp.OIDC.ConfigurationURL, strings.Join(bad, "; "))
			return []doctor.Check{ck}
		}
		ck.Detail = fmt.Sprintf("%s: issuer %s, same endpoints as Okta's", idp.OIDC.ConfigurationURL, have.Issuer)
		return []doctor.Check{ck}
	}}}
}
