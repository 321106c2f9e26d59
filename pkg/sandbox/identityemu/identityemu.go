// Package identityemu emulates VMware/Omnissa Identity Services on one tenant host: the OAuth
// token endpoint (/acs/token), the broker admin API (/usergroup/broker/directories,
// sync-client credentials, /federation/broker/identity-providers; snake_case JSON, 409s, 202
// async delete, 444 on a wrong Host) and the SCIM 2.0 server under /usergroup/scim/v2 (built on
// github.com/elimity-com/scim, bearer tokens from generate_credentials, ETags, Okta's and
// Entra's request shapes).
//
// Admin credentials: a real tenant shares its OAuth clients between Access and Identity
// Services. When the sandbox has the access emulator, /acs/token accepts exactly the client
// credentials the access emulator accepts (it asks the access emulator's token endpoint once
// per credential and remembers the answer), so the generated config's access.auth works here
// unchanged. Without an access emulator, this emulator seeds its own admin client and its
// config fragment names it under access.auth.
package identityemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// AdminClientID is the seeded admin client used when the sandbox has no access emulator.
const AdminClientID = "flowsctl-admin"

// Secret file names under DIR/secrets.
const (
	AdminSecretFile      = "identity-admin-secret"
	SCIMTokenFile        = "identity-scim-token"
	OIDCClientSecretFile = "identity-okta-oidc-secret"
)

// Emulator is the "identity" service. Safe for concurrent requests.
type Emulator struct {
	mu          sync.Mutex
	adminSecret string
	key         []byte // signs SCIM JWTs
	url         string
	host        string
	accessURL   string
	verifier    *httpx.Client
	now         func() time.Time

	adminTokens map[string]time.Time
	verified    map[string]bool // sha256(id:secret) -> accepted by the access emulator
	dirs        []*directory
	syncTokens  map[string]syncToken // SCIM bearer token -> directory + expiry
	idps        []*idp

	scim *scimServer
}

type syncToken struct {
	dirID string
	exp   time.Time
}

// Option configures the emulator.
type Option func(*Emulator)

// WithAdminSecret fixes the seeded admin client's secret (tests).
func WithAdminSecret(s string) Option { return func(e *Emulator) { e.adminSecret = s } }

// New returns an emulator with no directories (Identity Services freshly enabled).
func New(opts ...Option) *Emulator {
	e := &Emulator{now: time.Now}
	for _, o := range opts {
		o(e)
	}
	if e.adminSecret == "" {
		e.adminSecret = sandbox.RandHex(24)
	}
	e.key = []byte(sandbox.RandHex(32))
	e.scim = newSCIMServer(e)
	e.resetLocked()
	return e
}

func (e *Emulator) Name() string { return "identity" }

// AdminCredentials are the seeded admin client's id and secret.
func (e *Emulator) AdminCredentials() (id, secret string) { return AdminClientID, e.adminSecret }

// Bind learns the tenant host (for the Host check and links) and the access emulator's URL.
func (e *Emulator) Bind(env *sandbox.Env) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.url = env.URL("identity")
	if u, err := url.Parse(e.url); err == nil {
		e.host = u.Host
	}
	if env.Has != nil && env.Has("access") {
		e.accessURL = env.URL("access")
		e.verifier, _ = httpx.New(httpx.Options{CAPEM: env.CAPEM, UserAgent: "identityemu", MaxRetries: 2,
			BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, Timeout: 10 * time.Second})
	}
	e.scim.setBase(e.url + "/usergroup/scim/v2")
}

