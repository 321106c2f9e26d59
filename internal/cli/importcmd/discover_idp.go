package importcmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
)

// identityIdP adopts the Identity Services OIDC identity provider flowsctl finds by name (the
// directory's source: "Okta"): its issuer, client id and user identifier attributes become
// identityServices.oidc. The client secret is never returned; the config keeps a reference.
func (im *importer) identityIdP() error {
	is := im.cfg.IdentityServices
	c, err := identity.FromConfig(im.hc, im.cfg)
	if err != nil {
		return err
	}
	name := identity.IdPNameFor(is.Directory.Source)
	ps, err := c.FindOIDCIdPs(im.ctx, name)
	if err != nil {
		return fmt.Errorf("import: read the Identity Services identity providers: %w", err)
	}
	if len(ps) == 0 {
		im.note("Identity Services identity provider: no OIDC provider; kept identityServices.oidc as configured.")
		return nil
	}
	if !strings.EqualFold(ps[0].Name, name) {
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = fmt.Sprintf("%q", p.Name)
		}
		im.note("Identity Services identity provider: none named %q, the name flowsctl finds it by (after the directory's source); OIDC providers there: %s. Rename yours to %q in the Identity Services console (Integrations > Identity Providers), or plan will create one; kept identityServices.oidc as configured.", name, strings.Join(names, ", "), name)
		return nil
	}
	p := ps[0]
	if p.OIDC == nil {
		im.note("Identity Services identity provider %q: its OIDC profile is not readable; kept identityServices.oidc as configured.", p.Name)
		return nil
	}
	oc := is.OIDC
	if oc == nil {
		oc = &config.IdentityOIDC{}
		if !im.cfg.OIDCFromOkta() {
			oc.ClientSecret = "env:FLOWSCTL_OKTA_OIDC_SECRET"
		}
		is.OIDC = oc
	}
	if have := p.OIDC.ConfigurationURL; have != "" && have != identity.OktaConfigurationURL(string(oc.IssuerURL)) {
		oc.IssuerURL = config.URL(identity.IssuerOf(have))
	}
	// On the Okta path an empty clientId means "the Okta OIDC app's": keep it so while they agree.
	want := oc.ClientID
	if want == "" && im.cfg.OIDCFromOkta() {
		want = im.oktaOIDCClientID
	}
	if p.OIDC.ClientID != "" && p.OIDC.ClientID != want {
		oc.ClientID = p.OIDC.ClientID
		if im.cfg.OIDCFromOkta() {
			im.note("Identity Services identity provider %q: its client id %s is not the Okta OIDC app's; identityServices.oidc.clientId set to it (identityServices.oidc.clientSecret must then hold that client's secret).", p.Name, p.OIDC.ClientID)
		}
	}
	if v := p.OIDC.OIDCUserID; v != "" {
		oc.OIDCUserIdentifier = v
	}
	if v := p.OIDC.InternalUserID; v != "" {
		oc.WorkspaceOneUserIdentifier = v
	}
	link := "serves directory " + fmt.Sprintf("%q", is.Directory.Name)
	if im.identityDirID != "" && !slices.Contains(p.DirectoryIDs, im.identityDirID) {
		link = fmt.Sprintf("does not serve directory %q yet, so plan will link it", is.Directory.Name)
	}
	im.note("Identity Services identity provider: adopted %q (issuer %s, user identifiers %s -> %s), %s; its client secret is never read back.", p.Name, identity.IssuerOf(p.OIDC.ConfigurationURL), oc.OIDCUserIdentifier, oc.WorkspaceOneUserIdentifier, link)
	return nil
}
