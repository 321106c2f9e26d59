package okta

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/operator"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// The objects implement the one object contract.
var (
	_ object.Object = (*SCIMApp)(nil)
	_ object.Object = (*Provisioning)(nil)
	_ object.Object = (*GroupPush)(nil)
	_ object.Object = (*OIDCApp)(nil)
)

// groupSet resolves group names to Okta groups once per object.
type groupSet struct {
	c       *Client
	names   []string
	byName  map[string]*Group
	missing []string
}

func (g *groupSet) resolve(ctx context.Context) error {
	if g.byName != nil {
		return nil
	}
	// The names are looked up together; the results are kept in the config's order.
	found := make([]*Group, len(g.names))
	reads := make([]func(context.Context) error, len(g.names))
	for i, n := range g.names {
		reads[i] = func(ctx context.Context) (err error) {
			found[i], err = g.c.FindGroup(ctx, n)
			return err
		}
	}
	if err := together(ctx, reads...); err != nil {
		return err
	}
	g.byName = map[string]*Group{}
	for i, n := range g.names {
		if found[i] == nil {
			g.missing = append(g.missing, n)
			continue
		}
		g.byName[n] = found[i]
	}
	return nil
}

func (g *groupSet) missingErr(field string) error {
	if len(g.missing) == 0 {
		return nil
	}
	return fmt.Errorf("okta: group(s) %s do not exist in Okta: create them (Okta Admin Console > Directory > Groups) or fix %s", quoteList(g.missing), field)
}

