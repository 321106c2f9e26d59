package steps

import (
	"context"
	"fmt"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

const identityAuthFix = "check identityServices.url (default access.url) and access.auth (the admin OAuth client) in flowsctl.yaml"

// identityClient is the run's Identity Services admin client (one token for every step).
func identityClient(d Deps) (*identity.Client, error) {
	return sharedLazy(d, "identity", func() (*identity.Client, error) { return identity.FromConfig(d.HTTP, d.Config) }).get()
}

func identitySkip(cfg *config.Config) string {
	if is := cfg.IdentityServices; is == nil || !is.Enabled {
		return "identityServices is not enabled in the config (SCIM goes to Access)"
	}
	return ""
}

// identityDir is the run's directory object: the token and the identity provider read its id
// when they run (they are built in plan, before apply may create the directory).
func identityDir(d Deps) (*identity.DirectoryObject, error) {
	return sharedLazy(d, "identity.directory", func() (*identity.DirectoryObject, error) {
		c, err := identityClient(d)
		if err != nil {
			return nil, err
		}
		return identity.DirectoryFromConfig(c, d.Config)
	}).get()
}

var identityDirectory = Row{
	ID:      "identity.directory",
	Skip:    identitySkip,
	Fix:     identityAuthFix,
	Objects: objectOf("", identityDir),
	Record: func(v *setup.Values, objs []object.Object, _ []object.Result) {
		o := objs[0].(*identity.DirectoryObject)
		if dir := o.Found(); dir != nil {
			v.Identity.DirectoryID, v.Identity.SCIMURL = dir.ID, o.SCIMURL()
		}
	},
}

// ofDirectory builds an object that serves the run's directory (it reads the directory's id
// when it runs).
func ofDirectory(build func(*identity.Client, *config.Config, func() string) (object.Object, error)) func(Deps, setup.Values) ([]object.Object, error) {
	return func(d Deps, _ setup.Values) ([]object.Object, error) {
		c, err := identityClient(d)
		if err != nil {
			return nil, err
		}
		dir, err := identityDir(d)
		if err != nil {
			return nil, err
		}
		o, err := build(c, d.Config, dir.ID)
		return []object.Object{o}, err
	}
}

var identitySCIMToken = Row{
	ID:               "identity.scimToken",
	Needs:            []string{"identity.directory"},
	Skip:             identitySkip,
	Fix:              identityAuthFix,
	VerifyAfterNeeds: true,
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		dir, err := identityDir(d)
		if err != nil {
			return nil, err
		}
		return ofDirectory(func(c *identity.Client, cfg *config.Config, dirID func() string) (object.Object, error) {
			o, err := identity.SCIMTokenFromConfig(c, cfg, dirID)
			if err == nil {
				o.NewDirectory = dir.Created
				o.Rotate = d.rotates("identity.scimToken")
				phase := PhaseDone // a first token: the okta.provisioning step gives it to Okta
				if o.Rotate {
					phase = PhaseIssued // Okta still holds the old token
				}
				o.OnIssued = func(t *identity.SCIMToken) {
					if err := RecordIssued(cfg.Path, t.ExpiresAt, phase); err != nil && d.ErrOut != nil {
						fmt.Fprintf(d.ErrOut, "warning: the token's issue time was not recorded (%v); doctor cannot tell its lifetime\n", err)
					}
				}
			}
			return o, err
		})(d, v)
	},
	Record: func(v *setup.Values, objs []object.Object, rs []object.Result) {
		if rs != nil {
			v.Identity.TokenSink = objs[0].(*identity.SCIMTokenObject).Sink
		}
	},
}

