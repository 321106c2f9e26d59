package entraemu

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Graph is the emulated Microsoft Graph v1.0 for the directory objects of an app registration.
type Graph struct{ t *tenant }

func (g *Graph) Name() string          { return "graph" }
func (g *Graph) Handler() http.Handler { return http.HandlerFunc(g.serve) }
func (g *Graph) Bind(env *sandbox.Env) { g.t.bind(env) }

// Reset returns the directory to its seed (only the Microsoft Graph service principal).
func (g *Graph) Reset() {
	g.t.mu.Lock()
	g.t.resetObjects()
	g.t.mu.Unlock()
}

// State is every application, service principal and delegated permission grant, including
// objects that are not yet visible through the API (replication pending). Secret values are
// never kept, so they never appear here.
func (g *Graph) State() any {
	g.t.mu.Lock()
	defer g.t.mu.Unlock()
	return map[string]any{
		"applications":           g.t.apps.snapshot(),
		"servicePrincipals":      g.t.sps.snapshot(),
		"oauth2PermissionGrants": g.t.grants.snapshot(),
	}
}

// ConfigFragment points the azure section at the emulators, signing in with a client secret
// written to DIR/secrets.
func (g *Graph) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	g.t.mu.Lock()
	secret := g.t.signInKey
	g.t.mu.Unlock()
	azure := map[string]any{
		"tenantId":          TenantID,
		"authority":         env.URL("sts"),
		"graphUrl":          env.URL("graph"),
		"replicationBudget": "3m",
		"signIn": map[string]any{
			"method":       "clientsecret",
			"clientId":     SignInClientID,
			"clientSecret": "file:" + env.SecretPath("azure-signin-secret"),
		},
		"app": map[string]any{
			"displayName":          "Workspace ONE mobile flows - Microsoft Teams",
			"uniqueName":           "ws1-mobile-flows-teams",
			"signInAudience":       "AzureADMultipleOrgs",
			"redirectUris":         []any{"https://prod.hero.vmwservices.com/token-exchange/oauth2/callback"},
			"logoutUrl":            "",
			"delegatedPermissions": []any{"offline_access", "User.Read", "User.Read.All", "MailboxSettings.Read", "Group.ReadWrite.All"},
			"adminConsent":         true,
			"secret": map[string]any{
				"displayName": "flowsctl",
				"lifetime":    "12mo",
				"warnBefore":  "30d",
				"sink":        "file:" + env.SecretPath("teams-client-secret"),
			},
		},
	}
	return map[string]any{"azure": azure}, map[string]string{"azure-signin-secret": secret}
}

// collection keeps objects in creation order with the time each becomes visible.
type collection struct {
	order []string
	items map[string]*entry
}

type entry struct {
	obj       map[string]any
	visibleAt time.Time
}

func newCollection() *collection { return &collection{items: map[string]*entry{}} }

func (c *collection) put(id string, obj map[string]any, visibleAt time.Time) {
	if _, ok := c.items[id]; !ok {
		c.order = append(c.order, id)
	}
	c.items[id] = &entry{obj: obj, visibleAt: visibleAt}
}

func (c *collection) remove(id string) {
	delete(c.items, id)
	c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
}

func (c *collection) snapshot() []any {
	out := []any{}
	for _, id := range c.order {
		out = append(out, deepCopy(c.items[id].obj))
	}
	return out
}

// find returns the first entry whose prop equals v.
func (c *collection) find(prop, v string) *entry {
	for _, id := range c.order {
		e := c.items[id]
		if s, _ := e.obj[prop].(string); s == v {
			return e
		}
	}
	return nil
}

func (e *entry) visible(now time.Time) bool { return !now.Before(e.visibleAt) }

// request is one parsed Graph call.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	reqID   string
	perms   []string
	set     string // applications | servicePrincipals | oauth2PermissionGrants
	keyName string // id | uniqueName | appId ("" for the collection)
	keyVal  string
	action  string // addPassword | removePassword
}

