package oktaemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type app struct {
	id, name, label, status, signOnMode string
	created, updated                    time.Time
	settings                            map[string]any
	credentials                         map[string]any // never holds a client secret
	secrets                             []*clientSecret

	groups   []*appGroup
	appUsers []*appUser
	conn     *connection
	caps     capabilities
	pushes   []*pushMapping
	mapping  string // id of the Okta user -> app user profile mapping
}

type clientSecret struct {
	id, hash, status string
	created          time.Time
}

type appGroup struct {
	id       string
	priority int
	updated  time.Time
}

type appUser struct {
	id, externalID, status, syncState, errorSummary string
	groups                                          []string // assigned through these groups
	profile                                         map[string]string
	pushed                                          map[string]string // the profile last sent to the target
	created, updated                                time.Time
	lastSync                                        time.Time
}

type connection struct {
	token, baseURL, authScheme, status string
}

// capabilities of USER_PROVISIONING; "ENABLED" or "DISABLED".
type capabilities struct {
	create, profile, deactivate, password string
}

type pushMapping struct {
	id, source, target, status, targetName, errorSummary string
	created, updated, lastPush                           time.Time
	pushed                                               []string // target member ids last sent
}

func (e *Emulator) findApp(id string) *app {
	return byID(e.apps, id, func(x *app) string { return x.id })
}

// withApp serves h with mu held for the path's app, or answers 404 when there is no such app.
func (e *Emulator) withApp(h func(w http.ResponseWriter, r *http.Request, a *app)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if a := e.appOr404(w, r); a != nil {
			h(w, r, a)
		}
	}
}

// lockApp takes mu and looks the path's app up; nil has released mu and been answered 404.
func (e *Emulator) lockApp(w http.ResponseWriter, r *http.Request) *app {
	e.mu.Lock()
	a := e.appOr404(w, r)
	if a == nil {
		e.mu.Unlock()
	}
	return a
}

// readAndLockApp reads the request body into v, then takes mu and looks the path's app up; nil
// has been answered (400 or 404) and does not hold mu.
func (e *Emulator) readAndLockApp(w http.ResponseWriter, r *http.Request, v any) *app {
	if !readBody(w, r, v) {
		return nil
	}
	return e.lockApp(w, r)
}

// appOr404 looks the path's app up with mu held; nil has been answered 404.
func (e *Emulator) appOr404(w http.ResponseWriter, r *http.Request) *app {
	return lookup(w, r, "appId", "App", e.findApp)
}

func (e *Emulator) features(a *app) []string {
	out := []string{}
	if a.conn == nil || a.conn.status != "ENABLED" {
		return out
	}
	out = append(out, "GROUP_PUSH")
	if a.caps.create == "ENABLED" {
		out = append(out, "PUSH_NEW_USERS")
	}
	if a.caps.profile == "ENABLED" {
		out = append(out, "PUSH_PROFILE_UPDATES")
	}
	if a.caps.deactivate == "ENABLED" {
		out = append(out, "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS")
	}
	return out
}

// appWire is the Application; secret is the client secret to show (create answers only).
func (e *Emulator) appWire(a *app, secret string) map[string]any {
	self := e.url + "/api/v1/apps/" + a.id
	creds := cloneMap(a.credentials)
	if secret != "" {
		oc := cloneMap(asMap(creds["oauthClient"]))
		oc["client_secret"] = secret
		creds["oauthClient"] = oc
	}
	return map[string]any{
		"id": a.id, "orn": "orn:okta:idp:" + e.orgID() + ":apps:" + a.name + ":" + a.id, "name": a.name, "label": a.label,
		"status": a.status, "created": stamp(a.created), "lastUpdated": stamp(a.updated), "signOnMode": a.signOnMode,
		"accessibility": map[string]any{"selfService": false},
		"visibility":    map[string]any{"autoSubmitToolbar": false, "hide": map[string]any{"iOS": false, "web": false}},
		"features":      e.features(a), "settings": cloneMap(a.settings), "credentials": creds,
		"_links": map[string]any{
			"self":       map[string]any{"href": self},
			"users":      map[string]any{"href": self + "/users"},
			"groups":     map[string]any{"href": self + "/groups"},
			"deactivate": map[string]any{"href": self + "/lifecycle/deactivate"},
			"metadata":   map[string]any{"href": self + "/sso/saml/metadata", "type": "application/xml"},
			"appLinks":   []any{},
		},
	}
}