// ConfigFragment is the identityServices section (enabled, this host, a directory, the SCIM
// token sink and an Okta OIDC IdP whose client secret is a file) and, when there is no access
// emulator, an access section naming this emulator's admin client.
func (e *Emulator) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	secrets := map[string]string{OIDCClientSecretFile: "okta-oidc-" + sandbox.RandHex(12)}
	sec := map[string]any{
		"identityServices": map[string]any{
			"enabled": true,
			"url":     env.URL("identity"),
			"directory": map[string]any{
				"name":   "Okta Directory",
				"domain": "example.com",
				"source": "OKTA",
			},
			"scimToken": map[string]any{
				"lifespan": "6mo",
				"sink":     "file:" + env.SecretPath(SCIMTokenFile),
			},
			"oidc": map[string]any{
				"issuerUrl":                  "https://example.okta.com",
				"clientId":                   "0oaSandboxOIDC",
				"clientSecret":               "file:" + env.SecretPath(OIDCClientSecretFile),
				"oidcUserIdentifier":         "email",
				"workspaceOneUserIdentifier": "email",
			},
			"services": []string{"access", "uem"},
		},
	}
	if env.Has != nil && env.Has("okta") {
		// flowsctl creates the Okta OIDC app and wires its client id, secret and issuer into the IdP.
		sec["identityServices"].(map[string]any)["oidc"] = map[string]any{
			"oidcUserIdentifier": "email", "workspaceOneUserIdentifier": "email",
		}
		delete(secrets, OIDCClientSecretFile)
	}
	if env.Has == nil || !env.Has("access") {
		sec["access"] = map[string]any{
			"url": env.URL("identity"),
			"auth": map[string]any{
				"clientId":     AdminClientID,
				"clientSecret": "file:" + env.SecretPath(AdminSecretFile),
			},
		}
		secrets[AdminSecretFile] = e.adminSecret
	}
	return sec, secrets
}

// Reset drops every directory, token, IdP, user and group.
func (e *Emulator) Reset() {
	e.mu.Lock()
	e.resetLocked()
	e.mu.Unlock()
	e.scim.reset()
}

func (e *Emulator) resetLocked() {
	e.adminTokens = map[string]time.Time{}
	e.verified = map[string]bool{}
	e.dirs = nil
	e.syncTokens = map[string]syncToken{}
	e.idps = nil
}

// State has the collections under the real API's names: directories, identity_providers
// (snake_case like the broker API), and Users and Groups (SCIM).
func (e *Emulator) State() any {
	e.mu.Lock()
	dirs := make([]map[string]any, 0, len(e.dirs))
	for _, d := range e.dirs {
		dirs = append(dirs, d.wire(e.linkBase(), true))
	}
	idps := make([]map[string]any, 0, len(e.idps))
	for _, p := range e.idps {
		idps = append(idps, p.wire(false))
	}
	var syncs []map[string]any
	for _, d := range e.dirs {
		if d.sync != nil {
			syncs = append(syncs, map[string]any{"directory_id": d.ID, "generate_token": true, "token_ttl": d.sync.ttl,
				"token_expires_at": d.sync.exp.UTC().Format(time.RFC3339)})
		}
	}
	e.mu.Unlock()
	users, groups := e.scim.state()
	if syncs == nil {
		syncs = []map[string]any{}
	}
	return map[string]any{"directories": dirs, "identity_providers": idps, "sync_clients": syncs, "Users": users, "Groups": groups}
}

func (e *Emulator) linkBase() string { return "/usergroup/broker/directories" }

