package azure

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

const portalApp = "Entra admin center > Identity > Applications > App registrations > %s"

// Verify checks the registration the way the Teams connector needs it; every failure names its fix.
func (r *Registration) Verify(ctx context.Context) []doctor.Check {
	end := r.begin()
	spec := r.Spec
	if err := spec.Validate(); err != nil {
		return []doctor.Check{{ID: "azure.config", Title: "azure section of flowsctl.yaml", Status: doctor.Fail, Detail: err.Error(),
			Fix: "edit flowsctl.yaml, then run: flowsctl config validate"}}
	}
	o, err := r.read(ctx)
	if err = end(err); err != nil {
		id, title := "azure.graph", "Microsoft Graph reachable"
		fix := "check azure.graphUrl and the network path, then run: flowsctl azure verify --debug"
		if httpx.IsAuth(err) {
			id, title, fix = "azure.signin", "sign-in to Entra ID with Graph rights", roleFix
		}
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
	}
	r.fill(o)
	reg := "flowsctl azure register"
	portal := fmt.Sprintf(portalApp, spec.DisplayName)
	var out []doctor.Check
	add := func(id, title string, ok bool, detail, fix string) {
		ch := doctor.Check{ID: id, Title: title, Status: doctor.Pass, Detail: detail}
		if !ok {
			ch.Status, ch.Fix = doctor.Fail, fix
		}
		out = append(out, ch)
	}
	if o.app == nil {
		add("azure.app.exists", `application "`+spec.UniqueName+`" exists`, false,
			"no application with uniqueName "+spec.UniqueName+" in tenant", "run: "+reg)
		return out
	}
	a := o.app
	add("azure.app.exists", `application "`+spec.UniqueName+`" exists`, true, "client id "+a.AppID+", object id "+a.ID, "")
	add("azure.app.multitenant", "sign-in audience is "+spec.SignInAudience, a.SignInAudience == spec.SignInAudience,
		"signInAudience "+a.SignInAudience, "run: "+reg+" (or "+portal+" > Authentication > Supported account types: multitenant)")
	add("azure.app.redirect-uri", "web redirect URIs are exactly "+strings.Join(spec.RedirectURIs, " "), sameSet(a.RedirectURIs, spec.RedirectURIs),
		"redirectUris "+strings.Join(a.RedirectURIs, " "), "run: "+reg+" (or "+portal+" > Authentication > Web > Redirect URIs)")
	if spec.LogoutURL != "" {
		add("azure.app.logout-url", "logout URL is "+spec.LogoutURL, a.LogoutURL == spec.LogoutURL,
			"logoutUrl "+orNone(a.LogoutURL), "run: "+reg+" (or "+portal+" > Authentication > Front-channel logout URL)")
	}
	byName := map[string]Scope{}
	for _, s := range o.graphSP.Scopes {
		byName[s.Value] = s
	}
	have, granted := scopeSet(a.Resources), o.granted()
	for _, n := range spec.Scopes {
		s, known := byName[n]
		present := known && slices.Contains(have, s.ID)
		detail := "Microsoft Graph delegated " + n
		if known {
			detail += " (" + s.ID + ")"
		}
		add("azure.app.scope."+n, "permission "+n+" is requested", present, detail,
			"run: "+reg+" (or "+portal+" > API permissions > Add a permission > Microsoft Graph > Delegated > "+n+")")
	}
	add("azure.sp.exists", "service principal exists in the tenant", o.sp != nil, spDetail(o.sp),
		"run: "+reg+" (or Entra admin center > Enterprise applications: sign in once to the app to create it)")
	if spec.AdminConsent {
		for _, n := range spec.Scopes {
			add("azure.consent."+n, "admin consent covers "+n, slices.Contains(granted, n), grantDetail(o.grant),
				"run: "+reg+" (or "+portal+" > API permissions > Grant admin consent for your tenant)")
		}
	}
	return append(out, r.secretCheck(a))
}

