package steps

import (
	"context"
	"fmt"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/okta"
	"github.com/flowsctl/flowsctl/pkg/operator"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

const oktaAuthFix = "check okta.url and okta.auth in flowsctl.yaml (the API service app's client id, key id and private key, or an API token)"

// oktaClient is the run's Okta client (one token for every Okta step).
func oktaClient(d Deps) *lazy[*okta.Client] {
	return sharedClient(d, "okta", oktaAuthFix, func() (*okta.Client, error) { return okta.New(d.HTTP, d.Config) })
}

// OktaClient is the run's Okta client (the okta noun uses the same one).
func OktaClient(d Deps) (*okta.Client, error) { return oktaClient(d).get() }

func oktaSkip(cfg *config.Config) string {
	if cfg.Okta == nil {
		return "no okta section in the config (the Okta steps are then done by hand: flowsctl apply lists them)"
	}
	return ""
}

// OktaSCIMApp is the SCIM app object as the config wants it.
func OktaSCIMApp(d Deps) (*okta.SCIMApp, error) {
	if d.Mode != setup.ModePlan && d.Mode != setup.ModeApply {
		return newOktaSCIMApp(d)
	}
	// Plan and apply run okta.provisioning and okta.groupPush after okta.scimApp (they need
	// it), so the three share one object per mode: the app okta.scimApp found or created is
	// not looked up again. Verify runs them concurrently and builds one each.
	return sharedLazy(d, "okta.scimApp/"+string(d.Mode), func() (*okta.SCIMApp, error) { return newOktaSCIMApp(d) }).get()
}

func newOktaSCIMApp(d Deps) (*okta.SCIMApp, error) {
	c, err := oktaClient(d).get()
	if err != nil {
		return nil, err
	}
	cfg := d.Config
	spec := okta.SCIMAppSpec{Label: cfg.Okta.SCIMApp.Label, CatalogName: cfg.Okta.SCIMApp.CatalogName, AssignGroups: cfg.Okta.AssignGroups}
	if !cfg.OktaIdentityPath() {
		base, err := cfg.AccessBase()
		if err != nil {
			return nil, err
		}
		spec.AccessURL = base.TenantURL()
		if cfg.Access.Directory != nil && len(cfg.Access.Directory.Domains) > 0 {
			spec.Domain = cfg.Access.Directory.Domains[0]
		}
	}
	return okta.NewSCIMApp(c, spec), nil
}

var oktaSCIMApp = Row{
	ID:      "okta.scimApp",
	Skip:    oktaSkip,
	Objects: objectOf("flowsctl okta apps apply", OktaSCIMApp),
	Record: func(v *setup.Values, objs []object.Object, _ []object.Result) {
		if a := unfix(objs[0]).(*okta.SCIMApp).App(); a != nil {
			v.Okta.SCIMAppID = a.ID
		}
	},
	Fix: oktaAuthFix,
}

// OktaProvisioning is the provisioning object: the token Okta must hold comes from the
// Identity Services directory token's sink, or is an Access token of the OktaSCIM client.
func OktaProvisioning(d Deps, _ setup.Values) (*okta.Provisioning, error) {
	app, err := OktaSCIMApp(d)
	if err != nil {
		return nil, err
	}
	c, _ := oktaClient(d).get()
	cfg := d.Config
	spec := okta.ProvisioningSpec{App: app, Store: &operator.Store{Path: operator.PathFor(cfg.Path)},
		ConfirmCmd: confirmCmd(cfg, "okta.provisioning")}
	if cfg.OktaIdentityPath() {
		base, err := cfg.IdentityBase()
		if err != nil {
			return nil, err
		}
		// The config's sink, the one identity.scimToken writes: the object is built before
		// that step finishes (okta.provisioning reads ahead once the app exists).
		sink := cfg.IdentityServices.SCIMToken.Sink
		spec.BaseURL, spec.Target = base+config.IdentitySCIMPath, "Identity Services"
		spec.TokenWhere = "the Identity Services directory token in " + string(cfg.ResolveRef(sink))
		spec.Token = func(context.Context) (string, error) { return cfg.Secret(sink) }
	} else {
		sc := cfg.Access.SCIMClient
		base, err := cfg.AccessBase()
		if err != nil {
			return nil, err
		}
		spec.Target = "Access"
		spec.TokenWhere = fmt.Sprintf("an Access token of the %s client (print one with: flowsctl access token --client %s -f %s)", sc.ClientID, sc.ClientID, cfg.Path)
		spec.Token = func(ctx context.Context) (string, error) {
			secret, err := cfg.Secret(sc.SecretSink)
			if err != nil {
				return "", err
			}
			t, err := httpx.ClientCredentials{Service: "access", TokenURL: base.TokenURL(), ClientID: sc.ClientID, Secret: secret, Basic: true, GrantInQuery: true,
				Fix: "flowsctl apply --only access.scimClient"}.Fetch(ctx, d.HTTP)
			return t.Value, err
		}
	}
	return okta.NewProvisioning(c, spec), nil
}

var oktaProvisioning = Row{
	ID: "okta.provisioning",
	// On the Access path Okta provisions the users it has assigned as soon as the connection
	// is on, and Access refuses a user whose domain no directory owns: Okta marks that user
	// ERROR and does not try again by itself. So the connection waits for Access's directory.
	Needs: []string{"okta.scimApp", "identity.scimToken", "access.scimClient", "access.directory"},
	// The connection and features are looked up once the app exists; only setting the
	// connection needs the token.
	ReadAfter: []string{"okta.scimApp"},
	Skip:      oktaSkip,
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		p, err := OktaProvisioning(d, v)
		if err != nil {
			return nil, err
		}
		return fixed("flowsctl okta provisioning apply", p), nil
	},
	Fix:              oktaAuthFix,
	VerifyAfterNeeds: true,
}

