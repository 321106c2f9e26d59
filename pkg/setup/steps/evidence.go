package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/scim"
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

// maxPushedGroupProbes bounds the pushed-group evidence: one filtered request per group.
const maxPushedGroupProbes = 20

// pushedGroupsProbe: every group Okta pushes (okta.pushGroups) exists in the directory Okta
// provisions into, and (Access) outside the System domain: evidence on the target's side that
// the push arrived, whatever Okta's mapping says.
func pushedGroupsProbe(d Deps) []doctor.Probe {
	cfg := d.Config
	if cfg.Okta == nil || len(cfg.Okta.PushGroups) == 0 {
		return nil
	}
	if !(cfg.IdentityServices != nil && cfg.IdentityServices.Enabled) && (cfg.Access == nil || cfg.Access.SCIMClient == nil) {
		return nil
	}
	const title = "groups Okta pushes arrived in the target directory"
	return []doctor.Probe{{ID: "scim.pushedGroups", Title: title, Run: func(ctx context.Context) []doctor.Check {
		t, err := scim.ResolveTarget(d.HTTP, cfg, scim.Override{})
		if err != nil {
			return failCheck("scim.pushedGroups", title, err, "flowsctl apply (it creates the SCIM credentials), then flowsctl scim verify")
		}
		groups := cfg.Okta.PushGroups
		var out []doctor.Check
		for i, name := range groups {
			id, gt := "scim.pushedGroups."+text.Slug(name), fmt.Sprintf("pushed group %q in %s", name, t.URL)
			if i == maxPushedGroupProbes {
				out = append(out, doctor.Check{ID: "scim.pushedGroups.more", Title: "more pushed groups", Status: doctor.Skip,
					Detail: fmt.Sprintf("%d more groups not sampled (at most %d requests)", len(groups)-i, maxPushedGroupProbes)})
				break
			}
			found, err := t.Client.FindGroups(ctx, name)
			switch {
			case err != nil:
				out = append(out, doctor.Check{ID: id, Title: gt, Status: doctor.Fail, Detail: err.Error(), Fix: "flowsctl scim verify"})
			case len(found) == 0:
				// A warning: Okta pushes asynchronously, and a push whose target group was deleted
				// (a re-created directory) needs Okta's Push now, which no API flowsctl uses does.
				out = append(out, doctor.Check{ID: id, Title: gt, Status: doctor.Warn, Detail: "no group of that name in the target directory (not pushed yet, or deleted there)",
					Fix: "flowsctl apply --only okta.groupPush, then Okta Admin Console > Applications > the SCIM app > Push Groups > Push now"})
			case scim.IsSystemDomain(found[0].Domain):
				out = append(out, doctor.Check{ID: id, Title: gt, Status: doctor.Fail, Detail: "in the System domain (Okta pushed it without the directory's domain)",
					Fix: "flowsctl scim groups fix-domain (then relink the group in Okta: Push Groups > Link Group)"})
			default:
				detail := "id " + found[0].ID
				if found[0].Domain != "" {
					detail += ", domain " + found[0].Domain
				}
				out = append(out, doctor.Check{ID: id, Title: gt, Status: doctor.Pass, Detail: detail})
			}
		}
		return out
	}}}
}