var segRE = regexp.MustCompile(`^([A-Za-z0-9]+)(?:\(([A-Za-z]+)='((?:[^']|'')*)'\))?$`)

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, reqID: newGUID()}
	w.Header().Set("request-id", q.reqID)
	if c := r.Header.Get("client-request-id"); c != "" {
		w.Header().Set("client-request-id", c)
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1.0/")
	if !ok {
		q.fail(http.StatusNotFound, "BadRequest", "Invalid version: the sandbox serves Graph v1.0 only, under /v1.0.")
		return
	}
	if !g.authorize(q) {
		return
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	m := segRE.FindStringSubmatch(segs[0])
	if m == nil {
		q.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", segs[0]))
		return
	}
	q.set = canonicalSet(m[1])
	if m[2] != "" {
		q.keyName, q.keyVal = m[2], strings.ReplaceAll(m[3], "''", "'")
	}
	i := 1
	if q.keyName == "" && len(segs) > 1 && segs[1] != "$count" {
		q.keyName, q.keyVal = "id", segs[1]
		i = 2
	}
	if len(segs) > i {
		q.action = segs[i]
		i++
	}
	if len(segs) > i {
		q.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", segs[i]))
		return
	}
	set, ok := objectSets[q.set]
	if !ok {
		q.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", q.set))
		return
	}
	if !q.needFor(set.read, set.write) {
		return
	}
	g.t.mu.Lock()
	defer g.t.mu.Unlock()
	if q.keyName == "" && q.action == "$count" {
		g.count(q)
		return
	}
	set.serve(g, q, g.t.now())
}

// authorize checks the bearer token: signed by the sandbox STS, unexpired, for Graph, for this tenant.
func (g *Graph) authorize(q *request) bool {
	h := q.r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		q.fail(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	claims, err := g.t.verify(strings.TrimSpace(tok))
	if err != nil {
		q.fail(http.StatusUnauthorized, "InvalidAuthenticationToken", err.Error())
		return false
	}
	aud, _ := claims["aud"].(string)
	g.t.mu.Lock()
	graphURL := g.t.graphURL
	g.t.mu.Unlock()
	switch strings.TrimSuffix(aud, "/") {
	case "https://graph.microsoft.com", GraphAppID, graphURL:
	default:
		q.fail(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return false
	}
	if tid, _ := claims["tid"].(string); tid != TenantID {
		q.fail(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid tenant.")
		return false
	}
	if scp, ok := claims["scp"].(string); ok {
		q.perms = strings.Fields(scp)
	}
	if roles, ok := claims["roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				q.perms = append(q.perms, s)
			}
		}
	}
	return true
}

var (
	permReadApps    = []string{"Application.Read.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permWriteApps   = []string{"Application.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permReadGrants  = []string{"Directory.Read.All", "DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
	permWriteGrants = []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
)

// need answers 403 unless the token holds one of perms.
func (q *request) need(perms []string) bool {
	for _, p := range q.perms {
		if slices.Contains(perms, p) {
			return true
		}
	}
	q.fail(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return false
}

func (q *request) fail(status int, code, msg string) {
	now := time.Now().UTC().Format("2006-01-02T15:04:05")
	writeJSON(q.w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{"date": now, "request-id": q.reqID, "client-request-id": q.r.Header.Get("client-request-id")},
	}})
}

// collection serves a request on a whole collection c: GET lists it (with the OData query
// options of odata.go), POST hands create a body checked against typeName. Caller holds t.mu.
func (g *Graph) collection(q *request, c *collection, typeName string, create func(body map[string]any)) {
	switch q.r.Method {
	case http.MethodGet:
		g.list(q, c)
	case http.MethodPost:
		if body, ok := q.typedBody(typeName); ok {
			create(body)
		}
	default:
		q.notAllowed(" for the collection")
	}
}

// patchTarget resolves the entry e a PATCH names: create when there is none and the request
// upserts by altKey (Prefer: create-if-missing); false has been answered 404. Entra's alternate
// keys are strongly consistent for upsert; lookups by object id are not until the object replicated.
func (q *request) patchTarget(e *entry, now time.Time, altKey string) (create, ok bool) {
	if e != nil && q.keyName == "id" && !e.visible(now) {
		notFound(q, q.keyVal)
		return false, false
	}
	if e == nil {
		if q.keyName != altKey || !prefers(q.r, "create-if-missing") {
			notFound(q, q.keyVal)
			return false, false
		}
		return true, true
	}
	return false, true
}

// entity serves a request on one entry e of set: GET answers it once replicated, PATCH hands
// patch a body checked against typeName (true: merge the body and answer 204), DELETE hands del
// the replicated entry and answers 204. Caller holds t.mu.
func (g *Graph) entity(q *request, e *entry, now time.Time, set, typeName string, patch func(body map[string]any) bool, del func(e *entry)) {
	switch q.r.Method {
	case http.MethodGet:
		if q.found(e, now) {
			g.respond(q, http.StatusOK, set, e.obj)
		}
	case http.MethodPatch:
		if body, ok := q.typedBody(typeName); ok && patch(body) {
			merge(e.obj, body)
			q.w.WriteHeader(http.StatusNoContent)
		}
	case http.MethodDelete:
		if q.found(e, now) {
			del(e)
			q.w.WriteHeader(http.StatusNoContent)
		}
	default:
		q.notAllowed("")
	}
}

// needFor checks the permissions a GET (read) or any other method (write) needs.
func (q *request) needFor(read, write []string) bool {
	if q.r.Method != http.MethodGet {
		return q.need(write)
	}
	return q.need(read)
}

// notAllowed is the 405 for the request's method; where says what it is not allowed for
// ("" or " for the collection").
func (q *request) notAllowed(where string) {
	q.fail(http.StatusMethodNotAllowed, "Request_BadRequest", "The HTTP method '"+q.r.Method+"' is not allowed"+where+".")
}

// typedBody reads the JSON body and checks it against the typeName resource; false has been answered.
func (q *request) typedBody(typeName string) (map[string]any, bool) {
	body, ok := q.body()
	return body, ok && q.checkBody(typeName, body)
}

// found reports whether e exists and has replicated by now; false has been answered 404.
func (q *request) found(e *entry, now time.Time) bool {
	if e == nil || !e.visible(now) {
		notFound(q, q.keyVal)
		return false
	}
	return true
}

func notFound(q *request, id string) {
	q.fail(http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

// body reads a JSON object body, gunzipping it when the client compressed it.
func (q *request) body() (map[string]any, bool) {
	var rd io.Reader = io.LimitReader(q.r.Body, 4<<20)
	if strings.EqualFold(q.r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			q.fail(http.StatusBadRequest, "BadRequest", "The request body is not valid gzip.")
			return nil, false
		}
		defer zr.Close()
		rd = zr
	}
	var m map[string]any
	if err := json.NewDecoder(rd).Decode(&m); err != nil || m == nil {
		q.fail(http.StatusBadRequest, "BadRequest", "Empty Payload. JSON content expected.")
		return nil, false
	}
	return m, true
}

func (q *request) checkBody(typeName string, m map[string]any) bool {
	if err := validate(typeName, m); err != nil {
		q.fail(http.StatusBadRequest, "Request_BadRequest", err.Error())
		return false
	}
	for k := range m {
		if readOnly[typeName][k] {
			q.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Property '%s' is read-only and cannot be set.", k))
			return false
		}
	}
	return true
}

// respond writes one entity or a collection, applying $select.
func (g *Graph) respond(q *request, status int, entitySet string, v any) {
	sel := selectList(q.r)
	ctx := "https://graph.microsoft.com/v1.0/$metadata#" + entitySet
	switch x := v.(type) {
	case map[string]any:
		out := project(x, sel)
		out["@odata.context"] = ctx + "/$entity"
		writeJSON(q.w, status, out)
	}
}

// respondList writes a page of a collection with $select applied and the extra annotations
// (@odata.count, @odata.nextLink).
func (g *Graph) respondList(q *request, page []map[string]any, extra map[string]any) {
	sel := selectList(q.r)
	vals := make([]any, 0, len(page))
	for _, o := range page {
		vals = append(vals, project(o, sel))
	}
	out := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + q.set, "value": vals}
	for k, v := range extra {
		out[k] = v
	}
	writeJSON(q.w, http.StatusOK, out)
}

func selectList(r *http.Request) []string {
	s := r.URL.Query().Get("$select")
	if s == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func project(o map[string]any, sel []string) map[string]any {
	c := deepCopy(o).(map[string]any)
	if len(sel) == 0 {
		return c
	}
	out := map[string]any{}
	for _, f := range sel {
		if v, ok := c[f]; ok {
			out[f] = v
		}
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// merge applies PATCH semantics: complex values merge, everything else (collections too) is replaced.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if strings.HasPrefix(k, "@") {
			continue
		}
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = deepCopy(v)
	}
}

func nowString(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// AgeSecrets moves every password credential d into the past, as if that much time went by (tests).
func (g *Graph) AgeSecrets(d time.Duration) {
	g.t.mu.Lock()
	defer g.t.mu.Unlock()
	for _, id := range g.t.apps.order {
		pcs, _ := g.t.apps.items[id].obj["passwordCredentials"].([]any)
		for _, pc := range pcs {
			m, _ := pc.(map[string]any)
			for _, k := range []string{"startDateTime", "endDateTime"} {
				if s, ok := m[k].(string); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						m[k] = t.Add(-d).UTC().Format(time.RFC3339Nano)
					}
				}
			}
		}
	}
}

// AdminToken is a Graph token of the sandbox admin with every directory right, for tests that
// change the directory the way an admin would in the portal.
func (g *Graph) AdminToken() string {
	g.t.mu.Lock()
	aud := g.t.graphURL
	g.t.mu.Unlock()
	return g.t.accessToken(aud, PublicClientID, nil,
		[]string{"Directory.AccessAsUser.All", "Directory.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"}, adminOID, time.Hour)
}