var oktaGroupPush = Row{
	ID:    "okta.groupPush",
	Needs: []string{"okta.provisioning"},
	// The groups and the mappings are looked up once the app exists; only pushing needs the
	// provisioning on.
	ReadAfter: []string{"okta.scimApp"},
	Skip: skipUnless(oktaSkip, func(cfg *config.Config) bool { return len(cfg.Okta.PushGroups) > 0 },
		"no okta.pushGroups in the config"),
	Objects: func(d Deps, _ setup.Values) ([]object.Object, error) {
		app, err := OktaSCIMApp(d)
		if err != nil {
			return nil, err
		}
		c, _ := oktaClient(d).get()
		return fixed("flowsctl okta push", okta.NewGroupPush(c, app, d.Config.Okta.PushGroups)), nil
	},
	Fix: oktaAuthFix,
}

// OktaOIDCApp is the OIDC app object; its redirect URI is read from Identity Services.
func OktaOIDCApp(d Deps) (*okta.OIDCApp, error) {
	c, err := oktaClient(d).get()
	if err != nil {
		return nil, err
	}
	cfg := d.Config
	read := func(ctx context.Context) (string, error) { return IdentityRedirectURI(ctx, d) }
	return okta.NewOIDCApp(c, okta.OIDCSpec{Label: cfg.Okta.OIDCApp.Label, ReadRedirectURI: read, AssignGroups: cfg.Okta.AssignGroups,
		SecretSink: cfg.Okta.OIDCApp.SecretSink, Config: cfg}), nil
}

// IdentityRedirectURI is the sign-in redirect URI Identity Services' IdP wizard shows, read
// with the run's Identity Services client (its token is shared with the identity rows).
func IdentityRedirectURI(ctx context.Context, d Deps) (string, error) {
	c, err := identityClient(d)
	if err != nil {
		return "", err
	}
	return c.OIDCRedirectURI(ctx), nil
}

var oktaOIDCApp = Row{
	ID:    "okta.oidcApp",
	Needs: []string{"identity.directory"},
	Skip: skipUnless(oktaSkip, func(cfg *config.Config) bool { return cfg.Okta.OIDCApp != nil },
		"no okta.oidcApp (the Access path signs users in with Access's own identity providers)"),
	Objects: objectOf("flowsctl okta apps apply", OktaOIDCApp),
	Record: func(v *setup.Values, objs []object.Object, _ []object.Result) {
		o := unfix(objs[0]).(*okta.OIDCApp)
		if id := o.ClientID(); id != "" {
			v.Okta.OIDCClientID = id
		}
		v.Okta.Issuer = o.Issuer()
	},
	Fix: oktaAuthFix,
}

// unfix returns the object a withFix wraps.
func unfix(o object.Object) object.Object {
	if w, ok := o.(withFix); ok {
		return w.Object
	}
	return o
}
