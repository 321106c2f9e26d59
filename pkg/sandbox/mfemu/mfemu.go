// Package mfemu emulates the mobile flows ("hero") service for the sandbox: the modeled admin
// API of docs/mobile-flows-admin-api.md (connectors keyed by name, tenant status), the
// /security/public-key endpoint connectors use to check the mobile flows JWT, and a sample
// self-hosted connector whose discovery document follows connector-discovery-schema.json.
package mfemu

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

const (
	adminBase = "/connector-management/v1"
	// SamplePath is the sample connector's discovery path.
	SamplePath = "/sample-connector/"
	// SampleName is the sample connector's name in the generated config.
	SampleName = "Sample Approvals"
	heroHost   = "https://prod.hero.vmwservices.com"
)

// Emulator is the `mobileflows` service.
type Emulator struct {
	mu         sync.Mutex
	connectors map[string]*stored // lower-case name ->
	tenant     tenant
	seq        int

	keyOnce sync.Once
	keyPEM  []byte

	accessURL string
	url       string
}

type stored struct {
	c      connector
	secret string
	// users is how many users hold a connector token (signed in under Account in the portal).
	users int
}

type tenant struct {
	Registered   bool   `json:"registered"`
	AccessURL    string `json:"accessUrl,omitempty"`
	RegisteredAt string `json:"registeredAt,omitempty"`
	// HubNotifications is the Hub Services switch "mobile flows notifications" (modeled).
	HubNotifications bool `json:"hubNotifications"`
}

type auth struct {
	Type                    string            `json:"type"`
	ClientID                string            `json:"clientId,omitempty"`
	ClientSecret            string            `json:"clientSecret,omitempty"`
	ClientSecretSet         bool              `json:"clientSecretSet,omitempty"`
	ClientSecretFingerprint string            `json:"clientSecretFingerprint,omitempty"`
	AuthorizeURL            string            `json:"authorizeUrl,omitempty"`
	TokenURL                string            `json:"tokenUrl,omitempty"`
	Scopes                  []string          `json:"scopes,omitempty"`
	TokenServerHints        map[string]string `json:"tokenServerHints,omitempty"`
	TokenURIBodyParameters  map[string]string `json:"tokenUriBodyParameters,omitempty"`
}

