// Package azure registers the Entra ID application behind the Microsoft Teams mobile flows
// connector (the Teams mobile flows guide): a multitenant app with the hero redirect URI, the
// Access logout URL and delegated Microsoft Graph permissions, its service principal,
// tenant-wide admin consent and a client secret. It is the only package that imports
// msgraph-sdk-go; callers see plain Go types.
//
// registration.go is the object (Registration: Plan, Apply, Verify, Rotate) and its spec,
// graph.go the Graph calls with their errors and replication waits, client.go the sign-in and
// the Graph SDK over httpx, pending.go the write-ahead note for a secret being added.
package azure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Values of the Teams mobile flows guide (reference §1).
const (
	HeroRedirectURI       = "https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"
	MultipleOrgs          = "AzureADMultipleOrgs"
	GraphAppID            = "00000003-0000-0000-c000-000000000000"
	DefaultDisplayName    = "Workspace ONE mobile flows - Microsoft Teams"
	DefaultSecretName     = "flowsctl"
	DefaultBudget         = 3 * time.Minute
	defaultSecretLifetime = 12 * config.Month
	defaultWarnBefore     = 30 * config.Day
)

// DefaultScopes are the delegated Graph permissions the Teams connector needs.
var DefaultScopes = []string{"offline_access", "User.Read", "User.Read.All", "MailboxSettings.Read", "Group.ReadWrite.All"}

// Spec is the desired Entra application, resolved from flowsctl.yaml (and flag overrides).
type Spec struct {
	Settings
	Scopes       []string `json:"delegatedPermissions"`
	AdminConsent bool     `json:"adminConsent"`
	// AdoptAppID is an app made by hand without a uniqueName: when no app has UniqueName, this
	// one is adopted and given it (azure.app.adoptAppId).
	AdoptAppID string `json:"adoptAppId,omitempty"`
	// SecretName prefixes the displayName of the client secrets flowsctl creates ("flowsctl 2026-11-23").
	SecretName     string        `json:"secretDisplayName"`
	SecretLifetime time.Duration `json:"-"`
	WarnBefore     time.Duration `json:"-"`
	// Sink is where a new secret value goes (absolute: config.Load resolved it).
	Sink config.SecretRef `json:"secretSink"`
	// AllowNoSink lets a secret be created without a writable sink (the caller shows it once).
	AllowNoSink bool `json:"-"`
	// ReplicationBudget bounds the retries of Entra's replication errors.
	ReplicationBudget time.Duration `json:"-"`
}

// SpecFromConfig reads the azure section, filling the Teams mobile flows guide's defaults for unset values.
func SpecFromConfig(cfg *config.Config) (Spec, error) {
	if cfg == nil || cfg.Azure == nil {
		return Spec{}, errors.New("flowsctl.yaml has no azure section (add one with: flowsctl init, or see docs/configuration.md#azure)")
	}
	a := cfg.Azure.App
	s := Spec{
		Settings: Settings{DisplayName: strings.TrimSpace(a.DisplayName), UniqueName: strings.TrimSpace(a.UniqueName),
			SignInAudience: a.SignInAudience, RedirectURIs: append([]string(nil), a.RedirectURIs...)},
		Scopes:            append([]string(nil), a.DelegatedPermissions...),
		AdoptAppID:        strings.TrimSpace(a.AdoptAppID),
		AdminConsent:      a.AdminConsent,
		SecretName:        strings.TrimSpace(a.Secret.DisplayName),
		SecretLifetime:    a.Secret.Lifetime.D,
		WarnBefore:        a.Secret.WarnBefore.D,
		Sink:              a.Secret.Sink,
		ReplicationBudget: cfg.Azure.ReplicationBudget.D,
	}
	if s.DisplayName == "" {
		s.DisplayName = DefaultDisplayName
	}
	if s.SignInAudience == "" {
		s.SignInAudience = MultipleOrgs
	}
	if len(s.RedirectURIs) == 0 {
		s.RedirectURIs = []string{HeroRedirectURI}
	}
	if len(s.Scopes) == 0 {
		s.Scopes = append([]string(nil), DefaultScopes...)
	}
	if s.SecretName == "" {
		s.SecretName = DefaultSecretName
	}
	if s.SecretLifetime <= 0 {
		s.SecretLifetime = defaultSecretLifetime
	}
	if s.WarnBefore <= 0 {
		s.WarnBefore = defaultWarnBefore
	}
	if s.ReplicationBudget <= 0 {
		s.ReplicationBudget = DefaultBudget
	}
	if s.Sink == "" {
		s.Sink = cfg.ResolveRef(config.DefaultTeamsSecretSink) // a config built in memory has no defaults
	}
	// config.LogoutURL is the explicit value, or one derived from the current access.url
	// (tenant-in-path aware), so an --access-url override is honoured.
	s.LogoutURL = strings.TrimSpace(cfg.LogoutURL())
	return s, s.Validate()
}

