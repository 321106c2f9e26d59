package importcmd

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/access"
	"github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/okta"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

// importer reads the tenant and rewrites cfg's sections to what it holds.
type importer struct {
	ctx context.Context
	cfg *config.Config
	hc  *httpx.Client
	// httpOpts are the HTTP options a service with its own CA (UEM) is opened with.
	httpOpts httpx.Options
	picks    map[string]string
	prompt   prompt.Prompter
	msg      io.Writer
	// oktaOIDCClientID is the client id of the adopted Okta OIDC app ("" when none).
	oktaOIDCClientID string
	// identityDirID is the id of the adopted Identity Services directory ("" when none).
	identityDirID string
	// notes are what the report prints on stderr (what was adopted or left as configured).
	notes []string
}

func (im *importer) note(format string, a ...any) {
	im.notes = append(im.notes, fmt.Sprintf(format, a...))
}

func (im *importer) run() error {
	is, u := im.cfg.IdentityServices, im.cfg.UEM
	identity := is != nil && is.Enabled
	// The configured sections, in order: the identity provider names the directory and Okta's
	// OIDC app, so it is adopted after both.
	for _, part := range []struct {
		configured bool
		adopt      func() error
	}{
		{im.cfg.Azure != nil, im.azureApp},
		{im.cfg.Access != nil, im.access},
		{identity, im.identityDirectory},
		{im.cfg.Okta != nil, im.okta},
		{identity, im.identityIdP},
		{u != nil && u.MobileFlows != nil, im.connectors},
		{u != nil && u.Boxer != nil, im.boxer},
	} {
		if !part.configured {
			continue
		}
		if err := part.adopt(); err != nil {
			return err
		}
	}
	return nil
}

// okta adopts the Okta SCIM app and (Identity Services path) the OIDC sign-in app by label:
// the configured one when it exists, else one made from the same catalog app. The SCIM app's
// group assignments and active group push mappings become okta.assignGroups and okta.pushGroups.
func (im *importer) okta() error {
	c, err := okta.New(im.hc, im.cfg)
	if err != nil {
		return err
	}
	o := im.cfg.Okta
	adopt := func(kind, what string, label *string, name string) (*okta.App, error) {
		as, err := c.FindApps(im.ctx, *label, name)
		if err != nil {
			return nil, fmt.Errorf("import: read the Okta apps: %w", err)
		}
		if len(as) == 0 {
			im.note("%s: none labelled %q or made from %q; kept as configured, so plan will create it.", what, *label, name)
			return nil, nil
		}
		cs := make([]candidate, len(as))
		for i, a := range as {
			cs[i] = candidate{ID: a.Label, Label: fmt.Sprintf("%s (id %s, %s)", a.Label, a.ID, a.Status)}
		}
		i, err := im.choose(kind, what, cs)
		if err != nil {
			return nil, err
		}
		*label = as[i].Label
		im.note("%s: adopted %q.", what, as[i].Label)
		return &as[i], nil
	}
	scim, err := adopt("okta.scimApp", "Okta SCIM app", &o.SCIMApp.Label, o.SCIMApp.CatalogName)
	if err != nil {
		return err
	}
	var oidc *okta.App
	if o.OIDCApp != nil {
		if oidc, err = adopt("okta.oidcApp", "Okta OIDC app", &o.OIDCApp.Label, "oidc_client"); err != nil {
			return err
		}
		if oidc != nil {
			im.oktaOIDCClientID = oidc.ClientID()
		}
	}
	if scim != nil {
		return im.oktaGroups(c, scim, oidc)
	}
	return nil
}