type connector struct {
	ID             string   `json:"id,omitempty"`
	Name           string   `json:"name"`
	CatalogID      string   `json:"catalogId,omitempty"`
	DiscoveryURL   string   `json:"discoveryUrl,omitempty"`
	BaseURL        string   `json:"baseUrl,omitempty"`
	Active         bool     `json:"active"`
	Categories     []string `json:"categories"`
	Authentication auth     `json:"authentication"`
	Notification   struct {
		Method string `json:"method"`
	} `json:"notification"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
	// AuthorizedUsers (read-only) counts the users who hold a token of this connector: they
	// signed in to it once under Account in the Access user portal.
	AuthorizedUsers int `json:"authorizedUsers"`
}

// New returns an emulator with no connectors and a registered tenant.
func New() *Emulator {
	e := &Emulator{}
	e.Reset()
	return e
}

func (e *Emulator) Name() string { return "mobileflows" }

// Reset drops every connector; the tenant stays registered.
func (e *Emulator) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.connectors = map[string]*stored{}
	e.tenant = tenant{Registered: true, AccessURL: e.accessURL, RegisteredAt: "2024-06-01T09:00:00Z", HubNotifications: true}
	e.seq = 0
}

// Bind learns the sandbox URLs (the Access URL the tenant is registered with).
func (e *Emulator) Bind(env *sandbox.Env) {
	e.url = env.URL("mobileflows")
	if env.Has != nil && env.Has("access") {
		e.accessURL = env.URL("access")
	}
	e.Reset()
}

// ConfigFragment adds uem.mobileFlows: api mode at this emulator, the Teams OOTB connector and
// the sample self-hosted connector.
func (e *Emulator) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	u := env.URL("mobileflows")
	return map[string]any{"uem": map[string]any{"mobileFlows": map[string]any{
		"host":     heroHost,
		"mode":     "api",
		"adminUrl": u,
		"connectors": []any{
			map[string]any{"catalog": "teams", "name": "Microsoft Teams"},
			map[string]any{"name": SampleName, "discoveryUrl": u + SamplePath, "authentication": "workspace_one",
				"notification": "poll", "categories": []any{"Approvals"}},
		},
	}}}, nil
}

// route is one pattern the emulator serves. Each has a provenance (a public contract, the
// mobile flows reference, or the modeled admin API of docs/mobile-flows-admin-api.md) in
// TestEveryRouteHasAProvenance, and docs/sandbox.md names them.
type route struct {
	pattern string
	handle  http.HandlerFunc
}

func (e *Emulator) routes() []route {
	return []route{
		{"GET " + adminBase + "/connectors", e.admin(e.list)},
		{"GET " + adminBase + "/connectors/{name}", e.admin(e.get)},
		{"PUT " + adminBase + "/connectors/{name}", e.admin(e.put)},
		{"DELETE " + adminBase + "/connectors/{name}", e.admin(e.del)},
		{"GET " + adminBase + "/tenant", e.admin(e.getTenant)},
		{"GET /security/public-key", e.publicKey},
		{"GET " + SamplePath + "{$}", e.discovery},
		{"POST " + SamplePath + "cards/requests", e.cards},
		{"POST " + SamplePath + "actions/refresh", e.refresh},
		{"GET " + SamplePath + "test-auth", e.testAuth},
		{"GET " + SamplePath + "images/connector.png", e.image},
		// Not a service route: what the emulator answers for anything else.
		{"/", func(w http.ResponseWriter, r *http.Request) {
			apiErr(w, http.StatusNotFound, "not_found", "no resource at "+r.Method+" "+r.URL.Path)
		}},
	}
}

// Handler serves the admin API, the public key and the sample connector.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range e.routes() {
		mux.HandleFunc(rt.pattern, rt.handle)
	}
	return mux
}

func apiErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	sandbox.WriteJSON(w, status, "application/json", v)
}

// admin requires the UEM admin credentials (any Bearer or Basic; the sandbox does not check
// them against the uem emulator).
func (e *Emulator) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		if !(strings.HasPrefix(a, "Bearer ") && len(a) > 10) && !(strings.HasPrefix(a, "Basic ") && len(a) > 10) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mobile flows admin"`)
			apiErr(w, http.StatusUnauthorized, "unauthorized", "the admin API needs the UEM admin credentials (Authorization: Bearer or Basic)")
			return
		}
		h(w, r)
	}
}

func (e *Emulator) view(s *stored) connector {
	c := s.c
	c.Authentication.ClientSecret = ""
	c.Authentication.ClientSecretSet = s.secret != ""
	c.Authentication.ClientSecretFingerprint = ""
	c.AuthorizedUsers = s.users
	if s.secret != "" {
		sum := sha256.Sum256([]byte(s.secret))
		c.Authentication.ClientSecretFingerprint = hex.EncodeToString(sum[:])[:16]
	}
	if c.Categories == nil {
		c.Categories = []string{}
	}
	return c
}

func (e *Emulator) sorted() []connector {
	var out []connector
	for _, s := range e.connectors {
		out = append(out, e.view(s))
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	if out == nil {
		out = []connector{}
	}
	return out
}

func (e *Emulator) list(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"connectors": e.sorted()})
}

func (e *Emulator) get(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.connectors[strings.ToLower(name)]
	if !ok {
		apiErr(w, http.StatusNotFound, "connector.not_found", fmt.Sprintf("no connector named %q", name))
		return
	}
	writeJSON(w, http.StatusOK, e.view(s))
}

var authTypes = map[string]bool{"oauth2_authorization_code": true, "oauth2_password": true, "oauth2_client_credentials": true,
	"service_account": true, "basic": true, "workspace_one": true}