// Validate reports the first problem, naming the config key.
func (s Spec) Validate() error {
	switch {
	case s.UniqueName == "":
		return errors.New("azure.app.uniqueName is empty: set the app's natural key, e.g. ws1-mobile-flows-teams (it is immutable in Entra)")
	case len(s.UniqueName) > 120 || strings.ContainsAny(s.UniqueName, "'/\\?#%"):
		return fmt.Errorf("azure.app.uniqueName %q: use at most 120 characters without ' / \\ ? # %%", s.UniqueName)
	case s.SecretLifetime > 2*config.Year:
		return fmt.Errorf("azure.app.secret.lifetime %s: Entra allows at most 2y (default 12mo)", config.FormatDuration(s.SecretLifetime))
	}
	for i, u := range s.RedirectURIs {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://localhost") {
			return fmt.Errorf("azure.app.redirectUris[%d] %q: must be an https URL", i, u)
		}
	}
	if s.LogoutURL != "" && !strings.HasPrefix(s.LogoutURL, "https://") {
		return fmt.Errorf("azure.app.logoutUrl %q: must be an https URL (default: <access.url>/SAAS/auth/logout)", s.LogoutURL)
	}
	return nil
}

// Registration is the Entra application behind the Teams connector as one managed object: the
// app found by azure.app.uniqueName, its service principal, tenant-wide admin consent on
// Microsoft Graph and a client secret whose value sits in azure.app.secret.sink. The step
// azure.app and every `flowsctl azure` command build it with NewRegistration.
type Registration struct {
	c   *Client
	cfg *config.Config
	// Spec is the desired state; a command may adjust it (AllowNoSink) before the first call.
	Spec Spec

	state  State
	secret string
	auth   error
	msg    io.Writer // warnings (an untrusted note)
	warned map[string]bool
}

var _ object.Object = (*Registration)(nil)

// State is what the registration last saw or did: ids, the secret's metadata (never its
// value) and the Graph requests the last call made.
type State struct {
	ServicePrincipalID string `json:"servicePrincipalId" yaml:"servicePrincipalId"`
	GrantID            string `json:"consentGrantId,omitempty" yaml:"consentGrantId,omitempty"`
	// Outputs are the client id, object id and sink dependants read.
	Outputs `yaml:",inline"`
	// Secret is the client secret in use: created by this call (SecretCreated), or reused
	// because the sink holds it.
	Secret        *SecretInfo `json:"secret,omitempty" yaml:"secret,omitempty"`
	SecretCreated bool        `json:"secretCreated" yaml:"secretCreated"`
	// RemovedSecrets are orphans of an interrupted run, or older secrets on rotate --remove-old.
	RemovedSecrets []string `json:"removedSecretKeyIds,omitempty" yaml:"removedSecretKeyIds,omitempty"`
	Requests       int      `json:"graphRequests" yaml:"graphRequests"`
}

// NewRegistration builds the registration of cfg's azure section, signing in (lazily, at the
// first Graph call) as azure.signIn says; msg receives sign-in prompts (the device code).
func NewRegistration(cfg *config.Config, hc *httpx.Client, msg io.Writer) (*Registration, error) {
	spec, err := SpecFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	c, err := NewClient(context.Background(), cfg, hc, msg)
	if err != nil {
		return nil, err
	}
	return &Registration{c: c, cfg: cfg, Spec: spec, msg: msg}, nil
}

// State is what the last Plan, Apply, Verify, Show or Rotate saw or did.
func (r *Registration) State() State { return r.state }

// Secret is the value of a secret the last Apply or Rotate created ("" otherwise). Print it
// only when the user asked.
func (r *Registration) Secret() string { return r.secret }

// AuthErr is the sign-in or permission failure the last call met (nil when none): Verify
// reports it as a failing check, and a command returns it so the process exits 4.
func (r *Registration) AuthErr() error { return r.auth }

// sinkValue is the secret the sink holds ("" and the error when it holds none).
func (r *Registration) sinkValue() (string, error) { return r.cfg.Secret(r.Spec.Sink) }

// begin resets what a call learns and returns the function that ends it.
func (r *Registration) begin() func(err error) error {
	start := r.c.Requests()
	r.state, r.secret, r.auth = State{Outputs: Outputs{SecretSink: r.Spec.Sink}}, "", nil
	return func(err error) error {
		r.state.Requests = r.c.Requests() - start
		if httpx.IsAuth(err) {
			r.auth = err
		}
		return withFix(err, "flowsctl azure register")
	}
}

// fixed gives an error the fix to show (setup.FixOf and doctor read Fix).
type fixed struct {
	error
	fix string
}

