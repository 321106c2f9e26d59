package okta

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// OIDCSpec is the OIDC web app users sign in with (Identity Services path).
type OIDCSpec struct {
	Label string
	// RedirectURI is the redirect URI Identity Services' IdP wizard shows; when empty,
	// ReadRedirectURI reads it (once, at the first look-up).
	RedirectURI     string
	ReadRedirectURI func(ctx context.Context) (string, error)
	AssignGroups    []string
	SecretSink      config.SecretRef
	// Config reads and writes the secret sink (the only way secrets are stored).
	Config *config.Config
}

// OIDCApp is the OIDC web app (authorization code) whose client id and secret Identity
// Services' identity provider uses. Natural key: the label.
type OIDCApp struct {
	labeledApp
	spec OIDCSpec
}

// NewOIDCApp builds the object.
func NewOIDCApp(c *Client, spec OIDCSpec) *OIDCApp {
	return &OIDCApp{labeledApp: newLabeledApp(c, spec.AssignGroups), spec: spec}
}

// ClientID is the app's client id ("" before it exists).
func (o *OIDCApp) ClientID() string { return o.app.ClientID() }

// Issuer is the org's issuer (the Identity Services IdP's configuration URL is under it).
func (o *OIDCApp) Issuer() string { return o.c.base }

func (o *OIDCApp) name() string { return fmt.Sprintf("okta oidc app %q", o.spec.Label) }

func (o *OIDCApp) lookup(ctx context.Context) error {
	if o.found {
		return nil
	}
	// The redirect URI (Identity Services) and the app (Okta) are read together.
	readURI := func(ctx context.Context) error {
		if o.spec.RedirectURI == "" && o.spec.ReadRedirectURI != nil {
			u, err := o.spec.ReadRedirectURI(ctx)
			if err != nil {
				return fmt.Errorf("the Identity Services redirect URI: %w", err)
			}
			o.spec.RedirectURI = u
		}
		return nil
	}
	return together(ctx, readURI, func(ctx context.Context) error { return o.find(ctx, o.spec.Label) })
}

func (o *OIDCApp) redirects() []string {
	if o.app == nil || o.app.Settings.OAuthClient == nil {
		return nil
	}
	return o.app.Settings.OAuthClient.RedirectURIs
}

// secretHere reports whether the sink holds a value (it cannot tell whether it is current:
// Okta never shows the secret again).
func (o *OIDCApp) secretHere() bool {
	_, err := o.spec.Config.Secret(o.spec.SecretSink)
	return err == nil
}

func (o *OIDCApp) diff(ctx context.Context) (plan.Diff, []string, error) {
	var d plan.Diff
	if !slices.Contains(o.redirects(), o.spec.RedirectURI) {
		d = append(d, plan.FieldChange{Path: "redirect_uris", Old: strings.Join(o.redirects(), " "), New: "+ " + o.spec.RedirectURI})
	}
	return o.unassigned(ctx, d)
}

// Plan reports the app to create, a missing redirect URI or assignment, and a client secret
// that exists in Okta but not in the sink (never rotated unless asked).
func (o *OIDCApp) Plan(ctx context.Context) ([]plan.Change, error) {
	if err := o.lookup(ctx); err != nil {
		return nil, err
	}
	if o.app == nil {
		return []plan.Change{{Object: o.name(), Action: plan.Create, Fields: []plan.FieldChange{
			{Path: "redirect_uris", New: o.spec.RedirectURI}, {Path: "grant_types", New: "authorization_code"},
			{Path: "client_secret", New: "(written to " + string(o.spec.SecretSink) + ")"}}}}, nil
	}
	d, _, err := o.diff(ctx)
	if err != nil {
		return nil, err
	}
	var out []plan.Change
	switch {
	case len(d) > 0:
		out = append(out, plan.Change{Object: o.name(), Action: plan.Update, Fields: d})
	default:
		out = append(out, plan.Change{Object: o.name(), Action: plan.NoOp})
	}
	if !o.secretHere() {
		out = append(out, plan.Change{Object: o.name() + " client secret", Action: plan.Create,
			Note: "not in " + string(o.spec.SecretSink) + ": a second client secret is added and written there (the one Okta has stays active: nothing that holds it stops working)"})
	}
	return out, nil
}