// unassigned are the configured groups not assigned to the app.
func (g *groupSet) unassigned(assigned map[string]bool) []string {
	var out []string
	for _, n := range g.names {
		if grp := g.byName[n]; grp != nil && !assigned[grp.ID] {
			out = append(out, n)
		}
	}
	return out
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// ---- the SCIM app ----

// SCIMAppSpec is the provisioning app as the config wants it.
type SCIMAppSpec struct {
	Label       string
	CatalogName string
	// AccessURL is the VMware Workspace ONE app's Base URL (the Access tenant URL); "" on the
	// Identity Services path.
	AccessURL string
	// Domain is the constant the app users' domain attribute gets (Access path: the domain of
	// the Access directory of type Other).
	Domain       string
	AssignGroups []string
}

// SCIMApp is the catalog app that provisions into Workspace ONE, with its domain mapping
// (Access path) and group assignments. Natural key: the label.
type SCIMApp struct {
	labeledApp
	spec SCIMAppSpec
}

// NewSCIMApp builds the object.
func NewSCIMApp(c *Client, spec SCIMAppSpec) *SCIMApp {
	return &SCIMApp{labeledApp: newLabeledApp(c, spec.AssignGroups), spec: spec}
}

// labeledApp is what the SCIM and OIDC apps share: an app found by its label, the groups to
// assign to it, and the app as last seen.
type labeledApp struct {
	c      *Client
	groups groupSet
	app    *App
	found  bool
	// created: this run's create answered with the app (not adopted after a lost answer), so
	// no group is assigned to it yet.
	created bool
}

func newLabeledApp(c *Client, assign []string) labeledApp {
	return labeledApp{c: c, groups: groupSet{c: c, names: assign}}
}

// find looks the app up by its label (once) and resolves the groups to assign.
func (l *labeledApp) find(ctx context.Context, label string) error {
	if l.found {
		return nil
	}
	var app *App
	err := together(ctx, func(ctx context.Context) (err error) {
		app, err = l.c.FindApp(ctx, label)
		return err
	}, l.groups.resolve)
	if err != nil {
		return err
	}
	l.app, l.found = app, true
	return nil
}

// create creates want, looked up by its label first: a create is never sent blind twice.
func (l *labeledApp) create(ctx context.Context, label string, want App) (*App, bool, error) {
	app, adopted, err := httpx.CreateChecked(ctx, l.c.hc, transient,
		func() (*App, error) { return l.c.FindApp(ctx, label) },
		func() (*App, error) { return l.c.CreateApp(ctx, want) })
	l.created = err == nil && !adopted
	return app, adopted, err
}

// unassigned adds to d the configured groups not assigned to the app, and returns them. An
// app this run just created has none: it is not asked (a round trip off apply's chain).
func (l *labeledApp) unassigned(ctx context.Context, d plan.Diff) (plan.Diff, []string, error) {
	assigned := map[string]bool{}
	if !l.created {
		var err error
		if assigned, err = l.c.AppGroups(ctx, l.app.ID); err != nil {
			return nil, nil, err
		}
	}
	un := l.groups.unassigned(assigned)
	if len(un) > 0 {
		d = append(d, plan.FieldChange{Path: "assignments", New: "+ " + strings.Join(un, ", ")})
	}
	return d, un, nil
}

// assign assigns the groups un to the app; name is the app in errors.
func (l *labeledApp) assign(ctx context.Context, un []string, name string) error {
	for _, n := range un {
		if err := l.c.AssignGroup(ctx, l.app.ID, l.groups.byName[n].ID); err != nil {
			return fmt.Errorf("assign group %q to %s: %w", n, name, err)
		}
	}
	return nil
}

// App is the app as last seen (nil before a look-up or when absent).
func (a *SCIMApp) App() *App { return a.app }

func (a *SCIMApp) name() string { return fmt.Sprintf("okta app %q", a.spec.Label) }

func (a *SCIMApp) lookup(ctx context.Context) error { return a.find(ctx, a.spec.Label) }

func (a *SCIMApp) wantSettings() map[string]any {
	if a.spec.AccessURL == "" {
		return nil
	}
	return map[string]any{"baseUrl": a.spec.AccessURL}
}

func settingString(app *App, key string) string {
	if app == nil || app.Settings.App == nil {
		return ""
	}
	s, _ := app.Settings.App[key].(string)
	return s
}

func domainExpression(d string) string { return `"` + strings.ReplaceAll(d, `"`, `\"`) + `"` }

// diff is what Apply would change on an existing app.
func (a *SCIMApp) diff(ctx context.Context) (plan.Diff, *Mapping, []string, error) {
	var d plan.Diff
	if a.spec.AccessURL != "" {
		d.Add("settings.app.baseUrl", settingString(a.app, "baseUrl"), a.spec.AccessURL)
	}
	var m *Mapping
	if a.spec.Domain != "" {
		var err error
		if m, err = a.c.UserMapping(ctx, a.app.ID); err != nil {
			return nil, nil, nil, err
		}
		d.Add("mapping.domain", m.Properties["domain"].Expression, domainExpression(a.spec.Domain))
	}
	d, un, err := a.unassigned(ctx, d)
	if err != nil {
		return nil, nil, nil, err
	}
	return d, m, un, nil
}

// Plan reports the app, its settings, domain mapping and assignments to create or change.
func (a *SCIMApp) Plan(ctx context.Context) ([]plan.Change, error) {
	if err := a.lookup(ctx); err != nil {
		return nil, err
	}
	if err := a.groups.missingErr("okta.assignGroups"); err != nil {
		return nil, err
	}
	if a.app == nil {
		fs := []plan.FieldChange{{Path: "name", New: a.spec.CatalogName}}
		if a.spec.AccessURL != "" {
			fs = append(fs, plan.FieldChange{Path: "settings.app.baseUrl", New: a.spec.AccessURL})
		}
		if a.spec.Domain != "" {
			fs = append(fs, plan.FieldChange{Path: "mapping.domain", New: domainExpression(a.spec.Domain)})
		}
		if len(a.spec.AssignGroups) > 0 {
			fs = append(fs, plan.FieldChange{Path: "assignments", New: strings.Join(a.spec.AssignGroups, ", ")})
		}
		return []plan.Change{{Object: a.name(), Action: plan.Create, Fields: fs}}, nil
	}
	d, _, _, err := a.diff(ctx)
	if err != nil {
		return nil, err
	}
	if len(d) == 0 {
		return []plan.Change{{Object: a.name(), Action: plan.NoOp}}, nil
	}
	return []plan.Change{{Object: a.name(), Action: plan.Update, Fields: d}}, nil
}

// Apply creates the app (looked up first: a create is never sent blind twice), sets its Base
// URL, the domain mapping and the assignments. A second run writes nothing.
func (a *SCIMApp) Apply(ctx context.Context) (object.Result, error) {
	if err := a.lookup(ctx); err != nil {
		return object.Result{}, err
	}
	if err := a.groups.missingErr("okta.assignGroups"); err != nil {
		return object.Result{}, err
	}
	r := object.Result{Object: a.name(), Kind: "okta app", Key: a.spec.Label, Action: plan.NoOp}
	if a.app == nil {
		// Okta's API requires a sign-on mode. flowsctl uses this app for provisioning only, so
		// it asks for the catalog apps' simplest (auto login, i.e. SWA); an admin who also signs
		// in through it changes that in the console, and flowsctl does not compare it.
		want := App{Name: a.spec.CatalogName, Label: a.spec.Label, SignOnMode: "AUTO_LOGIN", Settings: AppSettings{App: a.wantSettings()}}
		app, _, err := a.create(ctx, a.spec.Label, want)
		if err != nil {
			return r, fmt.Errorf("create %s: %w", a.name(), err)
		}
		a.app = app
		r.Action = plan.Create
	}
	r.ID = a.app.ID
	d, m, un, err := a.diff(ctx)
	if err != nil {
		return r, err
	}
	if len(d) > 0 && r.Action == plan.NoOp {
		r.Action = plan.Update
	}
	r.Fields = d
	if a.spec.AccessURL != "" && settingString(a.app, "baseUrl") != a.spec.AccessURL {
		upd := *a.app
		upd.Settings.App = mergeSettings(upd.Settings.App, a.wantSettings())
		app, err := a.c.ReplaceApp(ctx, &upd)
		if err != nil {
			return r, fmt.Errorf("set the Base URL of %s: %w", a.name(), err)
		}
		a.app = app
	}
	if m != nil && m.Properties["domain"].Expression != domainExpression(a.spec.Domain) {
		if err := a.c.SetMapping(ctx, m.ID, map[string]MappingProperty{"domain": {Expression: domainExpression(a.spec.Domain), PushStatus: "PUSH"}}); err != nil {
			return r, fmt.Errorf("map the domain attribute of %s: %w", a.name(), err)
		}
	}
	return r, a.assign(ctx, un, a.name())
}

func mergeSettings(have, want map[string]any) map[string]any {
	out := map[string]any{}
	maps.Copy(out, have)
	maps.Copy(out, want)
	return out
}

// transient: a lost or refused create answer, after which the app may exist.
func transient(err error) bool {
	return httpx.TransientError(err) || httpx.TransientStatus(httpx.StatusOf(err))
}

// Verify checks the app exists, its Base URL and domain mapping (Access path) and assignments.
func (a *SCIMApp) Verify(ctx context.Context) []doctor.Check {
	fix := "flowsctl apply --only okta.scimApp"
	if err := a.lookup(ctx); err != nil {
		return []doctor.Check{{ID: "okta.scimApp", Title: "Okta SCIM app exists", Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, fix)}}
	}
	if a.app == nil {
		return []doctor.Check{{ID: "okta.scimApp", Title: "Okta SCIM app exists", Status: doctor.Fail,
			Detail: fmt.Sprintf("no app labelled %q in %s", a.spec.Label, a.c.base), Fix: fix}}
	}
	out := []doctor.Check{{ID: "okta.scimApp", Title: "Okta SCIM app exists", Status: doctor.Pass,
		Detail: fmt.Sprintf("%s (%s, id %s)", a.spec.Label, a.app.Name, a.app.ID)}}
	d, _, un, err := a.diff(ctx)
	if err != nil {
		return append(out, doctor.Check{ID: "okta.scimApp.settings", Title: "Okta SCIM app settings", Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, fix)})
	}
	for _, f := range d {
		if f.Path == "assignments" {
			continue
		}
		out = append(out, doctor.Check{ID: "okta.scimApp." + f.Path, Title: "Okta SCIM app " + f.Path, Status: doctor.Fail,
			Detail: fmt.Sprintf("is %q, want %q", f.Old, f.New), Fix: fix})
	}
	if a.spec.Domain != "" && !slices.ContainsFunc(d, func(f plan.FieldChange) bool { return f.Path == "mapping.domain" }) {
		out = append(out, doctor.Check{ID: "okta.scimApp.mapping.domain", Title: "Okta maps the domain attribute to the Access directory's domain", Status: doctor.Pass, Detail: a.spec.Domain})
	}
	switch {
	case len(a.groups.missing) > 0:
		out = append(out, doctor.Check{ID: "okta.scimApp.assignments", Title: "Groups assigned to the Okta SCIM app", Status: doctor.Fail,
			Detail: a.groups.missingErr("okta.assignGroups").Error(), Fix: "create the groups in Okta or fix okta.assignGroups"})
	case len(un) > 0:
		out = append(out, doctor.Check{ID: "okta.scimApp.assignments", Title: "Groups assigned to the Okta SCIM app", Status: doctor.Fail,
			Detail: "not assigned: " + strings.Join(un, ", "), Fix: fix})
	case len(a.spec.AssignGroups) > 0:
		out = append(out, doctor.Check{ID: "okta.scimApp.assignments", Title: "Groups assigned to the Okta SCIM app", Status: doctor.Pass, Detail: strings.Join(a.spec.AssignGroups, ", ")})
	}
	return out
}