func (e fixed) Unwrap() error { return e.error }
func (e fixed) Fix() string   { return e.fix }

// withFix adds fix to an error that carries none of its own (an APIError's FixMsg wins).
func withFix(err error, fix string) error {
	var f interface{ Fix() string }
	if err == nil || (errors.As(err, &f) && f.Fix() != "") {
		return err
	}
	return fixed{err, fix}
}

// observed is what Graph holds for a spec.
type observed struct {
	app     *App
	graphSP *ServicePrincipal
	sp      *ServicePrincipal
	grant   *Grant // the AllPrincipals grant to Microsoft Graph
	extra   int    // other grants of the app's SP (left alone)
}

// read looks everything up by natural key: app by uniqueName and the Graph SP in parallel,
// then the app's SP by appId, then its grants by clientId. Reads only.
func (r *Registration) read(ctx context.Context) (*observed, error) {
	c, spec := r.c, r.Spec
	o := &observed{}
	var wg sync.WaitGroup
	var appErr, gspErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		o.app, appErr = c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
	}()
	go func() {
		defer wg.Done()
		o.graphSP, gspErr = c.getSP(ctx, spec.ReplicationBudget, GraphAppID, []string{"id", "appId", "oauth2PermissionScopes"}, retryRead)
	}()
	wg.Wait()
	if err := errors.Join(appErr, gspErr); err != nil {
		return nil, firstAuth(appErr, gspErr)
	}
	if o.graphSP == nil {
		return nil, errors.New("the Microsoft Graph service principal (appId " + GraphAppID + ") is not in this tenant: check azure.tenantId and azure.graphUrl")
	}
	if o.app == nil && spec.AdoptAppID != "" {
		if o.app, appErr = c.adoptable(ctx, spec); appErr != nil {
			return nil, appErr
		}
	}
	if o.app == nil {
		return o, nil
	}
	sp, err := c.getSP(ctx, spec.ReplicationBudget, o.app.AppID, []string{"id", "appId"}, retryRead)
	if err != nil || sp == nil {
		return o, err
	}
	o.sp = sp
	gs, err := c.listGrants(ctx, spec.ReplicationBudget, sp.ID)
	if err != nil {
		return o, err
	}
	for i := range gs {
		if gs[i].ConsentType == "AllPrincipals" && gs[i].ResourceID == o.graphSP.ID && o.grant == nil {
			o.grant = &gs[i]
		} else {
			o.extra++
		}
	}
	return o, nil
}

