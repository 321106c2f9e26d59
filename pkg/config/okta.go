package config

import (
	"fmt"
	"strings"
)

// Okta is the Okta side of provisioning: the SCIM app that provisions users and groups into
// Workspace ONE (Identity Services SCIM 2.0, or Access SCIM 1.1), the OIDC app users sign in
// with (Identity Services), assignments and group push. Without this section the Okta steps
// stay operator steps with every value filled in.
type Okta struct {
	// URL is the Okta org (https://ORG.okta.com or a custom domain).
	URL     URL         `yaml:"url" json:"url"`
	Auth    OktaAuth    `yaml:"auth" json:"auth"`
	SCIMApp OktaSCIMApp `yaml:"scimApp" json:"scimApp"`
	OIDCApp *OktaOIDC   `yaml:"oidcApp,omitempty" json:"oidcApp,omitempty"`
	// AssignGroups are assigned to the SCIM app (and the OIDC app): their users are provisioned.
	AssignGroups []string `yaml:"assignGroups" json:"assignGroups"`
	// PushGroups are pushed as groups with their memberships.
	PushGroups []string `yaml:"pushGroups" json:"pushGroups"`
}

// OktaAuth is how flowsctl signs in to Okta: an OAuth 2.0 service app with private_key_jwt
// (Okta's recommended way for automation), or an API token (SSWS).
type OktaAuth struct {
	ClientID   string    `yaml:"clientId,omitempty" json:"clientId,omitempty"`
	PrivateKey SecretRef `yaml:"privateKey,omitempty" json:"privateKey,omitempty"`
	KeyID      string    `yaml:"keyId,omitempty" json:"keyId,omitempty"`
	Scopes     []string  `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	APIToken   SecretRef `yaml:"apiToken,omitempty" json:"apiToken,omitempty"`
}

// OktaSCIMApp is the provisioning app.
type OktaSCIMApp struct {
	Label string `yaml:"label" json:"label"`
	// CatalogName is the app's name in Okta's catalog (the API's app "name").
	CatalogName string `yaml:"catalogName" json:"catalogName"`
}

// OktaOIDC is the web app users sign in with (Identity Services path).
type OktaOIDC struct {
	Label string `yaml:"label" json:"label"`
	// SecretSink is where the app's client secret is written; the Identity Services IdP reads it.
	SecretSink SecretRef `yaml:"secretSink" json:"secretSink"`
}

// Catalog names of the two SCIM apps. The Identity Services app is Okta's "SCIM 2.0 Test App
// (OAuth Bearer Token)"; the Access app is "VMware Workspace ONE" (set scimApp.catalogName when
// your org lists it under another name: Applications > Browse App Catalog).
const (
	OktaCatalogSCIM2  = "scim2testapp"
	OktaCatalogAccess = "vmwareworkspaceone"
)

// DefaultOktaScopes are the scopes the service app needs.
var DefaultOktaScopes = []string{"okta.apps.manage", "okta.apps.read", "okta.groups.read", "okta.users.read", "okta.profileMappings.manage", "okta.schemas.read"}

// OktaIdentityPath reports whether Okta provisions into Identity Services (SCIM 2.0) rather
// than Access (SCIM 1.1, access.scimClient).
func (c *Config) OktaIdentityPath() bool {
	return c.IdentityServices != nil && c.IdentityServices.Enabled
}

func applyOktaDefaults(c *Config) {
	o := c.Okta
	if o == nil {
		return
	}
	if o.Auth.APIToken == "" {
		list(&o.Auth.Scopes, DefaultOktaScopes...)
	}
	if c.OktaIdentityPath() {
		str(&o.SCIMApp.Label, "VMware Identity Services - SCIM")
		str(&o.SCIMApp.CatalogName, OktaCatalogSCIM2)
		if o.OIDCApp == nil && !c.present("okta.oidcApp") {
			o.OIDCApp = &OktaOIDC{}
		}
	} else {
		str(&o.SCIMApp.Label, "VMware Workspace ONE")
		str(&o.SCIMApp.CatalogName, OktaCatalogAccess)
	}
	if o.OIDCApp != nil {
		str(&o.OIDCApp.Label, "VMware Identity Services - OIDC")
		if o.OIDCApp.SecretSink == "" {
			o.OIDCApp.SecretSink = DefaultOktaOIDCSecretSink
		}
	}
	if c.OIDCFromOkta() {
		is := c.IdentityServices
		if is.OIDC == nil {
			is.OIDC = &IdentityOIDC{}
		}
		if is.OIDC.IssuerURL == "" {
			is.OIDC.IssuerURL = o.URL
		}
		str(&is.OIDC.OIDCUserIdentifier, "email")
		str(&is.OIDC.WorkspaceOneUserIdentifier, "email")
	}
}

// OIDCFromOkta reports whether the Identity Services IdP takes its Okta OIDC app from the
// okta section (flowsctl creates the app and wires its client id, secret and issuer).
func (c *Config) OIDCFromOkta() bool {
	return c.Okta != nil && c.Okta.OIDCApp != nil && c.OktaIdentityPath()
}

// DefaultOktaOIDCSecretSink is where the OIDC app's client secret goes by default.
const DefaultOktaOIDCSecretSink SecretRef = "file:.flowsctl/secrets/okta-oidc-client-secret"

func (v *validator) okta(o *Okta) {
	v.urlReq("okta.url", string(o.URL))
	a := o.Auth
	switch {
	case a.APIToken != "" && (a.ClientID != "" || a.PrivateKey != ""):
		v.add("okta.auth", "set either apiToken or clientId with privateKey, not both")
	case a.APIToken != "":
		v.secretRef("okta.auth.apiToken", a.APIToken, false)
	case a.ClientID == "" && a.PrivateKey == "":
		v.add("okta.auth", "is required: an OAuth 2.0 service app (clientId, privateKey, keyId) or apiToken (env:OKTA_API_TOKEN)")
	default:
		v.required("okta.auth.clientId", a.ClientID, "the client id of the Okta API service app (Applications > API Services)")
		if v.required("okta.auth.privateKey", string(a.PrivateKey), "the service app's private key as file:PATH or env:NAME (PEM)") {
			v.secretRef("okta.auth.privateKey", a.PrivateKey, false)
		}
		for i, s := range a.Scopes {
			if !strings.HasPrefix(s, "okta.") {
				v.add(fmt.Sprintf("okta.auth.scopes[%d]", i), "%q is not an Okta management scope (they start with okta., e.g. okta.apps.manage)", s)
			}
		}
	}
	v.required("okta.scimApp.label", o.SCIMApp.Label, "the label of the SCIM app in Okta")
	v.noDuplicates("okta.assignGroups", o.AssignGroups)
	v.noDuplicates("okta.pushGroups", o.PushGroups)
	if o.OIDCApp != nil {
		v.required("okta.oidcApp.label", o.OIDCApp.Label, "the label of the OIDC app in Okta")
		v.secretRef("okta.oidcApp.secretSink", o.OIDCApp.SecretSink, true)
		if !v.c.OktaIdentityPath() {
			v.add("okta.oidcApp", "is for the Identity Services path (identityServices.enabled: true); Access signs users in with its own identity providers")
		}
	}
	if !v.c.OktaIdentityPath() {
		if v.c.Access == nil || v.c.Access.SCIMClient == nil {
			v.add("okta", "provisions into Identity Services (identityServices.enabled) or into Access (access.scimClient); configure one of them")
		}
		// The Okta SCIM to Access guide's known issue: a group used for assignment must not be
		// pushed as well; push a separate group.
		assigned := map[string]bool{}
		for _, g := range o.AssignGroups {
			assigned[strings.ToLower(g)] = true
		}
		for i, g := range o.PushGroups {
			if assigned[strings.ToLower(g)] {
				v.add(fmt.Sprintf("okta.pushGroups[%d]", i), "%q is also in okta.assignGroups: on the Access path the same group must not be used for assignment and push (the Okta SCIM to Access guide's known issue); push a separate group", g)
			}
		}
	}
}

var oktaDocs = map[string]fieldDoc{
	"okta":                     {Desc: "The Okta side of provisioning: the SCIM app, the OIDC sign-in app (Identity Services), assignments and group push. Without it the Okta steps are operator steps."},
	"okta.url":                 {Desc: "The Okta org.", Allowed: httpsURL + ", e.g. `https://acme.okta.com`"},
	"okta.auth":                {Desc: "How flowsctl signs in to Okta: an API service app with private_key_jwt (recommended), or an API token."},
	"okta.auth.clientId":       {Desc: "Client id of the Okta API service app (Applications > API Services)."},
	"okta.auth.privateKey":     {Desc: "The service app's private key (PEM, RSA).", Allowed: inputSecret},
	"okta.auth.keyId":          {Desc: "The key id (kid) of the service app's public key in Okta."},
	"okta.auth.scopes":         {Desc: "Scopes granted to the service app. Add `okta.logs.read` (once granted) for doctor to quote Okta's System Log on users that failed to provision.", Default: "`" + strings.Join(DefaultOktaScopes, "`, `") + "`"},
	"okta.auth.apiToken":       {Desc: "An Okta API token (sent as SSWS), instead of the service app.", Allowed: inputSecret},
	"okta.scimApp":             {Desc: "The provisioning app."},
	"okta.scimApp.label":       {Desc: "Its label, the natural key flowsctl finds it by.", Default: "`VMware Identity Services - SCIM` (Identity Services) or `VMware Workspace ONE` (Access)"},
	"okta.scimApp.catalogName": {Desc: "The app's catalog name in Okta.", Default: "`" + OktaCatalogSCIM2 + "` (SCIM 2.0 Test App, OAuth Bearer Token) or `" + OktaCatalogAccess + "` (VMware Workspace ONE)"},
	"okta.oidcApp":             {Desc: "The OIDC web app users sign in with (Identity Services path); its client id and secret feed identityServices.oidc."},
	"okta.oidcApp.label":       {Desc: "Its label.", Default: "`VMware Identity Services - OIDC`"},
	"okta.oidcApp.secretSink":  {Desc: "Where its client secret is written.", Allowed: sinkSecret, Default: "`" + string(DefaultOktaOIDCSecretSink) + "`"},
	"okta.assignGroups":        {Desc: "Okta groups assigned to the apps: their users are provisioned."},
	"okta.pushGroups":          {Desc: "Okta groups pushed with their memberships; on the Access path, not also in assignGroups."},
}