func fixOf(err error, def string) string {
	var f interface{ Fix() string }
	if errors.As(err, &f) && f.Fix() != "" {
		return f.Fix()
	}
	return def
}

// ---- provisioning ----

// ProvisioningSpec is the provisioning connection the SCIM app must hold.
type ProvisioningSpec struct {
	// App is the SCIM app (from the okta.scimApp step).
	App *SCIMApp
	// BaseURL is the SCIM base URL (Identity Services); "" for the Access app, whose Base URL
	// setting names the tenant.
	BaseURL string
	// Token returns the bearer token Okta must hold: the Identity Services directory token, or
	// an Access token of the OktaSCIM client.
	Token func(ctx context.Context) (string, error)
	// TokenWhere says where the token lives, for the operator checklist (never the value).
	TokenWhere string
	// Target names the Workspace ONE side ("Identity Services" or "Access").
	Target string
	// Store records the operator's confirmation where Okta refuses the API; ConfirmCmd is the
	// command that records it.
	Store      *operator.Store
	ConfirmCmd string
}

// Provisioning is the SCIM app's provisioning connection (token) and its To App features
// (create, update attributes, deactivate). Okta documents the connection API for a few apps
// only: where it refuses, this is an operator step with every value filled in, confirmed by
// the operator and verified by evidence (users arriving with an external id).
type Provisioning struct {
	c    *Client
	spec ProvisioningSpec

	ahead *readAhead[provState]
}