// Apply creates the app and writes its client secret to the sink (checked writable first), adds
// a missing redirect URI and assignments. A lost secret is rotated only when asked.
func (o *OIDCApp) Apply(ctx context.Context) (object.Result, error) {
	r := object.Result{Object: o.name(), Kind: "okta oidc app", Key: o.spec.Label, Action: plan.NoOp}
	if err := o.lookup(ctx); err != nil {
		return r, err
	}
	if err := o.groups.missingErr("okta.assignGroups"); err != nil {
		return r, err
	}
	sink := o.spec.Config.ResolveRef(o.spec.SecretSink)
	if o.app == nil || !o.secretHere() {
		if err := sink.CheckSink(); err != nil {
			return r, fmt.Errorf("%s: %w (fix okta.oidcApp.secretSink before flowsctl creates a secret it could not keep)", o.name(), err)
		}
	}
	if o.app == nil {
		want := App{Name: "oidc_client", Label: o.spec.Label, SignOnMode: "OPENID_CONNECT",
			Settings: AppSettings{OAuthClient: &OAuthClientSettings{RedirectURIs: []string{o.spec.RedirectURI},
				ResponseTypes: []string{"code"}, GrantTypes: []string{"authorization_code"}, ApplicationType: "web"}},
			Credentials: &AppCredentials{OAuthClient: &OAuthClientCredentials{AuthMethod: "client_secret_basic"}}}
		app, adopted, err := o.create(ctx, o.spec.Label, want)
		if err != nil {
			return r, fmt.Errorf("create %s: %w", o.name(), err)
		}
		o.app, r.Action = app, plan.Create
		secret := ""
		if app.Credentials != nil && app.Credentials.OAuthClient != nil {
			secret = app.Credentials.OAuthClient.ClientSecret
		}
		if adopted || secret == "" {
			// The create's answer was lost: the secret in it is gone; issue a new one.
			if secret, err = o.c.NewClientSecret(ctx, app.ID); err != nil {
				return r, fmt.Errorf("%s: a client secret: %w", o.name(), err)
			}
		}
		o.c.hc.AddSecret(secret)
		if err := o.spec.Config.WriteSecret(o.spec.SecretSink, secret); err != nil {
			return r, fmt.Errorf("%s: write its client secret: %w", o.name(), err)
		}
		r.SecretSink = string(sink)
		if o.app.Credentials != nil && o.app.Credentials.OAuthClient != nil {
			o.app.Credentials.OAuthClient.ClientSecret = ""
		}
	} else if !o.secretHere() {
		// The value is not here (a lost file, an apply interrupted after the create). Adding a
		// secret revokes nothing: the one Okta has stays active for whoever holds it.
		secret, err := o.c.NewClientSecret(ctx, o.app.ID)
		if err != nil {
			return r, fmt.Errorf("%s: a new client secret: %w", o.name(), err)
		}
		o.c.hc.AddSecret(secret)
		if err := o.spec.Config.WriteSecret(o.spec.SecretSink, secret); err != nil {
			return r, fmt.Errorf("%s: write its client secret: %w", o.name(), err)
		}
		r.Action, r.SecretSink = plan.Update, string(sink)
		r.Note = "added a client secret; the earlier one stays active in Okta: deactivate it (Applications > " + o.spec.Label + " > General > Client Secrets) once nothing uses it"
	}
	r.ID = o.app.ID
	d, un, err := o.diff(ctx)
	if err != nil {
		return r, err
	}
	r.Fields = append(r.Fields, d...)
	if len(d) > 0 && r.Action == plan.NoOp {
		r.Action = plan.Update
	}
	if !slices.Contains(o.redirects(), o.spec.RedirectURI) {
		upd := *o.app
		oc := *upd.Settings.OAuthClient
		oc.RedirectURIs = append(slices.Clone(oc.RedirectURIs), o.spec.RedirectURI)
		upd.Settings.OAuthClient = &oc
		upd.Credentials = nil
		app, err := o.c.ReplaceApp(ctx, &upd)
		if err != nil {
			return r, fmt.Errorf("add the redirect URI to %s: %w", o.name(), err)
		}
		o.app = app
	}
	if err := o.assign(ctx, un, o.name()); err != nil {
		return r, err
	}
	return r, nil
}

// Verify checks the app, that its redirect URI is Identity Services', its assignments, the
// secret in the sink, and that the org's discovery document names the issuer flowsctl uses.
func (o *OIDCApp) Verify(ctx context.Context) []doctor.Check {
	fix := "flowsctl apply --only okta.oidcApp"
	if err := o.lookup(ctx); err != nil {
		return []doctor.Check{{ID: "okta.oidcApp", Title: "Okta OIDC app exists", Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, fix)}}
	}
	if o.app == nil {
		return []doctor.Check{{ID: "okta.oidcApp", Title: "Okta OIDC app exists", Status: doctor.Fail, Detail: fmt.Sprintf("no app labelled %q", o.spec.Label), Fix: fix}}
	}
	out := []doctor.Check{{ID: "okta.oidcApp", Title: "Okta OIDC app exists", Status: doctor.Pass, Detail: fmt.Sprintf("%s (client id %s)", o.spec.Label, o.ClientID())}}
	red := doctor.Check{ID: "okta.oidcApp.redirectUri", Title: "Okta OIDC app redirects to Identity Services", Status: doctor.Pass, Detail: o.spec.RedirectURI}
	if !slices.Contains(o.redirects(), o.spec.RedirectURI) {
		red.Status, red.Detail, red.Fix = doctor.Fail, "redirect URIs "+strings.Join(o.redirects(), " ")+" lack "+o.spec.RedirectURI, fix
	}
	out = append(out, red)
	if _, un, err := o.diff(ctx); err == nil && len(un) > 0 {
		out = append(out, doctor.Check{ID: "okta.oidcApp.assignments", Title: "Groups assigned to the Okta OIDC app", Status: doctor.Fail, Detail: "not assigned: " + strings.Join(un, ", "), Fix: fix})
	}
	if !o.secretHere() {
		out = append(out, doctor.Check{ID: "okta.oidcApp.secret", Title: "Okta OIDC client secret at hand", Status: doctor.Warn,
			Detail: "not in " + string(o.spec.SecretSink) + " (the identity provider cannot be updated without it)", Fix: "restore the file, or run flowsctl apply --only okta.oidcApp (adds a second secret; the first stays active)"})
	}
	disc := doctor.Check{ID: "okta.discovery", Title: "Okta's OpenID configuration names the issuer", Status: doctor.Pass}
	if d, err := o.c.Discovery(ctx); err != nil {
		disc.Status, disc.Detail, disc.Fix = doctor.Fail, err.Error(), "check okta.url"
	} else if strings.TrimRight(d.Issuer, "/") != o.Issuer() {
		disc.Status, disc.Detail, disc.Fix = doctor.Fail, fmt.Sprintf("issuer %q, flowsctl uses %q", d.Issuer, o.Issuer()), "set okta.url to the issuer Okta publishes"
	} else {
		disc.Detail = d.Issuer
	}
	return append(out, disc)
}