// oktaGroups reads okta.assignGroups (the groups assigned to the SCIM app and, when there is
// one, also to the OIDC app: flowsctl assigns them to both) and okta.pushGroups (the SCIM app's
// active group pushes), by name.
func (im *importer) oktaGroups(c *okta.Client, scim, oidc *okta.App) error {
	o := im.cfg.Okta
	assigned, err := c.AssignedGroupNames(im.ctx, scim.ID, o.AssignGroups)
	if err != nil {
		return fmt.Errorf("import: read the groups assigned to the Okta app %q: %w", scim.Label, err)
	}
	pushed, err := c.PushedGroupNames(im.ctx, scim.ID, o.PushGroups)
	if err != nil {
		return fmt.Errorf("import: read the group pushes of the Okta app %q: %w", scim.Label, err)
	}
	if oidc != nil {
		both, err := c.AssignedGroupNames(im.ctx, oidc.ID, nil)
		if err != nil {
			return fmt.Errorf("import: read the groups assigned to the Okta app %q: %w", oidc.Label, err)
		}
		var common, only []string
		for _, n := range assigned {
			if slices.ContainsFunc(both, func(b string) bool { return strings.EqualFold(b, n) }) {
				common = append(common, n)
			} else {
				only = append(only, n)
			}
		}
		if len(only) > 0 {
			im.note("Okta: group(s) %s are assigned to %q but not to %q; left out of okta.assignGroups (flowsctl assigns its groups to both apps; add them there to keep them in step).", orNone(only), scim.Label, oidc.Label)
		}
		assigned = common
	}
	o.AssignGroups, o.PushGroups = assigned, pushed
	im.note("Okta SCIM app: %d group(s) assigned (%s), %d pushed (%s).", len(assigned), orNone(assigned), len(pushed), orNone(pushed))
	return nil
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// boxer adopts the mobile flows keys on the Boxer assignments of the configured smart groups.
func (im *importer) boxer() error {
	c, err := uem.Open(im.hc, im.cfg, im.httpOpts)
	if err != nil {
		return err
	}
	if err := im.boxerSmartGroups(c); err != nil || len(im.cfg.UEM.Boxer.SmartGroups) == 0 {
		return err
	}
	spec, err := uem.BoxerSpecFrom(im.cfg)
	if err != nil {
		return err
	}
	keys, err := (&uem.Boxer{C: c, Spec: spec}).BoxerKeys(im.ctx)
	if err != nil {
		return fmt.Errorf("import: read the Boxer assignments: %w", err)
	}
	if len(keys) == 0 {
		im.note("Boxer: no assignment of smart groups %s holds the mobile flows keys; kept uem.boxer as configured, so plan will set them.", strings.Join(spec.SmartGroups, ", "))
		return nil
	}
	b := im.cfg.UEM.Boxer
	if v, ok := keys[uem.KeyEnabled]; ok {
		b.Enabled = v == "true"
	}
	if v, ok := keys[uem.KeyAutoEnable]; ok {
		b.AutoEnableConnectors = v == "true"
	}
	if v, err := strconv.Atoi(keys[uem.KeySyncHours]); err == nil && v > 0 {
		b.SyncTimeHours = v
	}
	if mf := im.cfg.UEM.MobileFlows; mf != nil && keys[uem.KeyHost] != "" {
		mf.Host = config.URL(keys[uem.KeyHost])
	}
	if v := keys[uem.KeyVIDM]; v != "" && !strings.EqualFold(strings.TrimRight(v, "/"), strings.TrimRight(string(im.cfg.Access.URL), "/")) {
		im.note("Boxer: %s is %s, not access.url %s; plan will propose access.url there (check which tenant Boxer should use).", uem.KeyVIDM, v, im.cfg.Access.URL)
	}
	im.note("Boxer: adopted the mobile flows keys of smart groups %s.", strings.Join(spec.SmartGroups, ", "))
	return nil
}

// identityDirectory adopts the Identity Services directory Okta provisions into: the one
// named in the config when it exists, else one of the directories there.
func (im *importer) identityDirectory() error {
	c, err := identity.FromConfig(im.hc, im.cfg)
	if err != nil {
		return err
	}
	all, err := c.Directories(im.ctx)
	if err != nil {
		return fmt.Errorf("import: read the Identity Services directories: %w", err)
	}
	want := &im.cfg.IdentityServices.Directory
	var ds []identity.Directory
	for _, d := range all {
		if d.DeleteInProgress {
			continue
		}
		if strings.EqualFold(d.Name, want.Name) {
			ds = []identity.Directory{d}
			break
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		im.note("Identity Services directory: none; kept identityServices.directory as configured, so plan will create it.")
		return nil
	}
	cs := make([]candidate, len(ds))
	for i, d := range ds {
		cs[i] = candidate{ID: d.Name, Label: fmt.Sprintf("%s (domain %s, source %s)", d.Name, d.Domain(), d.Source)}
	}
	i, err := im.choose("identity.directory", "Identity Services directory", cs)
	if err != nil {
		return err
	}
	d := ds[i]
	if full, err := c.Directory(im.ctx, d.ID); err == nil && full != nil {
		d = *full
	}
	want.Name, im.identityDirID = d.Name, d.ID
	if dom := d.Domain(); dom != "" {
		want.Domain = dom
	}
	if d.Source != "" {
		want.Source = d.Source
	}
	im.note("Identity Services directory: adopted %q; its SCIM token is never read back.", d.Name)
	return nil
}

// azureApp adopts the Entra app for Teams: its settings, Graph scopes and consent. Its
// secrets' metadata is reported; the value stays where azure.app.secret.sink points.
func (im *importer) azureApp() error {
	spec, err := azure.SpecFromConfig(im.cfg)
	if err != nil {
		return err
	}
	c, err := azure.NewClient(im.ctx, im.cfg, im.hc, im.msg)
	if err != nil {
		return err
	}
	found, err := c.Discover(im.ctx, spec)
	if err != nil {
		return fmt.Errorf("import: read the Entra app for Teams: %w", err)
	}
	if len(found) == 0 {
		im.note("Entra app for Teams: none found (no app with uniqueName %q, the hero redirect URI or display name %q); kept azure.app as configured, so plan will create it.", spec.UniqueName, spec.DisplayName)
		return nil
	}
	cs := make([]candidate, len(found))
	for i, f := range found {
		cs[i] = candidate{ID: f.AppID, Label: fmt.Sprintf("%s (appId %s, matched by %s)", f.DisplayName, f.AppID, f.Why)}
	}
	i, err := im.choose("azure.app", "Entra app", cs)
	if err != nil {
		return err
	}
	f := found[i]
	a := &im.cfg.Azure.App
	a.DisplayName, a.SignInAudience = f.DisplayName, f.SignInAudience
	a.RedirectURIs = append([]string(nil), f.RedirectURIs...)
	if f.LogoutURL != strings.TrimSpace(im.cfg.LogoutURL()) {
		a.LogoutURL = f.LogoutURL
	}
	if len(f.Scopes) > 0 {
		a.DelegatedPermissions = f.Scopes
	}
	a.AdminConsent = f.Consented
	if f.UniqueName == "" {
		a.AdoptAppID = f.AppID
		im.note("Entra app %q (appId %s) has no uniqueName, flowsctl's key for it: the config gives it %q (azure.app.adoptAppId); plan shows that change and apply makes it (Entra sets a uniqueName only once).", f.DisplayName, f.AppID, a.UniqueName)
	} else {
		a.UniqueName, a.AdoptAppID = f.UniqueName, ""
	}
	im.note("Entra app for Teams: adopted %q (appId %s, matched by %s), %d delegated permissions, admin consent %s.", f.DisplayName, f.AppID, f.Why, len(f.Scopes), yesNo(f.Consented))
	im.secretSettings(f.Passwords)
	for _, p := range f.Passwords {
		im.note("  client secret %q (hint %s…, expires %s): its value is never read back; %s must hold it, or run: flowsctl azure secret rotate", p.DisplayName, p.Hint, p.End.Format("2006-01-02"), a.Secret.Sink)
	}
	return nil
}

// access adopts the mobile flows template, and the SCIM service client and directory of type
// Other when the config has those sections (the Okta SCIM to Access guide).
func (im *importer) access() error {
	c, err := access.New(im.hc, im.cfg)
	if err != nil {
		return err
	}
	ac := im.cfg.Access
	want := access.TemplateSpecFrom(ac.MobileFlowsTemplate)
	ts, err := c.FindTemplates(im.ctx, want.AppProductID, access.DefaultRedirectURI)
	if err != nil {
		return fmt.Errorf("import: read the Access OAuth2 app templates: %w", err)
	}
	if len(ts) == 0 {
		im.note("Access template: none named %q or with the hero redirect URI; kept access.mobileFlowsTemplate as configured, so plan will create it.", want.AppProductID)
	} else {
		cs := make([]candidate, len(ts))
		for i, t := range ts {
			cs[i] = candidate{ID: t.AppProductID, Label: fmt.Sprintf("%s (redirect %s)", t.AppProductID, t.RedirectURI)}
		}
		i, err := im.choose("access.template", "Access template", cs)
		if err != nil {
			return err
		}
		ac.MobileFlowsTemplate = access.TemplateConfig(ts[i])
		im.note("Access template: adopted %q.", ts[i].AppProductID)
	}
	if ac.SCIMClient != nil {
		id := ac.SCIMClient.ClientID
		if id == "" {
			id = access.DefaultSCIMClientID
		}
		os, err := c.FindSCIMClients(im.ctx, id)
		if err != nil {
			return fmt.Errorf("import: read the Access OAuth2 clients: %w", err)
		}
		if len(os) == 0 {
			im.note("Access SCIM client: none named %q or with scope admin; kept access.scimClient as configured, so plan will create it.", id)
		} else {
			cs := make([]candidate, len(os))
			for i, o := range os {
				cs[i] = candidate{ID: o.ClientID, Label: fmt.Sprintf("%s (scope %s)", o.ClientID, o.Scope)}
			}
			i, err := im.choose("access.scimClient", "Access SCIM service client", cs)
			if err != nil {
				return err
			}
			*ac.SCIMClient = access.SCIMClientConfig(os[i], ac.SCIMClient.SecretSink)
			im.note("Access SCIM client: adopted %q; its secret is never read back.", os[i].ClientID)
		}
	}
	if ac.Directory != nil {
		ds, err := c.FindOtherDirectories(im.ctx, ac.Directory.Name)
		if err != nil {
			return fmt.Errorf("import: read the Access directories: %w", err)
		}
		if len(ds) == 0 {
			im.note("Access directory of type Other: none; kept access.directory as configured, so plan will create it.")
		} else {
			cs := make([]candidate, len(ds))
			for i, d := range ds {
				cs[i] = candidate{ID: d.Name, Label: fmt.Sprintf("%s (domains %s)", d.Name, strings.Join(d.Domains, ", "))}
			}
			i, err := im.choose("access.directory", "Access directory of type Other", cs)
			if err != nil {
				return err
			}
			ac.Directory.Name = ds[i].Name
			if len(ds[i].Domains) > 0 {
				ac.Directory.Domains = ds[i].Domains
			}
			im.note("Access directory of type Other: adopted %q.", ds[i].Name)
		}
	}
	return nil
}

// secretSettings takes azure.app.secret's display name (and lifetime) from the client secret
// the sink holds, compared by Entra's hint only; else from the unexpired one that lasts longest.
func (im *importer) secretSettings(ps []azure.Password) {
	sec := &im.cfg.Azure.App.Secret
	var value string
	if sec.Sink != "" {
		value, _ = im.cfg.Secret(sec.Sink) // absent: reported with the other references
	}
	name, life, ok := azure.SecretSettings(ps, value, time.Now())
	if !ok {
		return
	}
	if !strings.EqualFold(name, strings.TrimSpace(sec.DisplayName)) {
		im.note("Entra app client secrets are named %q: azure.app.secret.displayName set to it (flowsctl manages the secrets whose name starts with it).", name)
		sec.DisplayName = name
	}
	if life > 0 && life != sec.Lifetime.D {
		sec.Lifetime = config.Duration{D: life, Raw: config.FormatDuration(life)}
	}
}

func yesNo(b bool) string {
	if b {
		return "granted"
	}
	return "not granted"
}