// readAhead holds look-ups made before Apply (ReadAhead, run by the engine in the goroutine
// that then runs Apply) for Apply to use once.
type readAhead[T any] struct {
	v   T
	err error
}

// take returns what was read ahead, once; ok is false when nothing was (or it was taken).
func take[T any](a **readAhead[T]) (v T, ok bool, err error) {
	r := *a
	if r == nil {
		return v, false, nil
	}
	*a = nil
	return r.v, true, r.err
}

// ReadAhead looks up the connection and the features for the next Apply, which then does not
// ask again: apply runs it once the SCIM app exists, while the token Okta must hold is still
// being made.
func (p *Provisioning) ReadAhead(ctx context.Context) {
	s, err := p.read(ctx)
	p.ahead = &readAhead[provState]{s, err}
}

// NewProvisioning builds the object.
func NewProvisioning(c *Client, spec ProvisioningSpec) *Provisioning {
	return &Provisioning{c: c, spec: spec}
}

const provisioningStep = "okta.provisioning"

func (p *Provisioning) name() string {
	return fmt.Sprintf("okta provisioning of %q", p.spec.App.spec.Label)
}

// fingerprint binds a confirmation to the values the operator entered (not the token itself).
func (p *Provisioning) fingerprint() string {
	h := sha256.Sum256([]byte(p.spec.App.spec.Label + "\n" + p.spec.BaseURL + "\n" + p.spec.TokenWhere))
	return hex.EncodeToString(h[:8])
}

func (p *Provisioning) confirmed() (operator.Confirmation, bool) {
	c, ok, err := p.spec.Store.Get(provisioningStep, p.spec.App.spec.Label)
	if err != nil || !ok || c.Fingerprint != p.fingerprint() {
		return operator.Confirmation{}, false
	}
	return c, true
}

type provState struct {
	app      *App
	conn     *Connection
	refused  error
	features *Feature
}

func (s provState) connected() bool { return s.conn != nil && s.conn.Status == "ENABLED" }

func (s provState) featuresOn() bool {
	f := s.features
	return f != nil && f.Status == "ENABLED" && f.Capabilities.Create.LifecycleCreate.Status == "ENABLED" &&
		f.Capabilities.Update.Profile.Status == "ENABLED" && f.Capabilities.Update.LifecycleDeactivate.Status == "ENABLED"
}

func (p *Provisioning) read(ctx context.Context) (provState, error) {
	var s provState
	if err := p.spec.App.lookup(ctx); err != nil {
		return s, err
	}
	s.app = p.spec.App.app
	if s.app == nil {
		return s, nil
	}
	// The connection and the To App features are read together, one round trip: the features
	// read answers "none" (404) while the connection is off, which is what it means anyway.
	var conn *Connection
	var connErr, featErr error
	together(ctx,
		func(ctx context.Context) error { conn, connErr = p.c.Connection(ctx, s.app.ID); return nil },
		func(ctx context.Context) error { s.features, featErr = p.c.Provisioning(ctx, s.app.ID); return nil })
	switch {
	case connErr == nil:
		s.conn = conn
	case Refused(connErr):
		s.refused, s.features = connErr, nil
		return s, nil
	default:
		return s, connErr
	}
	if featErr != nil && !Refused(featErr) {
		return s, featErr
	}
	if !s.connected() {
		s.features = nil
	}
	return s, nil
}

