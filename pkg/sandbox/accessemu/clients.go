package accessemu

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// oauthClient is OAuth2ClientTypeInfo.
type oauthClient struct {
	ClientID             string         `json:"clientId"`
	RememberAs           string         `json:"rememberAs,omitempty"`
	Secret               string         `json:"secret,omitempty"`
	Scope                string         `json:"scope"`
	AuthGrantTypes       string         `json:"authGrantTypes"`
	RedirectURI          string         `json:"redirectUri,omitempty"`
	TokenType            string         `json:"tokenType,omitempty"`
	TokenLength          int            `json:"tokenLength,omitempty"`
	AccessTokenTTL       int64          `json:"accessTokenTTL"`
	RefreshTokenTTL      int64          `json:"refreshTokenTTL"`
	RefreshTokenIdleTTL  int64          `json:"refreshTokenIdleTTL"`
	DisplayUserGrant     bool           `json:"displayUserGrant"`
	InternalSystemClient bool           `json:"internalSystemClient"`
	InheritanceAllowed   bool           `json:"inheritanceAllowed"`
	ResourceUUID         string         `json:"resourceUuid,omitempty"`
	StrData              string         `json:"strData,omitempty"`
	ActivationToken      string         `json:"activationToken,omitempty"`
	Links                map[string]any `json:"_links,omitempty"`
	// ReturnFailureResponse is sent by some clients in the wild; accepted and ignored.
	ReturnFailureResponse *bool `json:"returnFailureResponse,omitempty"`
}

func (c *oauthClient) wire(api string) map[string]any {
	cp := *c
	cp.Links, cp.ReturnFailureResponse = nil, nil
	b, _ := json.Marshal(cp)
	var m map[string]any
	json.Unmarshal(b, &m)
	m["_links"] = map[string]any{"self": map[string]string{"href": api + "/oauth2clients/" + c.ClientID}}
	return m
}