func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// put creates (201) or replaces (200) the connector named in the path. An omitted clientSecret
// keeps the stored one. Unknown fields are rejected.
func (e *Emulator) put(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		apiErr(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
		return
	}
	var body bytes.Buffer
	body.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20))
	dec := json.NewDecoder(bytes.NewReader(body.Bytes()))
	dec.DisallowUnknownFields()
	var c connector
	if err := dec.Decode(&c); err != nil {
		apiErr(w, http.StatusBadRequest, "invalid_body", err.Error())
		return
	}
	problems := []string{}
	if c.Name != name {
		problems = append(problems, fmt.Sprintf("name %q differs from the path's %q", c.Name, name))
	}
	if (c.CatalogID == "") == (c.DiscoveryURL == "") {
		problems = append(problems, "set exactly one of catalogId and discoveryUrl")
	}
	if c.DiscoveryURL != "" && !httpsURL(c.DiscoveryURL) {
		problems = append(problems, "discoveryUrl must be an absolute https URL")
	}
	if c.BaseURL != "" && !httpsURL(c.BaseURL) {
		problems = append(problems, "baseUrl must be an absolute https URL")
	}
	if !authTypes[c.Authentication.Type] {
		problems = append(problems, fmt.Sprintf("authentication.type %q is not one of oauth2_authorization_code, oauth2_password, oauth2_client_credentials, service_account, basic, workspace_one", c.Authentication.Type))
	}
	switch c.Notification.Method {
	case "poll":
	case "push":
		if c.CatalogID != "" {
			problems = append(problems, "VMware-hosted catalog connectors support poll only")
		}
	default:
		problems = append(problems, fmt.Sprintf("notification.method %q must be poll or push", c.Notification.Method))
	}
	if c.Authentication.ClientSecretSet || c.Authentication.ClientSecretFingerprint != "" || c.AuthorizedUsers != 0 {
		problems = append(problems, "clientSecretSet, clientSecretFingerprint and authorizedUsers are read-only")
	}
	if strings.HasPrefix(c.Authentication.Type, "oauth2_") && c.Authentication.ClientID == "" && c.CatalogID != "" {
		problems = append(problems, "authentication.clientId is required for OAuth 2.0")
	}
	if len(problems) > 0 {
		apiErr(w, http.StatusBadRequest, "invalid_connector", strings.Join(problems, "; "))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339)
	key := strings.ToLower(name)
	old, exists := e.connectors[key]
	s := &stored{c: c}
	s.secret = c.Authentication.ClientSecret
	s.c.Authentication.ClientSecret = ""
	status := http.StatusCreated
	if exists {
		status = http.StatusOK
		s.c.ID, s.c.CreatedAt = old.c.ID, old.c.CreatedAt
		if s.secret == "" {
			s.secret = old.secret
		}
		s.users = old.users
	} else if strings.HasPrefix(c.Authentication.Type, "oauth2_") {
		// the sandbox's demo user signs in to a new OAuth connector right away
		s.users = 1
	}
	if !exists {
		e.seq++
		s.c.ID = fmt.Sprintf("c0nn%04d-%s", e.seq, hex.EncodeToString([]byte(key))[:min(8, 2*len(key))])
		s.c.CreatedAt = now
	}
	if strings.HasPrefix(c.Authentication.Type, "oauth2_") && c.CatalogID != "" && s.secret == "" {
		apiErr(w, http.StatusBadRequest, "invalid_connector", "authentication.clientSecret is required for OAuth 2.0")
		return
	}
	s.c.UpdatedAt = now
	e.connectors[key] = s
	writeJSON(w, status, e.view(s))
}

func (e *Emulator) del(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.connectors[strings.ToLower(name)]; !ok {
		apiErr(w, http.StatusNotFound, "connector.not_found", fmt.Sprintf("no connector named %q", name))
		return
	}
	delete(e.connectors, strings.ToLower(name))
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) getTenant(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	writeJSON(w, http.StatusOK, e.tenant)
}

// SetAuthorizedUsers sets how many users hold a token of the named connector (tests).
func (e *Emulator) SetAuthorizedUsers(name string, n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s, ok := e.connectors[strings.ToLower(name)]; ok {
		s.users = n
	}
}