// Checklist is the console procedure where Okta refuses the API, every value filled in (the
// token by where it lives, never its value).
func (p *Provisioning) Checklist() string {
	base := p.spec.BaseURL
	if base == "" {
		base = "(the app's Base URL, set by flowsctl: " + p.spec.App.spec.AccessURL + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Okta provisioning of %q (Okta does not take it through its API for this app):\n", p.spec.App.spec.Label)
	fmt.Fprintf(&b, "  1. Okta Admin Console > Applications > %s > Provisioning > Configure API Integration > Enable API integration\n", p.spec.App.spec.Label)
	if p.spec.BaseURL != "" {
		fmt.Fprintf(&b, "  2. Base URL: %s\n", base)
	} else {
		fmt.Fprintf(&b, "  2. Base URL: %s\n", base)
	}
	fmt.Fprintf(&b, "  3. API token / OAuth Bearer Token: the value in %s; Test API Credentials must say verified; Save\n", p.spec.TokenWhere)
	b.WriteString("  4. Provisioning > To App > Edit: enable Create Users, Update User Attributes, Deactivate Users; Save\n")
	fmt.Fprintf(&b, "  5. Record it: %s\n", p.spec.ConfirmCmd)
	return b.String()
}

// Plan reports the connection and features to set, or the operator step.
func (p *Provisioning) Plan(ctx context.Context) ([]plan.Change, error) {
	s, err := p.read(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case s.app == nil:
		return []plan.Change{{Object: p.name(), Action: plan.Create, Fields: []plan.FieldChange{{Path: "connection", New: "TOKEN (" + p.spec.TokenWhere + ")"}, {Path: "features", New: "create, update, deactivate"}}, Note: "after the app is created"}}, nil
	case s.refused != nil:
		if _, ok := p.confirmed(); ok {
			return []plan.Change{{Object: p.name(), Action: plan.NoOp, Note: "done in the Okta console (confirmed)"}}, nil
		}
		return []plan.Change{{Object: p.name(), Action: plan.Operator, Note: "Okta console: Provisioning > Configure API Integration (flowsctl prints the checklist)"}}, nil
	case !s.connected():
		return []plan.Change{{Object: p.name(), Action: plan.Create, Fields: []plan.FieldChange{{Path: "connection", New: "TOKEN (" + p.spec.TokenWhere + ")"}}}}, nil
	case !s.featuresOn():
		return []plan.Change{{Object: p.name(), Action: plan.Update, Fields: []plan.FieldChange{{Path: "features", Old: featureText(s.features), New: "create, update, deactivate"}}}}, nil
	}
	return []plan.Change{{Object: p.name(), Action: plan.NoOp}}, nil
}

func featureText(f *Feature) string {
	if f == nil {
		return "none"
	}
	var on []string
	for _, x := range []struct {
		n string
		t Toggle
	}{{"create", f.Capabilities.Create.LifecycleCreate}, {"update", f.Capabilities.Update.Profile}, {"deactivate", f.Capabilities.Update.LifecycleDeactivate}} {
		if x.t.Status == "ENABLED" {
			on = append(on, x.n)
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ", ")
}

// Apply sets the connection with the token and turns the features on; where Okta refuses,
// it returns the operator checklist until the operator records the step. An existing
// connection is never re-sent (its token is not readable): rotation is its own command.
func (p *Provisioning) Apply(ctx context.Context) (object.Result, error) {
	r := object.Result{Object: p.name(), Kind: "okta provisioning", Key: p.spec.App.spec.Label, Action: plan.NoOp}
	s, ok, err := take(&p.ahead)
	if !ok {
		s, err = p.read(ctx)
	}
	if err != nil {
		return r, err
	}
	if s.app == nil {
		return r, fmt.Errorf("%s: the app does not exist (run: flowsctl apply --only okta.scimApp)", p.name())
	}
	r.ID = s.app.ID
	if s.refused == nil && !s.connected() {
		tok, err := p.spec.Token(ctx)
		if err != nil {
			return r, fmt.Errorf("%s: the token Okta must hold: %w", p.name(), err)
		}
		err = p.c.SetConnection(ctx, s.app.ID, p.spec.BaseURL, tok)
		switch {
		case Refused(err):
			s.refused = err
		case err != nil:
			return r, fmt.Errorf("%s: %w", p.name(), err)
		default:
			r.Action = plan.Create
			r.Fields = []plan.FieldChange{{Path: "connection", New: "TOKEN (" + p.spec.TokenWhere + ")"}}
			s.conn = &Connection{Status: "ENABLED"}
		}
	}
	if s.refused != nil {
		if _, ok := p.confirmed(); ok {
			r.Note = "done in the Okta console (confirmed)"
			return r, nil
		}
		r.Action, r.Operator = plan.Operator, p.Checklist()
		r.Note = "Okta refused the API: " + httpx.Excerpt(s.refused.Error(), 160)
		return r, nil
	}
	// The features were read with the connection (none while it was off); setting them is
	// idempotent, so a connection just made needs no second read before it.
	if !s.featuresOn() {
		if err := p.c.EnableProvisioning(ctx, s.app.ID); err != nil {
			if Refused(err) {
				r.Action, r.Operator = plan.Operator, p.Checklist()
				return r, nil
			}
			return r, fmt.Errorf("%s: enable To App create, update, deactivate: %w", p.name(), err)
		}
		if r.Action == plan.NoOp {
			r.Action = plan.Update
		}
		r.Fields = append(r.Fields, plan.FieldChange{Path: "features", Old: featureText(s.features), New: "create, update, deactivate"})
	}
	return r, nil
}

// Confirm records that the operator did the console steps.
func (p *Provisioning) Confirm(now time.Time) error {
	return p.spec.Store.Record(operator.Confirmation{Step: provisioningStep, Key: p.spec.App.spec.Label, Fingerprint: p.fingerprint(), ConfirmedAt: now.UTC(),
		Values: map[string]string{"baseUrl": p.spec.BaseURL, "token": p.spec.TokenWhere}})
}

// SampleSize bounds the users the evidence check reads.
const SampleSize = 20

// Verify reports the connection (observed, confirmed or to do), the features, and evidence:
// assigned users provisioned into the target with an external id.
func (p *Provisioning) Verify(ctx context.Context) []doctor.Check {
	const id, title = "okta.provisioning", "Okta provisions into Workspace ONE"
	s, err := p.read(ctx)
	if err != nil {
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, "flowsctl apply --only okta.provisioning")}}
	}
	if s.app == nil {
		return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: "the SCIM app does not exist", Fix: "flowsctl apply --only okta.scimApp,okta.provisioning"}}
	}
	var out []doctor.Check
	switch {
	case s.connected():
		out = append(out, doctor.Check{ID: id + ".connection", Title: "Okta provisioning connection enabled", Status: doctor.Pass, Detail: "observed: " + s.conn.AuthScheme})
		if s.featuresOn() {
			out = append(out, doctor.Check{ID: id + ".features", Title: "Okta To App create, update, deactivate", Status: doctor.Pass, Detail: "observed"})
		} else {
			out = append(out, doctor.Check{ID: id + ".features", Title: "Okta To App create, update, deactivate", Status: doctor.Fail, Detail: "enabled: " + featureText(s.features), Fix: "flowsctl apply --only okta.provisioning"})
		}
	case s.refused != nil:
		if c, ok := p.confirmed(); ok {
			out = append(out, doctor.Check{ID: id + ".connection", Title: "Okta provisioning connection enabled", Status: doctor.Confirmed, Detail: "an operator confirmed it on " + c.ConfirmedAt.Format("2006-01-02") + " (Okta does not show it through its API)"})
		} else {
			out = append(out, doctor.Check{ID: id + ".connection", Title: "Okta provisioning connection enabled", Status: doctor.Todo, Detail: "an operator step: Okta does not take it through its API", Fix: p.spec.ConfirmCmd + " after the console steps (flowsctl apply prints them)"})
		}
	default:
		out = append(out, doctor.Check{ID: id + ".connection", Title: "Okta provisioning connection enabled", Status: doctor.Fail, Detail: "status " + s.conn.Status, Fix: "flowsctl apply --only okta.provisioning"})
	}
	return append(out, p.evidence(ctx, s.app.ID))
}