// granted are the scopes of the tenant-wide consent grant.
func (o *observed) granted() []string {
	if o.grant == nil {
		return nil
	}
	return strings.Fields(o.grant.Scope)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func spDetail(sp *ServicePrincipal) string {
	if sp == nil {
		return "no service principal for the application"
	}
	return "id " + sp.ID
}

func grantDetail(g *Grant) string {
	if g == nil {
		return "no tenant-wide (AllPrincipals) consent grant on Microsoft Graph"
	}
	return "granted: " + g.Scope
}

func (r *Registration) secretCheck(a *App) doctor.Check {
	spec := r.Spec
	ch := doctor.Check{ID: "azure.secret", Title: "a flowsctl client secret exists and is not expired"}
	now := r.c.now()
	var best *Password
	for i, p := range a.Passwords {
		if managedSecret(p, spec) && (best == nil || p.End.After(best.End)) {
			best = &a.Passwords[i]
		}
	}
	rotate := "run: flowsctl azure secret rotate --remove-old"
	switch {
	case best == nil:
		ch.Status, ch.Detail, ch.Fix = doctor.Fail, "no client secret created by flowsctl", "run: flowsctl azure register"
	case !best.End.After(now):
		ch.Status, ch.Detail, ch.Fix = doctor.Fail, fmt.Sprintf("secret %s expired on %s", best.KeyID, best.End.UTC().Format("2006-01-02")), rotate
	case best.End.Sub(now) < spec.WarnBefore:
		ch.Status, ch.Detail, ch.Fix = doctor.Warn, fmt.Sprintf("secret %s expires on %s (in %s)", best.KeyID,
			best.End.UTC().Format("2006-01-02"), config.FormatDuration(best.End.Sub(now).Truncate(24*time.Hour))), rotate
	default:
		ch.Status, ch.Detail = doctor.Pass, fmt.Sprintf("secret %s (hint %s) expires on %s", best.KeyID, best.Hint, best.End.UTC().Format("2006-01-02"))
	}
	if ch.Status == doctor.Pass {
		if v, err := r.sinkValue(); err != nil || !strings.HasPrefix(v, best.Hint) {
			ch.Status = doctor.Warn
			ch.Detail += "; " + string(spec.Sink) + " does not hold its value"
			ch.Fix = rotate
		}
	}
	return ch
}

// Info is what `azure show` prints: ids, audience, URIs, permissions with consent, secrets (never values).
type Info struct {
	ClientID           string `json:"clientId" yaml:"clientId"`
	ObjectID           string `json:"objectId" yaml:"objectId"`
	Settings           `yaml:",inline"`
	ServicePrincipalID string       `json:"servicePrincipalId,omitempty" yaml:"servicePrincipalId,omitempty"`
	Permissions        []Permission `json:"permissions" yaml:"permissions"`
	Secrets            []SecretInfo `json:"secrets" yaml:"secrets"`
	OtherResources     int          `json:"otherResourceAccess" yaml:"otherResourceAccess"`
}

// Permission is one requested delegated permission and whether the tenant consented to it.
type Permission struct {
	Name      string `json:"name" yaml:"name"`
	ID        string `json:"id" yaml:"id"`
	Type      string `json:"type" yaml:"type"`
	Consented bool   `json:"adminConsented" yaml:"adminConsented"`
}

// SecretInfo is a client secret's metadata.
type SecretInfo struct {
	Password `yaml:",inline"`
	Expired  bool `json:"expired" yaml:"expired"`
	Managed  bool `json:"createdByFlowsctl" yaml:"createdByFlowsctl"`
	InSink   bool `json:"inSink" yaml:"inSink"`
}

// Flags are the secret's markers for display: EXPIRED, flowsctl (created by it), in sink.
func (s SecretInfo) Flags() []string {
	out := []string{}
	for _, f := range []struct {
		on   bool
		name string
	}{{s.Expired, "EXPIRED"}, {s.Managed, "flowsctl"}, {s.InSink, "in sink"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

// Show reads the registration for display. ErrNotRegistered when the app does not exist.
func (r *Registration) Show(ctx context.Context) (Info, error) {
	end := r.begin()
	o, err := r.read(ctx)
	if err = end(err); err != nil {
		return Info{}, err
	}
	r.fill(o)
	if o.app == nil {
		return Info{}, ErrNotRegistered
	}
	a := o.app
	in := Info{ClientID: a.AppID, ObjectID: a.ID, Settings: a.Settings,
		Permissions: []Permission{}, Secrets: []SecretInfo{}}
	if o.sp != nil {
		in.ServicePrincipalID = o.sp.ID
	}
	byID := map[string]Scope{}
	for _, s := range o.graphSP.Scopes {
		byID[s.ID] = s
	}
	granted := o.granted()
	for _, ra := range a.Resources {
		if ra.ResourceAppID != GraphAppID {
			in.OtherResources++
			continue
		}
		for _, x := range ra.Access {
			name := byID[x.ID].Value
			if name == "" {
				name = x.ID
			}
			in.Permissions = append(in.Permissions, Permission{Name: name, ID: x.ID, Type: x.Type,
				Consented: x.Type == "Scope" && slices.Contains(granted, name)})
		}
	}
	sort.Slice(in.Permissions, func(i, j int) bool { return in.Permissions[i].Name < in.Permissions[j].Name })
	for _, p := range a.Passwords {
		in.Secrets = append(in.Secrets, *r.secretInfo(p))
	}
	return in, nil
}

// secretInfo describes a client secret: expired, created by flowsctl, held by the sink.
func (r *Registration) secretInfo(p Password) *SecretInfo {
	v, _ := r.sinkValue()
	return &SecretInfo{Password: p,
		Expired: !p.End.After(r.c.now()), Managed: managedSecret(p, r.Spec),
		InSink: p.Hint != "" && v != "" && strings.HasPrefix(v, p.Hint)}
}

// Outputs are the Entra values later steps need (the UEM Teams connector): found by uniqueName.
type Outputs struct {
	ClientID   string           `json:"clientId" yaml:"clientId"`
	ObjectID   string           `json:"objectId" yaml:"objectId"`
	SecretSink config.SecretRef `json:"secretSink" yaml:"secretSink"`
}

// Outputs reads the client id and object id by the app's natural key (one GET); ErrNotRegistered when absent.
func (c *Client) Outputs(ctx context.Context, spec Spec) (Outputs, error) {
	app, err := c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
	if err != nil {
		return Outputs{}, err
	}
	if app == nil {
		return Outputs{SecretSink: spec.Sink}, ErrNotRegistered
	}
	return Outputs{ClientID: app.AppID, ObjectID: app.ID, SecretSink: spec.Sink}, nil
}
