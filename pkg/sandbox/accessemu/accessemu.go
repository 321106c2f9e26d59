// Package accessemu emulates the Workspace ONE Access admin API flowsctl uses: the
// client-credentials token endpoint, OAuth2 clients, OAuth2 app templates and connector
// management directories, with Access's media types, status codes and error bodies.
//
// Quirks kept on purpose (workspace-one-access.md §1–4, §7):
//   - POST /oauth2clients answers 500, not 409, when the client id exists; PUT answers 201.
//   - The token endpoint reads grant_type and credentials from the query or a form body, and
//     the client from Basic auth or client_id/client_secret parameters.
//   - Every API call needs a bearer (or HZN) token of a client with scope admin.
//   - The directory kind is chosen by the Content-Type of the create
//     (…connector.management.directory.other+json) or, with application/json, the body's type.
//
// Media types: by default the emulator behaves like a tenant after the 2025 change and accepts
// both application/json and the vendor types (echoing the requested type). Two switches emulate
// other tenants:
//   - "vendor": a pre-2025 tenant, vendor types only (application/json gets 406/415);
//   - "json":   a strict post-2025 tenant, application/json only (vendor types get 406/415).
//
// Choose with the WithMediaTypes option, the FLOWSCTL_SANDBOX_ACCESS_MEDIATYPES environment
// variable (read at Bind, used when no option was given), or at run time with
// PUT /SAAS/_emulator/mediatypes {"mode":"vendor"} (GET shows the mode). That path is the
// emulator's own, not part of the Access API.
package accessemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Media-type modes.
const (
	ModeAny    = "any"
	ModeVendor = "vendor"
	ModeJSON   = "json"
)

// EnvMediaTypes names the environment variable read at Bind.
const EnvMediaTypes = "FLOWSCTL_SANDBOX_ACCESS_MEDIATYPES"

// Seeded objects.
const (
	AdminClientID = "flowsctl-admin"
	JITDirectory  = "JIT Directory"
	JITDomain     = "jit.example.com"
)

// Option configures the emulator.
type Option func(*Emulator)

// WithMediaTypes selects ModeAny, ModeVendor or ModeJSON.
func WithMediaTypes(mode string) Option {
	return func(e *Emulator) { e.mode, e.modeSet = mode, true }
}

// WithAdminSecret fixes the seeded admin client's secret (tests); otherwise it is random.
func WithAdminSecret(s string) Option { return func(e *Emulator) { e.adminSecret = s } }

// Emulator is the Access emulator ("access" in sandbox.json). Safe for concurrent requests.
type Emulator struct {
	mu          sync.Mutex
	mode        string
	modeSet     bool
	adminSecret string
	url         string
	now         func() time.Time

	clients   map[string]*oauthClient
	templates map[string]*template
	dirs      []*directory
	tokens    map[string]tokenInfo

	// scim is the Access SCIM 1.1 dialect (scim11.go); it keeps its own lock.
	scim scim11
}

type tokenInfo struct {
	clientID string
	scope    string
	exp      time.Time
}

// New returns a seeded emulator.
func New(opts ...Option) *Emulator {
	e := &Emulator{mode: ModeAny, now: time.Now}
	for _, o := range opts {
		o(e)
	}
	if e.adminSecret == "" {
		e.adminSecret = sandbox.RandHex(24)
	}
	e.seed()
	return e
}

func (e *Emulator) Name() string { return "access" }

// Bind learns the emulator's URL and, unless an option chose it, the media-type mode.
func (e *Emulator) Bind(env *sandbox.Env) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if env != nil && env.URL != nil {
		e.url = env.URL("access")
	}
	if !e.modeSet {
		if m := os.Getenv(EnvMediaTypes); validMode(m) {
			e.mode = m
		}
	}
}

func validMode(m string) bool { return m == ModeAny || m == ModeVendor || m == ModeJSON }

// AdminSecret is the seeded admin client's secret (tests).
func (e *Emulator) AdminSecret() string { return e.adminSecret }

// SetMediaTypes switches the media-type mode at run time.
func (e *Emulator) SetMediaTypes(mode string) error {
	if !validMode(mode) {
		return fmt.Errorf("media-type mode %q: use any, vendor or json", mode)
	}
	e.mu.Lock()
	e.mode = mode
	e.mu.Unlock()
	return nil
}