// evidence samples the app's users: provisioned ones carry the target's id as externalId.
func (p *Provisioning) evidence(ctx context.Context, appID string) doctor.Check {
	const id, title = "okta.provisioning.users", "Users assigned in Okta arrived in Workspace ONE"
	us, err := p.c.AppUsers(ctx, appID, SampleSize)
	if err != nil {
		return doctor.Check{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, "check okta.auth")}
	}
	if len(us) == 0 {
		return doctor.Check{ID: id, Title: title, Status: doctor.Warn, Detail: "no user is assigned to the app yet", Fix: "assign groups: okta.assignGroups, then flowsctl apply"}
	}
	var ok int
	var bad []AppUser
	for _, u := range us {
		switch {
		case u.SyncState == "ERROR":
			bad = append(bad, u)
		case u.ExternalID != "":
			ok++
		}
	}
	switch {
	case len(bad) > 0:
		names := make([]string, len(bad))
		for i, u := range bad {
			names[i] = u.name()
		}
		why, explain := p.failureReasons(ctx, appID, bad)
		retry := "then Okta Admin Console > Applications > " + p.spec.App.spec.Label + " > Assignments: retry the users in error (Okta does not retry them by itself)"
		return doctor.Check{ID: id, Title: title, Status: doctor.Fail, Detail: fmt.Sprintf("%d of %d sampled users failed to provision (%s); %s", len(bad), len(us), strings.Join(names, ", "), why),
			Fix: "flowsctl explain \"" + explain + "\", " + retry}
	case ok == 0:
		return doctor.Check{ID: id, Title: title, Status: doctor.Fail, Detail: fmt.Sprintf("none of %d sampled users has an external id in %s yet", len(us), p.spec.Target),
			Fix: "check the provisioning settings in Okta (Provisioning > To App) and the token: flowsctl doctor"}
	}
	return doctor.Check{ID: id, Title: title, Status: doctor.Pass, Detail: fmt.Sprintf("%d of %d sampled users provisioned into %s", ok, len(us), p.spec.Target)}
}

