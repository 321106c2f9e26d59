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

// putBody reads the body of a PUT to the path's id into v, of media type kind, and checks it
// with valid; key is v's id field: an empty one takes the path's id, another one is refused
// with rename. mt "" has been answered.
func (e *Emulator) putBody(w http.ResponseWriter, r *http.Request, kind string, v any, key *string, rename func(), valid func() bool) (mt, id string) {
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
	if !valid() {
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
	items := listRecs(e, e.clientRecs, func(c *oauthClient) map[string]any {
		return map[string]any{"clientId": c.ClientID, "scope": c.Scope, "rememberAs": c.RememberAs,
			"mediaType": vendorType("clientcredentialsoauth2client"),
			"_links":    map[string]any{"self": map[string]string{"href": e.linkBase() + "/oauth2clients/" + c.ClientID}}}
	})
	writeJSON(w, http.StatusOK, mt, map[string]any{"items": items, "_links": map[string]any{}})
}

func (e *Emulator) getClient(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, "oauth2client", "clientcredentialsoauth2client", "classicoauth2client")
	if mt == "" {
		return
	}
	getRec(e, w, r, mt, e.clientRecs, func(c *oauthClient) map[string]any { return c.wire(e.linkBase()) }, clientNotFound)
}

func (e *Emulator) createClient(w http.ResponseWriter, r *http.Request) {
	var c oauthClient
	mt := e.newBody(w, r, "oauth2client", &c, func() bool { return e.validateClient(w, &c) })
	if mt == "" {
		return
	}
	if c.Secret == "" {
		c.Secret = sandbox.RandHex(24)
	}
	if c.TokenType == "" {
		c.TokenType = "Bearer"
	}
	c.Links, c.ReturnFailureResponse = nil, nil
	m, ok := storeNew(e, e.clientRecs, c.ClientID, &c, func(c *oauthClient) map[string]any { return c.wire(e.linkBase()) }, func() {
		// Access answers a duplicate id with 500, not 409.
		writeErrors(w, http.StatusInternalServerError, "internal.server.error", "An unexpected error occurred: client id "+c.ClientID+" already exists")
	})
	if !ok {
		return
	}
	w.Header().Set("Location", e.linkBase()+"/oauth2clients/"+c.ClientID)
	writeJSON(w, http.StatusCreated, mt, m)
}

func (e *Emulator) putClient(w http.ResponseWriter, r *http.Request) {
	var c oauthClient
	mt, id := e.putBody(w, r, "oauth2client", &c, &c.ClientID, func() {
		// Renaming is not supported; Access answers 500.
		writeErrors(w, http.StatusInternalServerError, "internal.server.error", "changing the client id is not supported: delete and re-create the client")
	}, func() bool { return e.validateClient(w, &c) })
	if mt == "" {
		return
	}
	c.Links, c.ReturnFailureResponse = nil, nil
	m, ok := replaceRec(e, w, id, e.clientRecs, &c, func(old *oauthClient) {
		if c.Secret == "" {
			c.Secret = old.Secret
		}
		if c.TokenType == "" {
			c.TokenType = "Bearer"
		}
	}, func(c *oauthClient) map[string]any { return c.wire(e.linkBase()) }, clientNotFound)
	if ok {
		// The spec documents 201 for a successful update.
		writeJSON(w, http.StatusCreated, mt, m)
	}
}

func (e *Emulator) deleteClient(w http.ResponseWriter, r *http.Request) {
	deleteRec(e, w, r, e.clientRecs, func(id string) {
		for k, t := range e.tokens {
			if t.clientID == id {
				delete(e.tokens, k)
			}
		}
	}, clientNotFound)
}

// clientRecs is the clients by id; call with mu held.
func (e *Emulator) clientRecs() map[string]*oauthClient { return e.clients }

// newBody reads the body of a create, of media type kind, into v and checks it with valid;
// "" has been answered.
func (e *Emulator) newBody(w http.ResponseWriter, r *http.Request, kind string, v any, valid func() bool) string {
	mt := e.write(w, r, kind)
	if mt == "" || !decodeStrict(w, r, v) || !valid() {
		return ""
	}
	return mt
}

// listRecs is every record of recs in id order, as out makes it with mu held (never nil).
func listRecs[T, O any](e *Emulator, recs func() map[string]*T, out func(*T) O) []O {
	e.mu.Lock()
	defer e.mu.Unlock()
	items := []O{}
	for _, id := range sortedKeys(recs()) {
		items = append(items, out(recs()[id]))
	}
	return items
}

// replaceRec replaces the record id of recs with x (keep first copies what x keeps of the old
// one) and returns it as out makes it; an unknown id is answered by missing and ok is false.
func replaceRec[T, O any](e *Emulator, w http.ResponseWriter, id string, recs func() map[string]*T, x *T, keep func(old *T), out func(*T) O, missing func(http.ResponseWriter, string)) (o O, ok bool) {
	e.mu.Lock()
	old := recs()[id]
	if old == nil {
		e.mu.Unlock()
		missing(w, id)
		return o, false
	}
	keep(old)
	recs()[id] = x
	o = out(x)
	e.mu.Unlock()
	return o, true
}

// getRec answers the record of recs the path's id names, as out makes it with mu held;
// missing answers the 404.
func getRec[T, O any](e *Emulator, w http.ResponseWriter, r *http.Request, mt string, recs func() map[string]*T, out func(*T) O, missing func(http.ResponseWriter, string)) {
	id := r.PathValue("id")
	e.mu.Lock()
	x, ok := recs()[id]
	var o O
	if ok {
		o = out(x)
	}
	e.mu.Unlock()
	if !ok {
		missing(w, id)
		return
	}
	writeJSON(w, http.StatusOK, mt, o)
}

// storeNew stores x under key in recs and returns it as out makes it; when key is taken dup
// answers and ok is false.
func storeNew[T, O any](e *Emulator, recs func() map[string]*T, key string, x *T, out func(*T) O, dup func()) (o O, ok bool) {
	e.mu.Lock()
	if _, taken := recs()[key]; taken {
		e.mu.Unlock()
		dup()
		return o, false
	}
	recs()[key] = x
	o = out(x)
	e.mu.Unlock()
	return o, true
}

// deleteRec removes the record of recs the path's id names, runs also with mu held and answers
// 204; missing answers the 404.
func deleteRec[T any](e *Emulator, w http.ResponseWriter, r *http.Request, recs func() map[string]*T, also func(id string), missing func(http.ResponseWriter, string)) {
	id := r.PathValue("id")
	e.mu.Lock()
	_, ok := recs()[id]
	if ok {
		delete(recs(), id)
		also(id)
	}
	e.mu.Unlock()
	if !ok {
		missing(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