func (e *Emulator) seed() {
	e.clients = map[string]*oauthClient{}
	e.templates = map[string]*template{}
	e.tokens = map[string]tokenInfo{}
	e.clients[AdminClientID] = &oauthClient{
		ClientID: AdminClientID, RememberAs: AdminClientID, Secret: e.adminSecret, Scope: "admin",
		AuthGrantTypes: "client_credentials", TokenType: "Bearer", TokenLength: 32,
		AccessTokenTTL: 180, RefreshTokenTTL: 129600, RefreshTokenIdleTTL: 5760,
	}
	e.dirs = []*directory{{ID: sandbox.NewUUID(), Name: JITDirectory, Type: "JIT_DIRECTORY", UserstoreID: sandbox.NewUUID(), Domains: []string{JITDomain}}}
}

// Reset returns to the seeded state (same admin secret); issued tokens are revoked.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.seed()
	e.mu.Unlock()
	e.scim.reset()
}

// RevokeTokens forgets every issued token, so the next call with one gets 401 (tests).
func (e *Emulator) RevokeTokens() {
	e.mu.Lock()
	e.tokens = map[string]tokenInfo{}
	e.mu.Unlock()
}

// State: one key per collection, objects in Access's field names; secrets are left out.
func (e *Emulator) State() any {
	e.mu.Lock()
	out := map[string]any{}
	var cl []map[string]any
	for _, id := range sortedKeys(e.clients) {
		m := e.clients[id].wire(e.linkBase())
		delete(m, "secret")
		cl = append(cl, m)
	}
	var tl []*template
	for _, id := range sortedKeys(e.templates) {
		tl = append(tl, e.templates[id])
	}
	var dl []map[string]any
	for _, d := range e.dirs {
		m := d.listItem()
		m["domains"] = append([]string{}, d.Domains...)
		dl = append(dl, m)
	}
	e.mu.Unlock()
	out["oauth2clients"] = nonNil(cl)
	out["oauth2apptemplates"] = nonNilT(tl)
	out["directoryconfigs"] = nonNil(dl)
	for k, v := range e.scim.state() {
		out[k] = v
	}
	return out
}

func nonNil(x []map[string]any) []map[string]any {
	if x == nil {
		return []map[string]any{}
	}
	return x
}

func nonNilT(x []*template) []*template {
	if x == nil {
		return []*template{}
	}
	return x
}

// DirectoryForDomain finds the directory owning domain (case-insensitive); for the SCIM dialect.
func (e *Emulator) DirectoryForDomain(domain string) (id, dirType, name string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.dirs {
		for _, x := range d.Domains {
			if strings.EqualFold(x, domain) {
				return d.ID, d.Type, d.Name, true
			}
		}
	}
	return "", "", "", false
}

// Authorize validates the request's bearer (or HZN) token and that it carries scope. It writes
// nothing; RequireAuth writes Access's 401/403 answer.
func (e *Emulator) Authorize(r *http.Request, scope string) (clientID string, ok bool) {
	c, status := e.check(r, scope)
	return c, status == 0
}

// RequireAuth is Authorize that answers 401 (no or bad token) or 403 (scope missing) itself.
func (e *Emulator) RequireAuth(w http.ResponseWriter, r *http.Request, scope string) (clientID string, ok bool) {
	c, status := e.check(r, scope)
	if status != 0 {
		writeErrors(w, status, "forbidden", "User is not authorized to perform the task.")
		return "", false
	}
	return c, true
}

func (e *Emulator) check(r *http.Request, scope string) (string, int) {
	h := r.Header.Get("Authorization")
	var tok string
	for _, p := range []string{"Bearer ", "HZN "} {
		if len(h) > len(p) && strings.EqualFold(h[:len(p)], p) {
			tok = strings.TrimSpace(h[len(p):])
		}
	}
	if tok == "" {
		return "", http.StatusUnauthorized
	}
	e.mu.Lock()
	ti, ok := e.tokens[tok]
	now := e.now()
	e.mu.Unlock()
	if !ok || now.After(ti.exp) {
		return "", http.StatusUnauthorized
	}
	if scope != "" && !hasWord(ti.scope, scope) {
		return ti.clientID, http.StatusForbidden
	}
	return ti.clientID, 0
}

func (e *Emulator) linkBase() string { return "/SAAS/jersey/manager/api" }