// failureReasons says why the users in bad failed, from Okta's System Log: each distinct
// cause (the app's message after "failed: ") with how many of them it stopped. explain is the
// text to hand to flowsctl explain: the first cause, or a placeholder when none was read.
func (p *Provisioning) failureReasons(ctx context.Context, appID string, bad []AppUser) (why, explain string) {
	explain = "<the error shown in Okta>"
	if !p.c.CanReadLogs() {
		return "Okta's reason is in its System Log: add " + LogsScope + " to okta.auth.scopes (and grant it to the service app) for doctor to show it", explain
	}
	evs, err := p.c.ProvisioningFailures(ctx, appID, 100)
	if err != nil {
		msg := err.Error()
		var ae *httpx.APIError
		if errors.As(err, &ae) {
			msg = fmt.Sprintf("HTTP %d %s", ae.Status, ae.Message)
		}
		return "Okta's System Log could not be read: " + httpx.Excerpt(strings.TrimSpace(msg), 160), explain
	}
	newest := map[string]string{} // user id -> cause; events come newest first
	for _, ev := range evs {
		if u, ok := ev.User(); ok && newest[u.ID] == "" {
			cause := ev.Outcome.Reason
			if _, after, found := strings.Cut(cause, " failed: "); found {
				cause = after
			}
			newest[u.ID] = cause
		}
	}
	var causes []string
	count := map[string]int{}
	unknown := 0
	for _, u := range bad {
		c := newest[u.ID]
		if c == "" {
			unknown++
			continue
		}
		if count[c] == 0 {
			causes = append(causes, c)
		}
		count[c]++
	}
	var parts []string
	for _, c := range causes {
		parts = append(parts, fmt.Sprintf("%q (%s)", httpx.Excerpt(c, 200), plural(count[c], "user")))
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("no failure in the System Log of the last week for %s", plural(unknown, "user")))
	}
	if len(causes) > 0 {
		// Pasted inside double quotes in a shell: drop what the shell would read there
		// (explain matches the words, not the punctuation).
		explain = strings.NewReplacer(`"`, "", "`", "", "$", "", `\`, "").Replace(httpx.Excerpt(causes[0], 200))
	}
	return "Okta's System Log: " + strings.Join(parts, "; "), explain
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ---- group push ----

// GroupPush pushes the configured groups with their memberships from the SCIM app. Natural
// key: the source group.
type GroupPush struct {
	c      *Client
	app    *SCIMApp
	groups groupSet

	ahead *readAhead[map[string]PushMapping]
}

// ReadAhead looks up the groups and the push mappings for the next Apply, which then does not
// ask again: apply runs it once the SCIM app exists, while its provisioning is being set.
func (g *GroupPush) ReadAhead(ctx context.Context) {
	ms, err := g.read(ctx)
	g.ahead = &readAhead[map[string]PushMapping]{ms, err}
}

// NewGroupPush builds the object.
func NewGroupPush(c *Client, app *SCIMApp, names []string) *GroupPush {
	return &GroupPush{c: c, app: app, groups: groupSet{c: c, names: names}}
}

func (g *GroupPush) read(ctx context.Context) (map[string]PushMapping, error) {
	var ms []PushMapping
	mappings := func(ctx context.Context) (err error) {
		if g.app.app != nil {
			ms, err = g.c.PushMappings(ctx, g.app.app.ID)
		}
		return err
	}
	var err error
	if g.app.found {
		// The okta.scimApp step found or made the app: its mappings are read together with
		// the groups, one round trip.
		err = together(ctx, g.groups.resolve, mappings)
	} else if err = together(ctx, g.app.lookup, g.groups.resolve); err == nil {
		err = mappings(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := g.groups.missingErr("okta.pushGroups"); err != nil {
		return nil, err
	}
	bySource := map[string]PushMapping{}
	for _, m := range ms {
		bySource[m.SourceGroupID] = m
	}
	return bySource, nil
}

func (g *GroupPush) name(n string) string { return fmt.Sprintf("okta group push %q", n) }

// Plan reports the push mappings to create or activate.
func (g *GroupPush) Plan(ctx context.Context) ([]plan.Change, error) {
	ms, err := g.read(ctx)
	if err != nil {
		return nil, err
	}
	var out []plan.Change
	for _, n := range g.groups.names {
		m, ok := ms[g.groups.byName[n].ID]
		switch {
		case !ok:
			out = append(out, plan.Change{Object: g.name(n), Action: plan.Create, Fields: []plan.FieldChange{{Path: "status", New: "ACTIVE"}}})
		case m.Status == "INACTIVE":
			out = append(out, plan.Change{Object: g.name(n), Action: plan.Update, Fields: []plan.FieldChange{{Path: "status", Old: m.Status, New: "ACTIVE"}}})
		default:
			out = append(out, plan.Change{Object: g.name(n), Action: plan.NoOp})
		}
	}
	return out, nil
}

// Apply creates missing mappings (ACTIVE: memberships pushed now) and activates inactive ones.
func (g *GroupPush) Apply(ctx context.Context) (object.Result, error) {
	r := object.Result{Object: "okta group push", Kind: "okta group push", Key: strings.Join(g.groups.names, ","), Action: plan.NoOp}
	ms, ok, err := take(&g.ahead)
	if !ok {
		ms, err = g.read(ctx)
	}
	if err != nil {
		return r, err
	}
	if g.app.app == nil && len(g.groups.names) > 0 {
		return r, fmt.Errorf("okta group push: the SCIM app does not exist (run: flowsctl apply --only okta.scimApp)")
	}
	for _, n := range g.groups.names {
		grp := g.groups.byName[n]
		m, ok := ms[grp.ID]
		switch {
		case !ok:
			// A create is never sent blind twice: after a lost or refused answer, look the
			// mapping up by its source group and adopt it.
			appID := g.app.app.ID
			_, _, err := httpx.CreateChecked(ctx, g.c.hc, transient,
				func() (*PushMapping, error) {
					ms, err := g.c.PushMappings(ctx, appID)
					for i := range ms {
						if ms[i].SourceGroupID == grp.ID {
							return &ms[i], err
						}
					}
					return nil, err
				},
				func() (*PushMapping, error) { return g.c.CreatePushMapping(ctx, appID, grp.ID, n) })
			if err != nil {
				return r, fmt.Errorf("push group %q: %w", n, err)
			}
			r.Changes = append(r.Changes, plan.Change{Object: g.name(n), Action: plan.Create, Fields: []plan.FieldChange{{Path: "status", New: "ACTIVE"}}})
		case m.Status == "INACTIVE":
			if err := g.c.ActivatePushMapping(ctx, g.app.app.ID, m.ID); err != nil {
				return r, fmt.Errorf("activate the push of group %q: %w", n, err)
			}
			r.Changes = append(r.Changes, plan.Change{Object: g.name(n), Action: plan.Update, Fields: []plan.FieldChange{{Path: "status", Old: "INACTIVE", New: "ACTIVE"}}})
		}
	}
	return r, nil
}

// Verify checks every pushed group's mapping is ACTIVE (ERROR carries Okta's message).
func (g *GroupPush) Verify(ctx context.Context) []doctor.Check {
	ms, err := g.read(ctx)
	if err != nil {
		return []doctor.Check{{ID: "okta.groupPush", Title: "Okta pushes groups", Status: doctor.Fail, Detail: err.Error(), Fix: fixOf(err, "flowsctl apply --only okta.groupPush")}}
	}
	var out []doctor.Check
	for _, n := range g.groups.names {
		id, title := "okta.groupPush."+n, fmt.Sprintf("Okta pushes group %q", n)
		m, ok := ms[g.groups.byName[n].ID]
		switch {
		case !ok:
			out = append(out, doctor.Check{ID: id, Title: title, Status: doctor.Fail, Detail: "no push mapping", Fix: "flowsctl apply --only okta.groupPush"})
		case m.Status == "ACTIVE":
			out = append(out, doctor.Check{ID: id, Title: title, Status: doctor.Pass, Detail: "ACTIVE, target group " + m.TargetGroupID})
		case m.Status == "ERROR":
			out = append(out, doctor.Check{ID: id, Title: title, Status: doctor.Fail, Detail: "ERROR: " + httpx.Excerpt(m.ErrorSummary, 300),
				Fix: "Okta Admin Console > Applications > " + g.app.spec.Label + " > Push Groups > Retry; flowsctl explain \"" + httpx.Excerpt(m.ErrorSummary, 80) + "\""})
		default:
			out = append(out, doctor.Check{ID: id, Title: title, Status: doctor.Warn, Detail: m.Status, Fix: "flowsctl apply --only okta.groupPush"})
		}
	}
	return out
}

// ---- token rotation ----

// ReplaceToken gives the SCIM app's provisioning connection a new token (flowsctl rotate
// okta-scim-token). It returns (false, nil) when Okta refuses the connection API for the app:
// the token must then be pasted in the console (Checklist says where).
func (p *Provisioning) ReplaceToken(ctx context.Context, token string) (bool, error) {
	s, err := p.read(ctx)
	if err != nil {
		return false, err
	}
	if s.app == nil {
		return false, fmt.Errorf("%s: the app does not exist (run: flowsctl apply --only okta.scimApp,okta.provisioning)", p.name())
	}
	if s.refused != nil {
		return false, nil
	}
	err = p.c.SetConnection(ctx, s.app.ID, p.spec.BaseURL, token)
	switch {
	case Refused(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: setting the new token: %w", p.name(), err)
	}
	return true, nil
}

// TokenChecklist is the console step that pastes a rotated token into Okta.
func (p *Provisioning) TokenChecklist(resume string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Give Okta the new token (Okta does not take it through its API for this app):\n")
	fmt.Fprintf(&b, "  1. Okta Admin Console > Applications > %s > Provisioning > Integration > Edit\n", p.spec.App.spec.Label)
	fmt.Fprintf(&b, "  2. API token / OAuth Bearer Token: the value in %s\n", p.spec.TokenWhere)
	b.WriteString("  3. Test API Credentials must say verified; Save\n")
	fmt.Fprintf(&b, "  4. Then: %s\n", resume)
	return b.String()
}

// Token is the token Okta must hold now (read from its sink, or minted for the Access path).
func (p *Provisioning) Token(ctx context.Context) (string, error) { return p.spec.Token(ctx) }
