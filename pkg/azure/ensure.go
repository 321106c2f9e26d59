package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Result is what Ensure (or RotateSecret) did. It never holds the secret value except in
// Secret, which is excluded from every encoding.
type Result struct {
	AppID              string        `json:"clientId"`
	ObjectID           string        `json:"objectId"`
	ServicePrincipalID string        `json:"servicePrincipalId"`
	GrantID            string        `json:"consentGrantId,omitempty"`
	SecretKeyID        string        `json:"secretKeyId,omitempty"`
	SecretHint         string        `json:"secretHint,omitempty"`
	SecretExpires      time.Time     `json:"secretExpires,omitzero"`
	SecretCreated      bool          `json:"secretCreated"`
	SecretSink         string        `json:"secretSink,omitempty"`
	RemovedSecrets     []string      `json:"removedSecretKeyIds,omitempty"`
	Changes            []plan.Change `json:"changes"`
	Requests           int           `json:"graphRequests"`
	// Secret is the value of a secret created by this run ("" otherwise). Print it only on request.
	Secret string `json:"-" yaml:"-"`
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
func (c *Client) read(ctx context.Context, spec Spec) (*observed, error) {
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
		return nil, firstAuth(err, appErr, gspErr)
	}
	if o.graphSP == nil {
		return nil, errors.New("the Microsoft Graph service principal (appId " + GraphAppID + ") is not in this tenant: check azure.tenantId and azure.graphUrl")
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
func firstAuth(joined error, errs ...error) error {
	for _, e := range errs {
		if e != nil && IsAuth(e) {
			return e
		}
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return joined
}

// resolveScopes maps scope names to the Graph SP's ids; unknown names fail with the closest matches.
func resolveScopes(names []string, gsp *ServicePrincipal) ([]Access, error) {
	byName := map[string]Scope{}
	for _, s := range gsp.Scopes {
		byName[s.Value] = s
	}
	var out []Access
	var problems []string
	for _, n := range names {
		s, ok := byName[n]
		if !ok {
			problems = append(problems, fmt.Sprintf("%q (did you mean %s?)", n, strings.Join(closest(n, gsp.Scopes, 3), ", ")))
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

// closest returns up to n scope names nearest to want (case-insensitive edit distance).
func closest(want string, scopes []Scope, n int) []string {
	type cand struct {
		v string
		d int
	}
	var cs []cand
	lw := strings.ToLower(want)
	for _, s := range scopes {
		cs = append(cs, cand{s.Value, editDistance(lw, strings.ToLower(s.Value))})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].v < cs[j].v
	})
	var out []string
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.v)
	}
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// desired is the computed target state.
type desired struct {
	scopes    []Access         // Graph delegated scopes, resolved
	resources []ResourceAccess // the whole requiredResourceAccess to write
	grant     string           // the consent grant's scope string
}

func (c *Client) desiredFor(spec Spec, o *observed) (*desired, error) {
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

func (c *Client) planSecret(spec Spec, app *App) secretPlan {
	if app == nil {
		return secretPlan{need: true, why: "new application"}
	}
	value, sinkErr := spec.Sink.Resolve()
	now := c.now()
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

// Plan reports what Ensure would change. It only reads.
func (c *Client) Plan(ctx context.Context, spec Spec) ([]plan.Change, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	o, err := c.read(ctx, spec)
	if err != nil {
		return nil, err
	}
	d, err := c.desiredFor(spec, o)
	if err != nil {
		return nil, err
	}
	return c.changes(spec, o, d), nil
}

func (c *Client) changes(spec Spec, o *observed, d *desired) []plan.Change {
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
	for _, p := range orphans(spec, o.app, readPending(spec)) {
		out = append(out, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.Delete,
			Note: p.DisplayName + ": added by an interrupted run whose answer was lost; nobody holds its value"})
	}
	sObj := `client secret of "` + spec.UniqueName + `"`
	sp := c.planSecret(spec, o.app)
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
	return &AuthError{Err: fmt.Errorf("the Entra sign-in (azure.signIn.method=%s) lacks %s, so flowsctl made no change", c.method, strings.Join(missing, " and ")),
		Fix: roleFix}
}

// Ensure converges the application, its service principal, admin consent and a client secret.
// A second run with the same spec makes no write.
func (c *Client) Ensure(ctx context.Context, spec Spec) (Result, error) {
	start := c.Requests()
	res, err := c.ensure(ctx, spec)
	res.Requests = c.Requests() - start
	return res, err
}

func (c *Client) ensure(ctx context.Context, spec Spec) (Result, error) {
	var res Result
	if err := spec.Validate(); err != nil {
		return res, err
	}
	o, err := c.read(ctx, spec)
	if err != nil {
		return res, err
	}
	d, err := c.desiredFor(spec, o)
	if err != nil {
		return res, err
	}
	res.Changes = c.changes(spec, o, d)
	sp := c.planSecret(spec, o.app)
	if sp.reuse != nil {
		res.SecretKeyID, res.SecretHint, res.SecretExpires = sp.reuse.KeyID, sp.reuse.Hint, sp.reuse.End
	}
	if !plan.Pending(res.Changes) {
		fillResult(&res, spec, o)
		if o.app != nil {
			_ = clearPending(spec) // a note whose add never reached Entra
		}
		return res, nil
	}
	if sp.need && spec.Sink.Kind() != "file" && !spec.AllowNoSink {
		return res, fmt.Errorf("a new client secret is needed (%s) but azure.app.secret.sink %q cannot be written: set it to file:PATH, or pass --show-secret to print the value once", sp.why, spec.Sink)
	}
	if err := c.checkPermissions(ctx, spec.AdminConsent); err != nil {
		return res, err
	}
	budget := spec.ReplicationBudget
	if err := c.removeOrphans(ctx, spec, o.app, &res); err != nil {
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
			secErr = c.newSecret(ctx, spec, o.app, appFresh, &res)
		}()
	}
	wg.Wait()
	fillResult(&res, spec, o)
	return res, errors.Join(spErr, secErr)
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
func (c *Client) newSecret(ctx context.Context, spec Spec, app *App, fresh bool, res *Result) error {
	now := c.now()
	name := secretDisplayName(spec, now)
	if err := writePending(spec, app, name); err != nil {
		return fmt.Errorf("client secret of %q: cannot write the note %s before adding it: %v (check that the sink's directory is writable)", spec.UniqueName, pendingPath(spec.Sink), err)
	}
	pw, value, err := c.addPasswordChecked(ctx, spec.ReplicationBudget, app, spec.UniqueName, name, now.Add(spec.SecretLifetime), fresh)
	if err != nil {
		return err
	}
	addSecret(c.hc, value)
	res.Secret, res.SecretCreated = value, true
	res.SecretKeyID, res.SecretHint, res.SecretExpires = pw.KeyID, pw.Hint, pw.End
	app.Passwords = append(app.Passwords, pw)
	if spec.Sink.Kind() == "file" {
		if err := spec.Sink.Write(value); err != nil {
			return fmt.Errorf("client secret %s was created but writing it to %s failed: %v (fix the path, then run: flowsctl azure secret rotate --remove-old)", pw.KeyID, spec.Sink, err)
		}
		res.SecretSink = string(spec.Sink)
		_ = clearPending(spec) // a note left behind only names this secret, whose hint the sink now matches
	}
	return nil
}

// removeOrphans deletes the secrets an interrupted add left behind (see pending.go), then
// drops the note.
func (c *Client) removeOrphans(ctx context.Context, spec Spec, app *App, res *Result) error {
	n := readPending(spec)
	if n == nil {
		return nil
	}
	for _, p := range orphans(spec, app, n) {
		if err := c.removePassword(ctx, spec.ReplicationBudget, app.ID, spec.UniqueName, p.KeyID); err != nil {
			return err
		}
		res.RemovedSecrets = append(res.RemovedSecrets, p.KeyID)
		if app != nil {
			app.Passwords = slices.DeleteFunc(app.Passwords, func(q Password) bool { return q.KeyID == p.KeyID })
		}
	}
	return clearPending(spec)
}

func fillResult(res *Result, spec Spec, o *observed) {
	if o.app != nil {
		res.AppID, res.ObjectID = o.app.AppID, o.app.ID
	}
	if o.sp != nil {
		res.ServicePrincipalID = o.sp.ID
	}
	if o.grant != nil {
		res.GrantID = o.grant.ID
	}
	if res.SecretSink == "" && spec.Sink.Kind() != "" {
		res.SecretSink = string(spec.Sink)
	}
}

// RotateSecret adds a new flowsctl secret, writes it to the sink, then (with removeOld) removes
// every older flowsctl-created secret. Secrets added outside flowsctl are left alone.
func (c *Client) RotateSecret(ctx context.Context, spec Spec, removeOld bool) (Result, error) {
	start := c.Requests()
	res, err := c.rotate(ctx, spec, removeOld)
	res.Requests = c.Requests() - start
	return res, err
}

func (c *Client) rotate(ctx context.Context, spec Spec, removeOld bool) (Result, error) {
	var res Result
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
	if err := c.checkPermissions(ctx, false); err != nil {
		return res, err
	}
	if err := c.removeOrphans(ctx, spec, app, &res); err != nil {
		return res, err
	}
	old := slices.Clone(app.Passwords)
	if err := c.newSecret(ctx, spec, app, false, &res); err != nil {
		return res, err
	}
	res.AppID, res.ObjectID = app.AppID, app.ID
	res.Changes = append(res.Changes, plan.Change{Object: `client secret of "` + spec.UniqueName + `"`, Action: plan.Create,
		Note: "keyId " + res.SecretKeyID + ", value written to " + string(spec.Sink)})
	if !removeOld {
		return res, nil
	}
	for _, p := range old {
		if !managedSecret(p, spec) {
			continue
		}
		if err := c.removePassword(ctx, spec.ReplicationBudget, app.ID, spec.UniqueName, p.KeyID); err != nil {
			return res, err
		}
		res.RemovedSecrets = append(res.RemovedSecrets, p.KeyID)
		res.Changes = append(res.Changes, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.Delete,
			Note: p.DisplayName})
	}
	return res, nil
}

// addSecret masks a value in the --debug trace when the HTTP stack supports it.
func addSecret(hc *httpx.Client, v string) {
	if m, ok := any(hc).(interface{ AddSecret(string) }); ok && v != "" {
		m.AddSecret(v)
	}
}

// createGrantChecked posts the consent grant. When the answer was lost (5xx, broken connection)
// or Graph says the grant exists, it looks the grant up before trying again: never a duplicate.
func (c *Client) createGrantChecked(ctx context.Context, budget time.Duration, clientSPID, resourceSPID, scope string) (*Grant, error) {
	for attempt := 1; ; attempt++ {
		g, err := c.createGrant(ctx, budget, clientSPID, resourceSPID, scope)
		if err == nil {
			return g, nil
		}
		var ge *GraphError
		conflict := errors.As(err, &ge) && ge.Status == http.StatusConflict
		if !conflict && (!transient(err) || attempt >= maxTransient) {
			return nil, err
		}
		gs, lerr := c.listGrants(ctx, budget, clientSPID)
		if lerr != nil {
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
		if conflict {
			return nil, err
		}
		if err := c.sleep(ctx, replicationBackoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// addPasswordChecked adds a client secret. When the answer was lost, the secret may exist with
// its value gone: such an orphan (same displayName, not there before) is removed before another
// is added, so the app ends with exactly one new secret, the one whose value flowsctl holds.
func (c *Client) addPasswordChecked(ctx context.Context, budget time.Duration, app *App, uniqueName, name string, end time.Time, fresh bool) (Password, string, error) {
	known := map[string]bool{}
	for _, p := range app.Passwords {
		known[p.KeyID] = true
	}
	for attempt := 1; ; attempt++ {
		pw, v, err := c.addPassword(ctx, budget, app.ID, uniqueName, name, end, fresh)
		if err == nil || !transient(err) || attempt >= maxTransient {
			return pw, v, err
		}
		cur, rerr := c.getApp(ctx, budget, uniqueName, retryRead)
		if rerr != nil || cur == nil {
			return pw, v, err
		}
		for _, p := range cur.Passwords {
			if !known[p.KeyID] && p.DisplayName == name {
				if rerr := c.removePassword(ctx, budget, app.ID, uniqueName, p.KeyID); rerr != nil {
					return pw, v, err
				}
			}
		}
		if err := c.sleep(ctx, replicationBackoff(attempt)); err != nil {
			return pw, v, err
		}
	}
}