// firstAuth prefers an auth error (exit 4) when parallel reads failed.
func firstAuth(errs ...error) error {
	for _, e := range errs {
		if httpx.IsAuth(e) {
			return e
		}
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// resolveScopes maps scope names to the Graph SP's ids; unknown names fail with the closest matches.
func resolveScopes(names []string, gsp *ServicePrincipal) ([]Access, error) {
	byName := map[string]Scope{}
	var values []string
	for _, s := range gsp.Scopes {
		byName[s.Value] = s
		values = append(values, s.Value)
	}
	var out []Access
	var problems []string
	for _, n := range names {
		s, ok := byName[n]
		if !ok {
			p := strconv.Quote(n)
			if near := text.Closest(n, values, 3); len(near) > 0 {
				p += " (did you mean " + strings.Join(near, ", ") + "?)"
			}
			problems = append(problems, p)
			continue
		}
		if !s.Enabled {
			problems = append(problems, fmt.Sprintf("%q is disabled on Microsoft Graph", n))
			continue
		}
		out = append(out, Access{ID: s.ID, Type: "Scope"})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("azure.app.delegatedPermissions: unknown Microsoft Graph delegated permission %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// desired is the computed target state.
type desired struct {
	scopes    []Access         // Graph delegated scopes, resolved
	resources []ResourceAccess // the whole requiredResourceAccess to write
	grant     string           // the consent grant's scope string
}

func desiredFor(spec Spec, o *observed) (*desired, error) {
	acc, err := resolveScopes(spec.Scopes, o.graphSP)
	if err != nil {
		return nil, err
	}
	d := &desired{scopes: acc, grant: strings.Join(spec.Scopes, " ")}
	graph := ResourceAccess{ResourceAppID: GraphAppID, Access: acc}
	if o.app != nil {
		for _, r := range o.app.Resources {
			if r.ResourceAppID != GraphAppID {
				d.resources = append(d.resources, r)
				continue
			}
			// Application permissions (Role) on Graph an admin added are kept.
			for _, a := range r.Access {
				if a.Type != "Scope" {
					graph.Access = append(graph.Access, a)
				}
			}
		}
	}
	d.resources = append([]ResourceAccess{graph}, d.resources...)
	return d, nil
}

func scopeSet(r []ResourceAccess) []string {
	var ids []string
	for _, x := range r {
		if x.ResourceAppID != GraphAppID {
			continue
		}
		for _, a := range x.Access {
			if a.Type == "Scope" {
				ids = append(ids, a.ID)
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

func sameScopeString(a, b string) bool { return sameSet(strings.Fields(a), strings.Fields(b)) }

// names maps resolved ids back to names for display.
func scopeNames(ids []string, gsp *ServicePrincipal) string {
	byID := map[string]string{}
	for _, s := range gsp.Scopes {
		byID[s.ID] = s.Value
	}
	var out []string
	for _, id := range ids {
		if n, ok := byID[id]; ok {
			out = append(out, n)
		} else {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// appChanges compares the app with the spec; the returned body carries only changed fields.
func appChanges(spec Spec, o *observed, d *desired) (plan.Diff, models.Applicationable) {
	var diff plan.Diff
	body := models.NewApplication()
	a := o.app
	if a == nil {
		a = &App{}
	}
	if o.app != nil && a.UniqueName == "" {
		diff.Add("uniqueName", "", spec.UniqueName)
		body.SetUniqueName(ptr(spec.UniqueName))
	}
	if a.DisplayName != spec.DisplayName {
		diff.Add("displayName", a.DisplayName, spec.DisplayName)
		body.SetDisplayName(ptr(spec.DisplayName))
	}
	if a.SignInAudience != spec.SignInAudience {
		diff.Add("signInAudience", a.SignInAudience, spec.SignInAudience)
		body.SetSignInAudience(ptr(spec.SignInAudience))
	}
	webChanged := false
	if !sameSet(a.RedirectURIs, spec.RedirectURIs) {
		diff.Add("web.redirectUris", strings.Join(a.RedirectURIs, " "), strings.Join(spec.RedirectURIs, " "))
		webChanged = true
	}
	if spec.LogoutURL != "" && a.LogoutURL != spec.LogoutURL {
		diff.Add("web.logoutUrl", a.LogoutURL, spec.LogoutURL)
		webChanged = true
	}
	if webChanged {
		w := models.NewWebApplication()
		w.SetRedirectUris(append([]string(nil), spec.RedirectURIs...))
		if spec.LogoutURL != "" {
			w.SetLogoutUrl(ptr(spec.LogoutURL))
		} else if a.LogoutURL != "" {
			w.SetLogoutUrl(ptr(a.LogoutURL))
		}
		body.SetWeb(w)
	}
	have, want := scopeSet(a.Resources), scopeSet(d.resources)
	if !slices.Equal(have, want) {
		diff.Add("requiredResourceAccess[Microsoft Graph].Scope", scopeNames(have, o.graphSP), scopeNames(want, o.graphSP))
		var rras []models.RequiredResourceAccessable
		for _, r := range d.resources {
			m := models.NewRequiredResourceAccess()
			m.SetResourceAppId(ptr(r.ResourceAppID))
			var list []models.ResourceAccessable
			for _, x := range r.Access {
				id, err := uuid.Parse(x.ID)
				if err != nil {
					continue
				}
				ra := models.NewResourceAccess()
				ra.SetId(&id)
				ra.SetTypeEscaped(ptr(x.Type))
				list = append(list, ra)
			}
			m.SetResourceAccess(list)
			rras = append(rras, m)
		}
		body.SetRequiredResourceAccess(rras)
	}
	for _, r := range a.Resources {
		if r.ResourceAppID != GraphAppID {
			diff = append(diff, plan.FieldChange{Path: "requiredResourceAccess[" + r.ResourceAppID + "]",
				Old: fmt.Sprintf("%d permission(s), added outside flowsctl", len(r.Access)), Keep: true})
		}
	}
	return diff, body
}

func changedFields(d plan.Diff) int {
	n := 0
	for _, f := range d {
		if !f.Keep {
			n++
		}
	}
	return n
}

// secretPlan decides whether a new client secret is needed.
type secretPlan struct {
	reuse *Password
	need  bool
	why   string
}

func (r *Registration) planSecret(app *App) secretPlan {
	spec := r.Spec
	if app == nil {
		return secretPlan{need: true, why: "new application"}
	}
	value, sinkErr := r.sinkValue()
	now := r.c.now()
	var valid []Password
	for _, p := range app.Passwords {
		if managedSecret(p, spec) && p.End.After(now) {
			valid = append(valid, p)
		}
	}
	if len(valid) == 0 {
		return secretPlan{need: true, why: "no unexpired flowsctl secret on the application"}
	}
	if sinkErr != nil {
		return secretPlan{need: true, why: "the sink " + string(spec.Sink) + " does not hold the secret value"}
	}
	// Entra reports the first characters of each secret as its hint: the sink's value must match one.
	sort.Slice(valid, func(i, j int) bool { return valid[i].End.After(valid[j].End) })
	for i := range valid {
		if valid[i].Hint != "" && strings.HasPrefix(value, valid[i].Hint) {
			return secretPlan{reuse: &valid[i]}
		}
	}
	return secretPlan{need: true, why: "the value in " + string(spec.Sink) + " matches no unexpired flowsctl secret"}
}

func managedSecret(p Password, spec Spec) bool {
	return strings.HasPrefix(p.DisplayName, spec.SecretName) || strings.HasPrefix(p.DisplayName, DefaultSecretName)
}

func secretDisplayName(spec Spec, now time.Time) string {
	return spec.SecretName + " " + now.UTC().Format("2006-01-02")
}

// Plan reports what Apply would change. It only reads.
func (r *Registration) Plan(ctx context.Context) (cs []plan.Change, err error) {
	end := r.begin()
	defer func() { err = end(err) }()
	o, d, err := r.observe(ctx)
	if err != nil {
		return nil, err
	}
	return r.changes(o, d), nil
}

// observe reads the registration and computes the target state; it records the ids it found.
func (r *Registration) observe(ctx context.Context) (*observed, *desired, error) {
	if err := r.Spec.Validate(); err != nil {
		return nil, nil, err
	}
	o, err := r.read(ctx)
	if err != nil {
		return nil, nil, err
	}
	r.fill(o)
	d, err := desiredFor(r.Spec, o)
	return o, d, err
}

func (r *Registration) changes(o *observed, d *desired) []plan.Change {
	c, spec := r.c, r.Spec
	var out []plan.Change
	appObj := `Entra application "` + spec.UniqueName + `"`
	diff, _ := appChanges(spec, o, d)
	switch {
	case o.app == nil:
		out = append(out, plan.Change{Object: appObj, Action: plan.Create, Fields: diff})
	case changedFields(diff) > 0:
		out = append(out, plan.Change{Object: appObj, Action: plan.Update, Fields: diff, Note: "client id " + o.app.AppID})
	default:
		out = append(out, plan.Change{Object: appObj, Action: plan.NoOp, Fields: diff, Note: "client id " + o.app.AppID})
	}
	spObj := `service principal of "` + spec.UniqueName + `"`
	if o.sp == nil {
		out = append(out, plan.Change{Object: spObj, Action: plan.Create})
	} else {
		out = append(out, plan.Change{Object: spObj, Action: plan.NoOp, Note: "id " + o.sp.ID})
	}
	if spec.AdminConsent {
		gObj := `admin consent (AllPrincipals) for "` + spec.UniqueName + `" on Microsoft Graph`
		switch {
		case o.grant == nil:
			out = append(out, plan.Change{Object: gObj, Action: plan.Create, Fields: []plan.FieldChange{{Path: "scope", New: d.grant}}})
		case !sameScopeString(o.grant.Scope, d.grant):
			out = append(out, plan.Change{Object: gObj, Action: plan.Update, Fields: []plan.FieldChange{{Path: "scope", Old: o.grant.Scope, New: d.grant}}})
		default:
			out = append(out, plan.Change{Object: gObj, Action: plan.NoOp})
		}
	}
	for _, p := range r.orphans(o.app, r.readPending()) {
		out = append(out, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.Delete,
			Note: p.DisplayName + ": added by an interrupted run whose answer was lost; nobody holds its value"})
	}
	sObj := `client secret of "` + spec.UniqueName + `"`
	sp := r.planSecret(o.app)
	if sp.need {
		out = append(out, plan.Change{Object: sObj, Action: plan.Create, Note: sp.why + "; the value goes to " + string(spec.Sink),
			Fields: []plan.FieldChange{{Path: "passwordCredential.displayName", New: secretDisplayName(spec, c.now())},
				{Path: "passwordCredential.endDateTime", New: c.now().Add(spec.SecretLifetime).UTC().Format(time.RFC3339)}}})
	} else {
		note := fmt.Sprintf("keyId %s, expires %s", sp.reuse.KeyID, sp.reuse.End.UTC().Format("2006-01-02"))
		if sp.reuse.End.Sub(c.now()) < spec.WarnBefore {
			note += " (soon: run flowsctl azure secret rotate)"
		}
		out = append(out, plan.Change{Object: sObj, Action: plan.NoOp, Note: note})
	}
	return out
}

// requiredPerms are the rights a write needs: any one permission of each group.
var requiredPerms = [][]string{
	{"Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
	{"DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"},
}

// checkPermissions fails before any write when the token lacks the rights the writes need.
func (c *Client) checkPermissions(ctx context.Context, needGrant bool) error {
	if _, err := c.token(ctx); err != nil {
		return err
	}
	c.tokMu.Lock()
	claims := c.claims
	c.tokMu.Unlock()
	var have []string
	if s, ok := claims["scp"].(string); ok {
		have = append(have, strings.Fields(s)...)
	}
	if rs, ok := claims["roles"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				have = append(have, s)
			}
		}
	}
	if len(have) == 0 {
		return nil // not a JWT we can read (e.g. an opaque token): let Graph decide
	}
	var missing []string
	for i, group := range requiredPerms {
		if i == 1 && !needGrant {
			continue
		}
		ok := false
		for _, p := range group {
			ok = ok || slices.Contains(have, p)
		}
		if !ok {
			missing = append(missing, group[0])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return authFailure(nil, fmt.Sprintf("the Entra sign-in (azure.signIn.method=%s) lacks %s, so flowsctl made no change", c.method, strings.Join(missing, " and ")), roleFix)
}

// Apply converges the application, its service principal, admin consent and a client secret.
// A second run with the same spec makes no write.
func (r *Registration) Apply(ctx context.Context) (res object.Result, err error) {
	end := r.begin()
	defer func() { err = end(err) }()
	spec := r.Spec
	res = object.Result{Object: `Entra application "` + spec.UniqueName + `"`, Kind: "Entra application", Key: spec.UniqueName}
	o, d, err := r.observe(ctx)
	if err != nil {
		return res, err
	}
	changes := r.changes(o, d)
	defer func() { r.fill(o); r.result(&res, changes) }()
	sp := r.planSecret(o.app)
	if sp.reuse != nil {
		r.state.Secret = r.secretInfo(*sp.reuse)
	}
	if !plan.Pending(changes) {
		if o.app != nil {
			_ = clearPending(spec) // a note whose add never reached Entra
		}
		return res, nil
	}
	if sp.need && spec.Sink.Kind() != "file" && !spec.AllowNoSink {
		return res, fmt.Errorf("a new client secret is needed (%s) but azure.app.secret.sink %q cannot be written: set it to file:PATH, or pass --show-secret to print the value once", sp.why, spec.Sink)
	}
	c := r.c
	if err := c.checkPermissions(ctx, spec.AdminConsent); err != nil {
		return res, err
	}
	budget := spec.ReplicationBudget
	if err := r.removeOrphans(ctx, o.app); err != nil {
		return res, err
	}

	// 1. The application, upserted by its natural key.
	appFresh := false
	diff, body := appChanges(spec, o, d)
	if o.app == nil {
		created, err := c.upsertApp(ctx, budget, spec.UniqueName, body)
		if err != nil {
			return res, err
		}
		if created == nil {
			// 204: it existed but was not yet visible to our read; read it once it replicated.
			created, err = c.getApp(ctx, budget, spec.UniqueName, retryFreshRead)
			if err != nil {
				return res, err
			}
			if created == nil {
				return res, fmt.Errorf(`application "%s" was updated but cannot be read back yet; re-run the same command`, spec.UniqueName)
			}
		}
		o.app, appFresh = created, true
	} else if changedFields(diff) > 0 {
		if err := c.patchApp(ctx, budget, o.app.ID, spec.UniqueName, body, false); err != nil {
			return res, err
		}
	}

	// 2+3 and 4 run side by side: both only need the application.
	var wg sync.WaitGroup
	var spErr, secErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		spErr = c.ensureSPAndConsent(ctx, spec, o, d)
	}()
	if sp.need {
		wg.Add(1)
		go func() {
			defer wg.Done()
			secErr = r.newSecret(ctx, o.app, appFresh)
		}()
	}
	wg.Wait()
	return res, errors.Join(spErr, secErr)
}

// result puts the changes into res: the application's as its own, the members' as Changes.
func (r *Registration) result(res *object.Result, changes []plan.Change) {
	res.ID = r.state.ClientID
	if len(changes) > 0 {
		res.Action, res.Fields, res.Note = changes[0].Action, changes[0].Fields, changes[0].Note
		res.Changes = changes[1:]
	}
	if r.state.SecretCreated && r.Spec.Sink.Kind() == "file" {
		res.SecretSink = string(r.Spec.Sink)
	}
}

func (c *Client) ensureSPAndConsent(ctx context.Context, spec Spec, o *observed, d *desired) error {
	budget := spec.ReplicationBudget
	spFresh := false
	if o.sp == nil {
		sp, err := c.upsertSP(ctx, budget, o.app.AppID)
		if err != nil {
			return err
		}
		if sp == nil {
			sp, err = c.getSP(ctx, budget, o.app.AppID, []string{"id", "appId"}, retryFreshRead)
			if err != nil {
				return err
			}
			if sp == nil {
				return fmt.Errorf(`service principal of "%s" exists but cannot be read yet; re-run the same command`, spec.UniqueName)
			}
			gs, err := c.listGrants(ctx, budget, sp.ID)
			if err != nil {
				return err
			}
			for i := range gs {
				if gs[i].ConsentType == "AllPrincipals" && gs[i].ResourceID == o.graphSP.ID {
					o.grant = &gs[i]
				}
			}
		} else {
			spFresh = true
		}
		o.sp = sp
	}
	if !spec.AdminConsent {
		return nil
	}
	switch {
	case o.grant == nil:
		_ = spFresh // a grant for a new SP waits out replication inside createGrant
		g, err := c.createGrantChecked(ctx, budget, o.sp.ID, o.graphSP.ID, d.grant)
		if err != nil {
			return err
		}
		o.grant = g
	case !sameScopeString(o.grant.Scope, d.grant):
		if err := c.patchGrantScope(ctx, budget, o.grant.ID, d.grant); err != nil {
			return err
		}
		o.grant.Scope = d.grant
	}
	return nil
}

// newSecret adds a client secret and writes its value to the sink.
// A note beside a file sink covers the time between the add and the sink write (see pending.go).
func (r *Registration) newSecret(ctx context.Context, app *App, fresh bool) error {
	c, spec := r.c, r.Spec
	now := c.now()
	name := secretDisplayName(spec, now)
	if err := writePending(spec, app, name, ""); err != nil {
		return fmt.Errorf("client secret of %q: cannot write the note %s before adding it: %v (check that the sink's directory is writable)", spec.UniqueName, pendingPath(spec.Sink), err)
	}
	pw, value, err := c.addPasswordChecked(ctx, spec.ReplicationBudget, app, spec.UniqueName, name, now.Add(spec.SecretLifetime), fresh)
	if err != nil {
		return err
	}
	c.hc.AddSecret(value)
	r.secret, r.state.SecretCreated = value, true
	// The note names the key id now, before the sink is written: a run that dies from here on
	// leaves a note the next run can trust (with the ledger below) to remove exactly this one.
	if err := writePending(spec, app, name, pw.KeyID); err != nil {
		return fmt.Errorf("client secret %s was created but the note %s could not name it: %v (fix the folder, then run: flowsctl azure secret rotate --remove-old)", pw.KeyID, pendingPath(spec.Sink), err)
	}
	if err := r.recordOwned(pw); err != nil {
		return fmt.Errorf("client secret %s was created but recording it as flowsctl's in %s failed: %v (fix the folder, then run: flowsctl azure secret rotate --remove-old)", pw.KeyID, ledgerPath(spec.Sink), err)
	}
	app.Passwords = append(app.Passwords, pw)
	defer func() { r.state.Secret = r.secretInfo(pw) }()
	if spec.Sink.Kind() == "file" {
		if err := r.cfg.WriteSecret(spec.Sink, value); err != nil {
			return fmt.Errorf("client secret %s was created but writing it to %s failed: %v (fix the path, then run: flowsctl azure secret rotate --remove-old)", pw.KeyID, spec.Sink, err)
		}
		_ = clearPending(spec) // a note left behind only names this secret, whose hint the sink now matches
	}
	return nil
}

// removeOrphans deletes the secrets an interrupted add left behind (see pending.go), then
// drops the note.
func (r *Registration) removeOrphans(ctx context.Context, app *App) error {
	spec := r.Spec
	n := r.readPending()
	if n == nil {
		return nil
	}
	for _, p := range r.orphans(app, n) {
		if err := r.c.removePassword(ctx, spec.ReplicationBudget, app.ID, spec.UniqueName, p.KeyID); err != nil {
			return err
		}
		r.state.RemovedSecrets = append(r.state.RemovedSecrets, p.KeyID)
		if app != nil {
			app.Passwords = slices.DeleteFunc(app.Passwords, func(q Password) bool { return q.KeyID == p.KeyID })
		}
	}
	return clearPending(spec)
}

// fill records the ids of what o holds.
func (r *Registration) fill(o *observed) {
	if o.app != nil {
		r.state.ClientID, r.state.ObjectID = o.app.AppID, o.app.ID
	}
	if o.sp != nil {
		r.state.ServicePrincipalID = o.sp.ID
	}
	if o.grant != nil {
		r.state.GrantID = o.grant.ID
	}
}

// Rotate adds a new flowsctl secret, writes it to the sink, then (with removeOld) removes
// the older secrets flowsctl created: exactly the key ids its ledger recorded, under the exact
// display name it gave them. Every other secret is left alone and listed as kept.
func (r *Registration) Rotate(ctx context.Context, removeOld bool) (res object.Result, err error) {
	end := r.begin()
	defer func() { err = end(err) }()
	c, spec := r.c, r.Spec
	obj := `client secret of "` + spec.UniqueName + `"`
	res = object.Result{Object: obj, Kind: "client secret", Key: string(spec.Sink), Action: plan.NoOp}
	if err := spec.Validate(); err != nil {
		return res, err
	}
	if spec.Sink.Kind() != "file" && !spec.AllowNoSink {
		return res, fmt.Errorf("azure.app.secret.sink %q cannot be written: set it to file:PATH, or pass --show-secret to print the new value once", spec.Sink)
	}
	app, err := c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
	if err != nil {
		return res, err
	}
	if app == nil {
		return res, ErrNotRegistered
	}
	r.fill(&observed{app: app})
	if err := c.checkPermissions(ctx, false); err != nil {
		return res, err
	}
	if err := r.removeOrphans(ctx, app); err != nil {
		return res, err
	}
	old := slices.Clone(app.Passwords)
	if err := r.newSecret(ctx, app, false); err != nil {
		return res, err
	}
	res.ID, res.Action, res.Note = r.state.Secret.KeyID, plan.Create, "keyId "+r.state.Secret.KeyID+", value written to "+string(spec.Sink)
	if spec.Sink.Kind() == "file" {
		res.SecretSink = string(spec.Sink)
	}
	if !removeOld {
		return res, nil
	}
	owned := r.owned()
	for _, p := range old {
		if !owned(p) {
			if managedSecret(p, spec) {
				res.Changes = append(res.Changes, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.NoOp,
					Note: p.DisplayName + ": kept, flowsctl did not record creating it (remove it in the Entra admin center > App registrations > Certificates & secrets if it is yours)"})
			}
			continue
		}
		if err := c.removePassword(ctx, spec.ReplicationBudget, app.ID, spec.UniqueName, p.KeyID); err != nil {
			return res, err
		}
		r.state.RemovedSecrets = append(r.state.RemovedSecrets, p.KeyID)
		_ = r.forgetOwned(p.KeyID)
		res.Changes = append(res.Changes, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.Delete,
			Note: p.DisplayName})
	}
	return res, nil
}

// createGrantChecked posts the consent grant. When the answer was lost (5xx, 429, a broken
// connection), httpx.CreateChecked looks the grant up before it posts again: never a
// duplicate. A grant that exists (409, or found with other scopes) is adopted and patched.
func (c *Client) createGrantChecked(ctx context.Context, budget time.Duration, clientSPID, resourceSPID, scope string) (*Grant, error) {
	find := func() (*Grant, error) {
		gs, err := c.listGrants(ctx, budget, clientSPID)
		if err != nil {
			return nil, err
		}
		for i := range gs {
			if gs[i].ConsentType != "AllPrincipals" || gs[i].ResourceID != resourceSPID {
				continue
			}
			if !sameScopeString(gs[i].Scope, scope) {
				if err := c.patchGrantScope(ctx, budget, gs[i].ID, scope); err != nil {
					return nil, err
				}
				gs[i].Scope = scope
			}
			return &gs[i], nil
		}
		return nil, nil
	}
	g, _, err := httpx.CreateChecked(ctx, c.hc, lostAnswer, find, func() (*Grant, error) {
		return c.createGrant(ctx, budget, clientSPID, resourceSPID, scope)
	})
	if httpx.StatusOf(err) == http.StatusConflict {
		if found, ferr := find(); ferr == nil && found != nil {
			return found, nil
		}
	}
	return g, err
}

// addPasswordChecked adds a client secret. When the answer was lost, the secret may exist with
// its value gone: before another add, the look-up removes such an orphan (same displayName,
// not there before), so the app ends with exactly one new secret, the one whose value
// flowsctl holds.
func (c *Client) addPasswordChecked(ctx context.Context, budget time.Duration, app *App, uniqueName, name string, end time.Time, fresh bool) (Password, string, error) {
	known := map[string]bool{}
	for _, p := range app.Passwords {
		known[p.KeyID] = true
	}
	type added struct {
		pw    Password
		value string
	}
	orphan := func() (*added, error) {
		cur, err := c.getApp(ctx, budget, uniqueName, retryRead)
		if err != nil || cur == nil {
			return nil, err
		}
		for _, p := range cur.Passwords {
			if !known[p.KeyID] && p.DisplayName == name {
				if err := c.removePassword(ctx, budget, app.ID, uniqueName, p.KeyID); err != nil {
					return nil, err
				}
			}
		}
		return nil, nil // never adopted: its value is lost
	}
	a, _, err := httpx.CreateChecked(ctx, c.hc, lostAnswer, orphan, func() (*added, error) {
		pw, v, err := c.addPassword(ctx, budget, app.ID, uniqueName, name, end, fresh)
		return &added{pw, v}, err
	})
	if err != nil {
		return Password{}, "", err
	}
	return a.pw, a.value, nil
}