// SetTenantRegistered changes the tenant state (tests).
func (e *Emulator) SetTenantRegistered(v bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tenant.Registered = v
}

func (e *Emulator) publicKey(w http.ResponseWriter, r *http.Request) {
	e.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return
		}
		der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		e.keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	})
	w.Header().Set("Content-Type", "text/plain")
	w.Write(e.keyPEM)
}

// base is the connector's external URL, built from the request like connectors-common does.
func base(r *http.Request) string {
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return "https://" + host + strings.TrimSuffix(SamplePath, "/")
}

func (e *Emulator) discovery(w http.ResponseWriter, r *http.Request) {
	b := base(r)
	doc := map[string]any{
		"image":     map[string]any{"href": b + "/images/connector.png"},
		"test_auth": map[string]any{"href": b + "/test-auth"},
		"object_types": map[string]any{
			"card": map[string]any{
				"pollable": true,
				"doc":      map[string]any{"href": "https://github.com/vmware-samples/card-connectors-guide/wiki/Card-Responses"},
				"endpoint": map[string]any{"href": b + "/cards/requests"},
				"fields": map[string]any{
					"approval_id": map[string]any{"regex": "APR-[0-9]{4,}", "capture_group": 0, "required": false},
				},
				"supported_actions": map[string]any{
					"approve": map[string]any{"label": map[string]any{"en-US": "Approve"}, "category": "approvals"},
				},
			},
		},
		"actions": map[string]any{
			"refresh": map[string]any{"url": map[string]any{"href": b + "/actions/refresh"}, "type": "POST",
				"label": map[string]any{"en-US": "Refresh approvals"}, "action_key": "DIRECT"},
		},
		"config": map[string]any{
			"backend_url": map[string]any{"type": "STRING", "label": map[string]any{"en-US": "Backend URL"},
				"validators": []any{map[string]any{"type": "required", "description": map[string]any{"en-US": "The backend URL is required"}}}},
		},
	}
	writeJSON(w, http.StatusOK, doc)
}

func bearer(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		apiErr(w, http.StatusUnauthorized, "unauthorized", "missing the mobile flows JWT (Authorization: Bearer)")
		return false
	}
	return true
}

func (e *Emulator) cards(w http.ResponseWriter, r *http.Request) {
	if !bearer(w, r) {
		return
	}
	b := base(r)
	writeJSON(w, http.StatusOK, map[string]any{"objects": []any{map[string]any{
		"id": "3f0c2a9e-1d4b-4c8e-9a7f-5b6c7d8e9f01", "name": "Sample Approvals", "creation_date": "2024-06-01T09:00:00Z",
		"header": map[string]any{"title": "Purchase request APR-1001"},
		"body":   map[string]any{"fields": []any{map[string]any{"type": "GENERAL", "title": "Amount", "description": "USD 1,250.00"}}},
		"actions": []any{map[string]any{"id": "8a1b2c3d-4e5f-4a6b-9c7d-0e1f2a3b4c5d", "action_key": "DIRECT", "label": "Approve",
			"completed_label": "Approved", "type": "POST", "url": map[string]any{"href": b + "/actions/refresh"}, "request": map[string]any{}}},
		"hash": "sample-1001",
	}}})
}

func (e *Emulator) refresh(w http.ResponseWriter, r *http.Request) {
	if !bearer(w, r) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

// connectorImage is a 1x1 transparent PNG: the sample connector's image.href.
var connectorImage, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=")

// image serves the connector's image without authentication, as connectors do for /images/**
// (the mobile flows reference, §B3).
func (e *Emulator) image(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/png")
	w.Write(connectorImage)
}

func (e *Emulator) testAuth(w http.ResponseWriter, r *http.Request) {
	if !bearer(w, r) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

// State: the connectors collection (secrets never included) and the tenant.
func (e *Emulator) State() any {
	e.mu.Lock()
	defer e.mu.Unlock()
	return map[string]any{"connectors": e.sorted(), "tenant": e.tenant}
}