func (e *Emulator) orgID() string { return "00oFlowsctlSandbox" }

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (e *Emulator) listApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var cs []clause
	if f := q.Get("filter"); f != "" {
		var err error
		cs, err = parseExpr(f, "eq")
		for _, c := range cs {
			if err == nil && c.attr != "status" && c.attr != "name" {
				err = errorf("filter attribute %q is not supported (status, name)", c.attr)
			}
		}
		if err != nil {
			invalid(w, "filter", err.Error())
			return
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	e.mu.Lock()
	defer e.mu.Unlock()
	var found []*app
	for _, a := range e.apps {
		if prefix != "" && !strings.HasPrefix(strings.ToLower(a.label), prefix) && !strings.HasPrefix(strings.ToLower(a.name), prefix) {
			continue
		}
		m, _ := matches(cs, func(attr string) (string, bool) {
			if attr == "status" {
				return a.status, true
			}
			return a.name, true
		})
		if m {
			found = append(found, a)
		}
	}
	listPage(e, w, r, found, func(a *app) string { return a.id }, func(a *app) map[string]any { return e.appWire(a, "") }, 20, 200)
}

type appBody struct {
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	SignOnMode  string         `json:"signOnMode"`
	Settings    map[string]any `json:"settings"`
	Credentials map[string]any `json:"credentials"`
}

// validate checks a create or replace body for the catalog app name; it returns the failing
// field and cause.
func (b *appBody) validate(name string) (field, cause string) {
	if strings.TrimSpace(b.Label) == "" {
		return "label", "The field cannot be left blank"
	}
	switch name {
	case AppSCIM2:
	case AppAccess:
		base := str(asMap(b.Settings["app"])["baseUrl"])
		if base == "" {
			return "settings.app.baseUrl", "The field cannot be left blank"
		}
		if u, err := url.Parse(base); err != nil || u.Scheme != "https" || u.Host == "" {
			return "settings.app.baseUrl", "Base URL must be an https URL"
		}
	case AppOIDC:
		if b.SignOnMode != "OPENID_CONNECT" {
			return "signOnMode", "oidc_client apps need signOnMode OPENID_CONNECT"
		}
		oc := asMap(b.Settings["oauthClient"])
		if oc == nil {
			return "settings.oauthClient", "The field cannot be left blank"
		}
		ru, _ := oc["redirect_uris"].([]any)
		if len(ru) == 0 {
			return "redirect_uris", "At least one redirect URI is required for the authorization_code grant type"
		}
		if gt, _ := oc["grant_types"].([]any); len(gt) == 0 {
			return "grant_types", "The field cannot be left blank"
		}
		if at := str(oc["application_type"]); at != "" && at != "web" {
			return "application_type", "Only web applications are supported here"
		}
		if m := str(asMap(asMap(b.Credentials)["oauthClient"])["token_endpoint_auth_method"]); m != "" && m != "client_secret_basic" && m != "client_secret_post" {
			return "token_endpoint_auth_method", "Only client_secret_basic and client_secret_post are supported here"
		}
	default:
		return "name", "The app name " + name + " is not a catalog application this org can add (scim2testapp, vmwareworkspaceone, oidc_client)"
	}
	if b.SignOnMode != "" && b.SignOnMode != "AUTO_LOGIN" && b.SignOnMode != "BOOKMARK" && name != AppOIDC {
		return "signOnMode", "Sign-on mode " + b.SignOnMode + " is not supported by " + name
	}
	return "", ""
}

func (e *Emulator) createApp(w http.ResponseWriter, r *http.Request) {
	var b appBody
	if !readBody(w, r, &b) {
		return
	}
	if field, cause := b.validate(b.Name); field != "" {
		invalid(w, field, cause)
		return
	}
	now := e.now().UTC()
	a := &app{id: newID("0oa"), name: b.Name, label: b.Label, status: "ACTIVE", signOnMode: b.SignOnMode, created: now, updated: now,
		settings: cloneMap(b.Settings), caps: capabilities{"DISABLED", "DISABLED", "DISABLED", "DISABLED"}}
	if a.signOnMode == "" {
		a.signOnMode = "AUTO_LOGIN"
	}
	if a.settings["app"] == nil && b.Name != AppOIDC {
		a.settings["app"] = map[string]any{}
	}
	var secret string
	if b.Name == AppOIDC {
		oc := asMap(a.settings["oauthClient"])
		if oc["application_type"] == nil {
			oc["application_type"] = "web"
		}
		if oc["response_types"] == nil {
			oc["response_types"] = []any{"code"}
		}
		method := str(asMap(asMap(b.Credentials)["oauthClient"])["token_endpoint_auth_method"])
		if method == "" {
			method = "client_secret_basic"
		}
		// An OIDC app's client id is the app id.
		a.credentials = map[string]any{"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"},
			"signing": map[string]any{"kid": e.orgKid}, "oauthClient": map[string]any{"autoKeyRotation": true, "client_id": a.id,
				"token_endpoint_auth_method": method, "pkce_required": false}}
		secret = e.newSecret(a, now)
	} else {
		a.credentials = map[string]any{"scheme": "EDIT_USERNAME_AND_PASSWORD", "revealPassword": false, "signing": map[string]any{},
			"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}}
	}
	e.mu.Lock()
	e.apps = append(e.apps, a)
	e.addMappingLocked(a)
	out := e.appWire(a, secret)
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// newSecret adds an ACTIVE client secret and returns its value (shown once).
func (e *Emulator) newSecret(a *app, now time.Time) string {
	v := randToken(40)
	a.secrets = append(a.secrets, &clientSecret{id: newID("ocs"), hash: hashB64(v), status: "ACTIVE", created: now})
	return v
}

func (e *Emulator) getApp(w http.ResponseWriter, r *http.Request, a *app) {
	writeJSON(w, http.StatusOK, e.appWire(a, ""))
}

// replaceApp is PUT: label, settings (and the sign-on mode of catalog apps) are replaced; the
// name and credentials stay.
func (e *Emulator) replaceApp(w http.ResponseWriter, r *http.Request) {
	var b appBody
	a := e.readAndLockApp(w, r, &b)
	if a == nil {
		return
	}
	defer e.mu.Unlock()
	if b.Name != "" && b.Name != a.name {
		invalid(w, "name", "The app name cannot be changed")
		return
	}
	if b.SignOnMode == "" {
		b.SignOnMode = a.signOnMode
	}
	if b.Settings == nil {
		b.Settings = a.settings
	}
	if b.Credentials == nil {
		b.Credentials = a.credentials
	}
	if field, cause := b.validate(a.name); field != "" {
		invalid(w, field, cause)
		return
	}
	a.label, a.settings, a.updated = b.Label, cloneMap(b.Settings), e.now().UTC()
	if a.name != AppOIDC {
		a.signOnMode = b.SignOnMode
	}
	writeJSON(w, http.StatusOK, e.appWire(a, ""))
}

func (e *Emulator) secretWire(a *app, s *clientSecret, value string) map[string]any {
	m := map[string]any{"id": s.id, "status": s.status, "secret_hash": s.hash, "created": stamp(s.created), "lastUpdated": stamp(s.created),
		"_links": map[string]any{"deactivate": map[string]any{"href": e.url + "/api/v1/apps/" + a.id + "/credentials/secrets/" + s.id + "/lifecycle/deactivate"}}}
	if value != "" {
		m["client_secret"] = value
	}
	return m
}

func (e *Emulator) listSecrets(w http.ResponseWriter, r *http.Request, a *app) {
	listPage(e, w, r, a.secrets, func(s *clientSecret) string { return s.id },
		func(s *clientSecret) map[string]any { return e.secretWire(a, s, "") }, 20, 200)
}

func (e *Emulator) createSecret(w http.ResponseWriter, r *http.Request, a *app) {
	if a.name != AppOIDC {
		invalid(w, "client_secret", "The application does not use client secrets")
		return
	}
	if n := len(a.secrets); n >= 2 {
		invalid(w, "client_secret", "You can't create more than two client secrets for an app")
		return
	}
	v := e.newSecret(a, e.now().UTC())
	writeJSON(w, http.StatusCreated, e.secretWire(a, a.secrets[len(a.secrets)-1], v))
}

// connectionWire is the ProvisioningConnectionResponse: never the token.
func (e *Emulator) connectionWire(a *app) map[string]any {
	self := e.url + "/api/v1/apps/" + a.id + "/connections/default"
	c := a.conn
	if c == nil {
		c = &connection{authScheme: "UNKNOWN", status: "DISABLED"}
	}
	// authScheme is only returned for the TOKEN scheme; profile.authScheme always.
	m := map[string]any{"status": c.status, "profile": map[string]any{"authScheme": c.authScheme},
		"_links": map[string]any{"self": map[string]any{"href": self},
			"activate":   map[string]any{"href": self + "/lifecycle/activate", "hints": map[string]any{"allow": []string{"POST"}}},
			"deactivate": map[string]any{"href": self + "/lifecycle/deactivate", "hints": map[string]any{"allow": []string{"POST"}}}}}
	if c.authScheme == "TOKEN" {
		m["authScheme"] = c.authScheme
	}
	if c.baseURL != "" {
		m["baseUrl"] = c.baseURL
	}
	return m
}

func (e *Emulator) getConnection(w http.ResponseWriter, r *http.Request, a *app) {
	writeJSON(w, http.StatusOK, e.connectionWire(a))
}

const refusedConnection = "Provisioning connection setup through the API is not supported for this application"

func (e *Emulator) setConnection(w http.ResponseWriter, r *http.Request) {
	var b struct {
		BaseURL string `json:"baseUrl"`
		Profile struct {
			AuthScheme string `json:"authScheme"`
			Token      string `json:"token"`
		} `json:"profile"`
	}
	a := e.readAndLockApp(w, r, &b)
	if a == nil {
		return
	}
	switch {
	case e.RefuseConnections || a.name == AppOIDC:
		e.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: connection", []string{refusedConnection})
		return
	case b.Profile.AuthScheme != "TOKEN":
		e.mu.Unlock()
		invalid(w, "authScheme", "authScheme must be TOKEN for this application")
		return
	case b.Profile.Token == "":
		e.mu.Unlock()
		invalid(w, "token", "The field cannot be left blank")
		return
	}
	base := b.BaseURL
	if base == "" && a.name == AppAccess {
		base = strings.TrimRight(str(asMap(a.settings["app"])["baseUrl"]), "/") + "/SAAS/jersey/manager/api/scim"
	}
	if u, err := url.Parse(base); base == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		e.mu.Unlock()
		invalid(w, "baseUrl", "The SCIM connector base URL must be an https URL")
		return
	}
	status := "DISABLED"
	if a.conn != nil && a.conn.status == "ENABLED" {
		status = "ENABLED"
	}
	if r.URL.Query().Get("activate") == "true" {
		status = "ENABLED"
	}
	a.conn = &connection{token: b.Profile.Token, baseURL: strings.TrimRight(base, "/"), authScheme: "TOKEN", status: status}
	out := e.connectionWire(a)
	e.mu.Unlock()
	if status == "ENABLED" {
		e.provision(r.Context(), a.id)
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) activateConnection(w http.ResponseWriter, r *http.Request) {
	e.lifecycle(w, r, "ENABLED")
}

func (e *Emulator) deactivateConnection(w http.ResponseWriter, r *http.Request) {
	e.lifecycle(w, r, "DISABLED")
}

func (e *Emulator) lifecycle(w http.ResponseWriter, r *http.Request, status string) {
	a := e.lockApp(w, r)
	if a == nil {
		return
	}
	if a.conn == nil || a.conn.authScheme != "TOKEN" {
		e.mu.Unlock()
		notFound(w, a.id, "ProvisioningConnection")
		return
	}
	a.conn.status = status
	e.mu.Unlock()
	if status == "ENABLED" {
		e.provision(r.Context(), a.id)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) featureWire(a *app) map[string]any {
	status := "DISABLED"
	if a.conn != nil && a.conn.status == "ENABLED" {
		status = "ENABLED"
	}
	st := func(s string) map[string]any { return map[string]any{"status": s} }
	c := a.caps
	return map[string]any{
		"name": "USER_PROVISIONING", "status": status,
		"description": "User provisioning settings from Okta to a downstream application",
		"capabilities": map[string]any{
			"create": map[string]any{"lifecycleCreate": st(c.create)},
			"update": map[string]any{"lifecycleDeactivate": st(c.deactivate), "profile": st(c.profile),
				"password": map[string]any{"status": c.password, "seed": "RANDOM", "change": "KEEP_EXISTING"}},
		},
		"_links": map[string]any{"self": map[string]any{"href": e.url + "/api/v1/apps/" + a.id + "/features/USER_PROVISIONING"}},
	}
}

// provisioningOn reports whether the app's connection is active (features exist only then).
func provisioningOn(a *app) bool { return a.conn != nil && a.conn.status == "ENABLED" }

func (e *Emulator) listFeatures(w http.ResponseWriter, r *http.Request, a *app) {
	if !provisioningOn(a) {
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: features",
			[]string{"Provisioning is not enabled for this application: activate its provisioning connection first"})
		return
	}
	writeJSON(w, http.StatusOK, []map[string]any{e.featureWire(a)})
}

func (e *Emulator) getFeature(w http.ResponseWriter, r *http.Request, a *app) {
	if name := r.PathValue("name"); name != "USER_PROVISIONING" || !provisioningOn(a) {
		notFound(w, name, "AppFeature")
		return
	}
	writeJSON(w, http.StatusOK, e.featureWire(a))
}

func (e *Emulator) putFeature(w http.ResponseWriter, r *http.Request) {
	type st struct {
		Status *string `json:"status"`
	}
	var b struct {
		Create *struct {
			LifecycleCreate *st `json:"lifecycleCreate"`
		} `json:"create"`
		Update *struct {
			LifecycleDeactivate *st `json:"lifecycleDeactivate"`
			Profile             *st `json:"profile"`
			Password            *st `json:"password"`
		} `json:"update"`
	}
	a := e.readAndLockApp(w, r, &b)
	if a == nil {
		return
	}
	if name := r.PathValue("name"); name != "USER_PROVISIONING" || !provisioningOn(a) {
		e.mu.Unlock()
		invalid(w, "name", "Feature "+name+" cannot be updated: provisioning is not enabled for this application")
		return
	}
	c := a.caps
	set := func(dst *string, s *st, field string) bool {
		if s == nil || s.Status == nil {
			return true
		}
		if *s.Status != "ENABLED" && *s.Status != "DISABLED" {
			invalid(w, field, "status must be ENABLED or DISABLED")
			return false
		}
		*dst = *s.Status
		return true
	}
	ok := true
	if b.Create != nil {
		ok = set(&c.create, b.Create.LifecycleCreate, "lifecycleCreate")
	}
	if b.Update != nil && ok {
		ok = set(&c.deactivate, b.Update.LifecycleDeactivate, "lifecycleDeactivate") &&
			set(&c.profile, b.Update.Profile, "profile") && set(&c.password, b.Update.Password, "password")
	}
	if !ok {
		e.mu.Unlock()
		return
	}
	a.caps = c
	e.provisionAndReply(w, r, a.id, true, http.StatusOK, func() map[string]any { return e.featureWire(a) })
}

// appSchema is the app user schema: base attributes of the catalog app, custom ones empty.
func appSchemaBase(name string) []string {
	switch name {
	case AppAccess:
		return []string{"userName", "firstName", "lastName", "email", "domain"}
	case AppSCIM2:
		return []string{"userName", "givenName", "familyName", "email"}
	}
	return []string{"userName", "email"}
}

func (e *Emulator) getAppSchema(w http.ResponseWriter, r *http.Request, a *app) {
	props := map[string]any{}
	for _, p := range appSchemaBase(a.name) {
		m := map[string]any{"title": p, "type": "string", "scope": "NONE", "mutability": "READ_WRITE",
			"permissions": []map[string]any{{"principal": "SELF", "action": "READ_ONLY"}}}
		if p == "userName" {
			m["title"], m["required"], m["maxLength"] = "Username", true, 100
		}
		props[p] = m
	}
	id := e.url + "/meta/schemas/apps/" + a.id + "/default"
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "$schema": "http://json-schema.org/draft-04/schema#", "name": a.name, "title": a.label + " User",
		"created": stamp(a.created), "lastUpdated": stamp(a.updated), "type": "object",
		"definitions": map[string]any{
			"base":   map[string]any{"id": "#base", "type": "object", "properties": props, "required": []string{"userName"}},
			"custom": map[string]any{"id": "#custom", "type": "object", "properties": map[string]any{}, "required": []string{}},
		},
		"properties": map[string]any{"base": map[string]any{"$ref": "#/definitions/base"}, "custom": map[string]any{"$ref": "#/definitions/custom"}},
		"_links":     map[string]any{"self": map[string]any{"href": e.url + "/api/v1/meta/schemas/apps/" + a.id + "/default", "method": "GET", "rel": "self"}},
	})
}