// Handler serves the API; /SAAS/t/<tenant>/... is served like /SAAS/... (tenant in path).
func (e *Emulator) Handler() http.Handler {
	mux := e.router().mux
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/SAAS/t/") {
			rest := strings.TrimPrefix(r.URL.Path, "/SAAS/t/")
			if i := strings.IndexByte(rest, '/'); i > 0 {
				r2 := r.Clone(r.Context())
				r2.URL.Path = "/SAAS" + rest[i:]
				r2.URL.RawPath = ""
				r = r2
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// router registers every route of the emulator; each is either in the Access OpenAPI or listed
// with its source in the provenance table of TestEveryRouteHasAProvenance (copied into
// docs/sandbox.md).
func (e *Emulator) router() *router {
	mux := &router{mux: http.NewServeMux()}
	api := "/SAAS/jersey/manager/api"
	mux.handle("/SAAS/auth/oauthtoken", e.token)
	mux.handle("/SAAS/API/1.0/oauth2/token", e.token)
	mux.handle("/SAAS/_emulator/mediatypes", e.mediatypes)

	mux.handle("GET "+api+"/oauth2clients", e.admin(e.listClients))
	mux.handle("POST "+api+"/oauth2clients", e.admin(e.createClient))
	mux.handle("GET "+api+"/oauth2clients/{id}", e.admin(e.getClient))
	mux.handle("PUT "+api+"/oauth2clients/{id}", e.admin(e.putClient))
	mux.handle("DELETE "+api+"/oauth2clients/{id}", e.admin(e.deleteClient))

	mux.handle("GET "+api+"/oauth2apptemplates", e.admin(e.listTemplates))
	mux.handle("POST "+api+"/oauth2apptemplates", e.admin(e.createTemplate))
	mux.handle("GET "+api+"/oauth2apptemplates/{id}", e.admin(e.getTemplate))
	mux.handle("PUT "+api+"/oauth2apptemplates/{id}", e.admin(e.putTemplate))
	mux.handle("DELETE "+api+"/oauth2apptemplates/{id}", e.admin(e.deleteTemplate))

	mux.handle("GET "+api+"/connectormanagement/directoryconfigs", e.admin(e.listDirs))
	mux.handle("POST "+api+"/connectormanagement/directoryconfigs", e.admin(e.createDir))
	mux.handle("GET "+api+"/connectormanagement/directoryconfigs/{id}/domains", e.admin(e.dirDomains))
	mux.handle("DELETE "+api+"/connectormanagement/directoryconfigs/{id}", e.admin(e.deleteDir))

	e.registerSCIM11(mux)
	return mux
}

// router is a ServeMux that remembers the patterns registered on it.
type router struct {
	mux      *http.ServeMux
	patterns []string
}

func (r *router) handle(pattern string, h http.HandlerFunc) {
	r.patterns = append(r.patterns, pattern)
	r.mux.HandleFunc(pattern, h)
}

// admin wraps a handler with the token check (scope admin) every Access API call gets.
func (e *Emulator) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := e.RequireAuth(w, r, "admin"); !ok {
			return
		}
		h(w, r)
	}
}

func (e *Emulator) mediatypes(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut, http.MethodPost:
		var b struct {
			Mode string `json:"mode"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&b); err != nil || e.SetMediaTypes(b.Mode) != nil {
			writeErrors(w, http.StatusBadRequest, "invalid.mode", `send {"mode":"any"|"vendor"|"json"}`)
			return
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	e.mu.Lock()
	m := e.mode
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"mode": m})
}

// writeErrors writes Access's error list body.
func writeErrors(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, "application/json", map[string]any{"errors": []map[string]any{{"code": code, "message": msg, "parameters": nil}}})
}

func writeJSON(w http.ResponseWriter, status int, ctype string, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	w.Write(b)
}

func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func hasWord(list, w string) bool {
	for _, x := range strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ',' }) {
		if x == w {
			return true
		}
	}
	return false
}

// newJWT mints a JWT-shaped opaque token (random signature; the emulator looks tokens up).
func newJWT(clientID, scope string, iat, exp time.Time) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256"}`))
	p, _ := json.Marshal(map[string]any{"jti": sandbox.NewUUID(), "prn": clientID + "@sandbox", "domain": "System Domain",
		"scp": scope, "iat": iat.Unix(), "exp": exp.Unix(), "iss": "https://sandbox/SAAS/auth", "cid": clientID})
	sig := make([]byte, 64)
	rand.Read(sig)
	return h + "." + enc.EncodeToString(p) + "." + enc.EncodeToString(sig)
}