var (
	idRE    = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,256}$`)
	uuidRE  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	scopes  = map[string]bool{"admin": true, "user": true, "openid": true, "profile": true, "email": true, "napps": true}
	grants  = map[string]bool{"client_credentials": true, "authorization_code": true, "password": true, "refresh_token": true}
	tmplGTs = map[string]bool{"authorization_code": true, "refresh_token": true, "client_credentials": true, "password": true}
)

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// validScope checks a space-delimited scope string (a resource uuid is a scope too).
func validScope(s string) bool {
	f := fields(s)
	if len(f) == 0 {
		return false
	}
	for _, x := range f {
		if !scopes[x] && !uuidRE.MatchString(x) {
			return false
		}
	}
	return true
}

func validGrants(s string, allowed map[string]bool) bool {
	f := fields(s)
	if len(f) == 0 {
		return false
	}
	for _, x := range f {
		if !allowed[x] {
			return false
		}
	}
	return true
}

// decodeStrict reads a JSON body, refusing unknown fields like Access's deserializer.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeErrors(w, http.StatusBadRequest, "invalid.request.body", "the request body is not valid: "+err.Error())
		return false
	}
	return true
}

func clientNotFound(w http.ResponseWriter, id string) {
	writeErrors(w, http.StatusNotFound, "oauth2client.not.found", "OAuth2 client "+id+" not found")
}

// putBody reads the body of a PUT to the path's id into v, of media type kind; key is v's id
// field: an empty one takes the path's id, another one is refused with rename. mt "" has been
// answered.
func (e *Emulator) putBody(w http.ResponseWriter, r *http.Request, kind string, v any, key *string, rename func()) (mt, id string) {
	if mt = e.write(w, r, kind); mt == "" {
		return "", ""
	}
	id = r.PathValue("id")
	if !decodeStrict(w, r, v) {
		return "", ""
	}
	if *key == "" {
		*key = id
	}
	if *key != id {
		rename()
		return "", ""
	}
	return mt, id
}

func (e *Emulator) validateClient(w http.ResponseWriter, c *oauthClient) bool {
	switch {
	case !idRE.MatchString(c.ClientID):
		writeErrors(w, http.StatusBadRequest, "invalid.client.id", "clientId must be 1-256 characters of A-Z a-z 0-9 . _ - @")
	case !validScope(c.Scope):
		writeErrors(w, http.StatusBadRequest, "invalid.scope", "scope must be a space-delimited list of admin, user, openid, profile, email, napps or a resource uuid")
	case !validGrants(c.AuthGrantTypes, grants):
		writeErrors(w, http.StatusBadRequest, "invalid.grant.type", "authGrantTypes must be a space-delimited list of client_credentials, authorization_code, password, refresh_token")
	case hasWord(c.AuthGrantTypes, "authorization_code") && strings.TrimSpace(c.RedirectURI) == "":
		writeErrors(w, http.StatusBadRequest, "invalid.redirect.uri", "redirectUri is required for the authorization_code grant")
	case c.TokenType != "" && c.TokenType != "Bearer":
		writeErrors(w, http.StatusBadRequest, "invalid.token.type", "tokenType must be Bearer")
	case c.AccessTokenTTL < 0 || c.RefreshTokenTTL < 0 || c.RefreshTokenIdleTTL < 0:
		writeErrors(w, http.StatusBadRequest, "invalid.ttl", "TTLs are minutes and cannot be negative")
	case c.ResourceUUID != "" && !uuidRE.MatchString(c.ResourceUUID):
		writeErrors(w, http.StatusBadRequest, "invalid.resource.uuid", "resourceUuid must be a uuid")
	default:
		return true
	}
	return false
}

func (e *Emulator) listClients(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, "oauth2clientsummarylist")
	if mt == "" {
		return
	}
	e.mu.Lock()
	items := []map[string]any{}
	for _, id := range sortedKeys(e.clients) {
		c := e.clients[id]
		items = append(items, map[string]any{"clientId": c.ClientID, "scope": c.Scope, "rememberAs": c.RememberAs,
			"mediaType": vendorType("clientcredentialsoauth2client"),
			"_links":    map[string]any{"self": map[string]string{"href": e.linkBase() + "/oauth2clients/" + c.ClientID}}})
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, mt, map[string]any{"items": items, "_links": map[string]any{}})
}

func (e *Emulator) getClient(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, "oauth2client", "clientcredentialsoauth2client", "classicoauth2client")
	if mt == "" {
		return
	}
	id := r.PathValue("id")
	e.mu.Lock()
	c := e.clients[id]
	var m map[string]any
	if c != nil {
		m = c.wire(e.linkBase())
	}
	e.mu.Unlock()
	if m == nil {
		clientNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, mt, m)
}

func (e *Emulator) createClient(w http.ResponseWriter, r *http.Request) {
	mt := e.write(w, r, "oauth2client")
	if mt == "" {
		return
	}
	var c oauthClient
	if !decodeStrict(w, r, &c) || !e.validateClient(w, &c) {
		return
	}
	if c.Secret == "" {
		c.Secret = sandbox.RandHex(24)
	}
	if c.TokenType == "" {
		c.TokenType = "Bearer"
	}
	c.Links, c.ReturnFailureResponse = nil, nil
	e.mu.Lock()
	if _, dup := e.clients[c.ClientID]; dup {
		e.mu.Unlock()
		// Access answers a duplicate id with 500, not 409.
		writeErrors(w, http.StatusInternalServerError, "internal.server.error", "An unexpected error occurred: client id "+c.ClientID+" already exists")
		return
	}
	e.clients[c.ClientID] = &c
	m := c.wire(e.linkBase())
	e.mu.Unlock()
	w.Header().Set("Location", e.linkBase()+"/oauth2clients/"+c.ClientID)
	writeJSON(w, http.StatusCreated, mt, m)
}

func (e *Emulator) putClient(w http.ResponseWriter, r *http.Request) {
	var c oauthClient
	mt, id := e.putBody(w, r, "oauth2client", &c, &c.ClientID, func() {
		// Renaming is not supported; Access answers 500.
		writeErrors(w, http.StatusInternalServerError, "internal.server.error", "changing the client id is not supported: delete and re-create the client")
	})
	if mt == "" || !e.validateClient(w, &c) {
		return
	}
	c.Links, c.ReturnFailureResponse = nil, nil
	e.mu.Lock()
	old := e.clients[id]
	if old == nil {
		e.mu.Unlock()
		clientNotFound(w, id)
		return
	}
	if c.Secret == "" {
		c.Secret = old.Secret
	}
	if c.TokenType == "" {
		c.TokenType = "Bearer"
	}
	e.clients[id] = &c
	m := c.wire(e.linkBase())
	e.mu.Unlock()
	// The spec documents 201 for a successful update.
	writeJSON(w, http.StatusCreated, mt, m)
}

func (e *Emulator) deleteClient(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	_, ok := e.clients[id]
	if ok {
		delete(e.clients, id)
		for k, t := range e.tokens {
			if t.clientID == id {
				delete(e.tokens, k)
			}
		}
	}
	e.mu.Unlock()
	if !ok {
		clientNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