// Handler serves the tenant host.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /acs/token", e.token)
	b := "/usergroup/broker/directories"
	mux.HandleFunc("GET "+b, e.admin(e.listDirs))
	mux.HandleFunc("POST "+b, e.admin(e.createDir))
	mux.HandleFunc("GET "+b+"/{id}", e.admin(e.getDir))
	mux.HandleFunc("PATCH "+b+"/{id}", e.admin(withBody(e, e.patchDir)))
	mux.HandleFunc("DELETE "+b+"/{id}", e.admin(e.deleteDir))
	mux.HandleFunc("POST "+b+"/{id}/sync-client", e.admin(e.syncClientAction))
	mux.HandleFunc("GET "+b+"/{id}/sync-client", e.admin(e.getSyncClient))
	f := "/federation/broker/identity-providers"
	mux.HandleFunc("GET "+f, e.admin(e.listIdPs))
	mux.HandleFunc("POST "+f, e.admin(withBody(e, e.createIdP)))
	mux.HandleFunc("GET "+f+"/{id}", e.admin(e.getIdP))
	mux.HandleFunc("PATCH "+f+"/{id}", e.admin(withBody(e, e.patchIdP)))
	mux.HandleFunc("DELETE "+f+"/{id}", e.admin(e.deleteIdP))
	mux.Handle("/usergroup/scim/", e.scim)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		host := e.host
		e.mu.Unlock()
		if host != "" && !sameHost(r.Host, host) {
			// The tenant's front end drops requests for another FQDN: 444, no body.
			w.WriteHeader(444)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// sameHost accepts the bound host or localhost on the same port.
func sameHost(got, want string) bool {
	if strings.EqualFold(got, want) {
		return true
	}
	_, wp, _ := strings.Cut(want, ":")
	gh, gp, _ := strings.Cut(got, ":")
	return strings.EqualFold(gh, "localhost") && gp == wp
}

// token is POST /acs/token: client_credentials with Basic or form credentials.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not form-urlencoded")
		return
	}
	gt := r.Form.Get("grant_type")
	if gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	if id == "" || secret == "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	valid, unavailable := e.validClient(r, id, secret)
	if unavailable {
		// The tenant's Access could not be asked: the service is unavailable, the
		// credentials are not wrong.
		w.Header().Set("Retry-After", "1")
		oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the client credentials cannot be verified right now")
		return
	}
	if !valid {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	tok := "ey" + sandbox.RandHex(24)
	e.mu.Lock()
	e.adminTokens[tok] = e.now().Add(time.Hour)
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": "admin"})
}

// validClient checks the credentials: its own admin client, else Access's client credentials
// (the verdict is cached). unavailable reports that Access could not give a verdict.
func (e *Emulator) validClient(r *http.Request, id, secret string) (valid, unavailable bool) {
	if id == AdminClientID && hmac.Equal([]byte(secret), []byte(e.adminSecret)) {
		return true, false
	}
	sum := sha256.Sum256([]byte(id + "\x00" + secret))
	k := hex.EncodeToString(sum[:])
	e.mu.Lock()
	v, seen := e.verified[k]
	vc, au := e.verifier, e.accessURL
	e.mu.Unlock()
	if seen {
		return v, false
	}
	if vc == nil {
		return false, false
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, au+"/SAAS/auth/oauthtoken",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return false, false
	}
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := vc.Do(httpx.RetrySafe(req))
	if err != nil {
		return false, true
	}
	httpx.ReadBody(resp)
	ok := resp.StatusCode == http.StatusOK
	if ok || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusBadRequest {
		e.mu.Lock()
		e.verified[k] = ok
		e.mu.Unlock()
		return ok, false
	}
	return false, true
}

// admin wraps broker endpoints: a bearer token from /acs/token is required.
func (e *Emulator) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		e.mu.Lock()
		exp, known := e.adminTokens[tok]
		now := e.now()
		e.mu.Unlock()
		if !ok || !known || now.After(exp) {
			writeErrors(w, http.StatusUnauthorized, "unauthorized", "Invalid or expired access token.", nil)
			return
		}
		h(w, r)
	}
}

func bearer(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:]), true
	}
	return "", false
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// writeErrors writes the broker error body {"errors":[{code,message,parameters}]}.
func writeErrors(w http.ResponseWriter, status int, code, msg string, params map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var p any
	if params != nil {
		p = params
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"code": code, "message": msg, "parameters": p}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	sandbox.WriteJSON(w, status, "application/json", v)
}

// signJWT mints an HS256 JWT (the SCIM secret token); the emulator also looks tokens up, so
// the signature only has to be unguessable.
func (e *Emulator) signJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	p, _ := json.Marshal(claims)
	s := h + "." + enc.EncodeToString(p)
	m := hmac.New(sha256.New, e.key)
	m.Write([]byte(s))
	return s + "." + enc.EncodeToString(m.Sum(nil))
}