var identityIdP = Row{
	ID:    "identity.idp",
	Needs: []string{"identity.directory", "okta.oidcApp"},
	Skip: skipUnless(identitySkip, func(cfg *config.Config) bool { return cfg.IdentityServices.OIDC != nil },
		"no identityServices.oidc in the config"),
	Fix:              identityAuthFix,
	VerifyAfterNeeds: true,
	Objects: func(d Deps, v setup.Values) ([]object.Object, error) {
		d.Config = withOktaOIDC(d.Config, v, d.Mode)
		return ofDirectory(func(c *identity.Client, cfg *config.Config, dirID func() string) (object.Object, error) {
			o, err := identity.IdPFromConfig(c, cfg, dirID, "")
			if err == nil && d.Mode == setup.ModeApply {
				o.Ahead = idpAhead(d)
			}
			return o, err
		})(d, v)
	},
	Record: func(v *setup.Values, objs []object.Object, rs []object.Result) {
		if len(rs) > 0 && rs[0].ID != "" {
			v.Identity.IdPID = rs[0].ID
		}
	},
	// The provider is looked up by its name alone: apply asks for it once the directory is
	// there, while okta.oidcApp is still making the app whose client id the provider takes.
	ReadAfter: []string{"identity.directory"},
	ReadAhead: func(ctx context.Context, d Deps) {
		c, err := identityClient(d)
		if err != nil {
			return
		}
		idpAhead(d).ReadAhead(ctx, c, identity.IdPNameFor(d.Config.IdentityServices.Directory.Source))
	},
}

// idpAhead is the run's identity provider looked up ahead (apply only).
func idpAhead(d Deps) *identity.IdPReadAhead {
	return sharedValue(d, "identity.idp.ahead", func() *identity.IdPReadAhead { return &identity.IdPReadAhead{} })
}

// withOktaOIDC is cfg with the Identity Services IdP's Okta values taken from the okta.oidcApp
// step (client id, the secret's sink, the issuer) where the config leaves them to it; values
// written in identityServices.oidc win. Planning before the app exists shows a placeholder.
func withOktaOIDC(cfg *config.Config, v setup.Values, mode setup.Mode) *config.Config {
	if !cfg.OIDCFromOkta() {
		return cfg
	}
	cp := *cfg
	is := *cfg.IdentityServices
	oc := *is.OIDC
	is.OIDC, cp.IdentityServices = &oc, &is
	if oc.ClientID == "" {
		oc.ClientID = v.Okta.OIDCClientID
		if oc.ClientID == "" && mode == setup.ModePlan {
			oc.ClientID = "(the client id of the Okta OIDC app flowsctl creates)"
		}
	}
	if oc.ClientSecret == "" {
		oc.ClientSecret = cfg.Okta.OIDCApp.SecretSink
	}
	if v.Okta.Issuer != "" && oc.IssuerURL == cfg.Okta.URL {
		oc.IssuerURL = config.URL(v.Okta.Issuer)
	}
	return &cp
}

// IdPConfig is cfg with the Identity Services IdP's Okta values read from the Okta OIDC app
// where the config leaves them to it (as the identity.idp step does after okta.oidcApp), for a
// command that creates the provider on its own (`identity idp create oidc`). Without an
// okta.oidcApp section it is cfg; an OIDC app not created yet is an error naming the command.
func IdPConfig(ctx context.Context, d Deps) (*config.Config, error) {
	cfg := d.Config
	if !cfg.OIDCFromOkta() {
		return cfg, nil
	}
	app, err := OktaOIDCApp(WithShared(d))
	if err != nil {
		return nil, err
	}
	if _, err := app.Plan(ctx); err != nil {
		return nil, fmt.Errorf("okta oidc app %q: %w", cfg.Okta.OIDCApp.Label, err)
	}
	var v setup.Values
	v.Okta.OIDCClientID, v.Okta.Issuer = app.ClientID(), app.Issuer()
	if v.Okta.OIDCClientID == "" && cfg.IdentityServices.OIDC.ClientID == "" {
		return nil, fmt.Errorf("the Okta OIDC app %q, whose client id and secret the identity provider uses, does not exist yet: run %s first (or write identityServices.oidc.clientId and clientSecret)",
			cfg.Okta.OIDCApp.Label, WithFile(cfg, "flowsctl okta apply"))
	}
	return withOktaOIDC(cfg, v, setup.ModeApply), nil
}
