package identityemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

type directory struct {
	ID            string
	Name          string
	Domains       []string
	DefaultDomain string
	Source        string
	Type          string
	Attributes    map[string]any
	sync          *syncClient
}

type syncClient struct {
	ttl      int64
	exp      time.Time
	token    string
	clientID string
}

func (d *directory) wire(links string, full bool) map[string]any {
	m := map[string]any{"id": d.ID, "name": d.Name, "domains": d.Domains, "source": d.Source, "type": d.Type,
		"delete_in_progress": false, "_links": map[string]any{"self": map[string]string{"href": links + "/" + d.ID}}}
	if full {
		m["default_domain"] = d.DefaultDomain
		if d.Attributes != nil {
			m["attributes"] = d.Attributes
		}
	}
	return m
}

// withBody decodes the request body strictly into a B, then serves h with e.mu held.
func withBody[B any](e *Emulator, h func(w http.ResponseWriter, r *http.Request, b *B)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b B
		if !decodeStrict(w, r, &b) {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		h(w, r, &b)
	}
}

// setIf sets *dst to *src when the body has the field (src not nil).
func setIf[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}

// decodeStrict rejects unknown fields like the real broker (400 with an errors body).
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "invalid.request.body", "Invalid request body: "+err.Error(), nil)
		return false
	}
	return true
}

var dirSources = map[string]bool{"AZURE": true, "PING": true, "OKTA": true, "ACCESS": true, "GENERIC": true}

// ValidDirectoryName is the Identity Services with Okta guide's rule: at most 128 letters, digits, spaces, '-' and '_'.
func ValidDirectoryName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == ' ', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// byID is the item of items whose id is id, or nil.
func byID[T any](items []*T, id string, idOf func(*T) string) *T {
	for _, x := range items {
		if idOf(x) == id {
			return x
		}
	}
	return nil
}

// wireAll is every item as wire makes it, an empty list when there are none.
func wireAll[T any](items []T, wire func(T) map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(items))
	for _, x := range items {
		out = append(out, wire(x))
	}
	return out
}

func (e *Emulator) findDir(id string) *directory {
	return byID(e.dirs, id, func(d *directory) string { return d.ID })
}

func (e *Emulator) listDirs(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	items := wireAll(e.dirs, func(d *directory) map[string]any { return d.wire(e.linkBase(), false) })
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "_links": map[string]any{"self": map[string]string{"href": e.linkBase()}}})
}

type dirBody struct {
	Name          *string        `json:"name"`
	Domains       []string       `json:"domains"`
	DefaultDomain *string        `json:"default_domain"`
	Source        *string        `json:"source"`
	Type          *string        `json:"type"`
	Attributes    map[string]any `json:"attributes"`
}

func (e *Emulator) createDir(w http.ResponseWriter, r *http.Request) {
	var b dirBody
	if !decodeStrict(w, r, &b) {
		return
	}
	d := &directory{ID: sandbox.NewUUID(), Source: "GENERIC", Type: "PROVISIONED", Attributes: b.Attributes}
	setIf(&d.Name, b.Name)
	d.Domains = b.Domains
	setIf(&d.DefaultDomain, b.DefaultDomain)
	setIf(&d.Source, b.Source)
	setIf(&d.Type, b.Type)
	if !e.validDir(w, d) {
		return
	}
	e.mu.Lock()
	if err := e.conflict(d); err != nil {
		e.mu.Unlock()
		writeErrors(w, http.StatusConflict, err[0], err[1], map[string]string{err[2]: err[3]})
		return
	}
	e.dirs = append(e.dirs, d)
	out := d.wire(e.linkBase(), true)
	e.mu.Unlock()
	w.Header().Set("Location", e.linkBase()+"/"+d.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (e *Emulator) validDir(w http.ResponseWriter, d *directory) bool {
	bad := func(code, msg string) bool {
		writeErrors(w, http.StatusBadRequest, code, msg, nil)
		return false
	}
	switch {
	case !ValidDirectoryName(d.Name):
		return bad("directory.name.invalid", "Directory name is required, at most 128 characters of letters, digits, space, hyphen (-) and underscore (_).")
	case len(d.Domains) != 1 || strings.TrimSpace(d.Domains[0]) == "":
		return bad("directory.domains.invalid", "Exactly one domain is supported.")
	case !dirSources[d.Source]:
		return bad("directory.source.invalid", "source must be one of AZURE, PING, OKTA, ACCESS, GENERIC.")
	case d.Type != "PROVISIONED" && d.Type != "JIT":
		return bad("directory.type.invalid", "type must be PROVISIONED or JIT.")
	}
	if d.DefaultDomain == "" {
		d.DefaultDomain = d.Domains[0]
	}
	if !strings.EqualFold(d.DefaultDomain, d.Domains[0]) {
		return bad("directory.default.domain.invalid", "default_domain must be one of domains.")
	}
	return true
}

// conflict returns code, message, parameter name and value of a 409, or nil. Caller holds e.mu.
func (e *Emulator) conflict(d *directory) []string {
	for _, o := range e.dirs {
		if o.ID == d.ID {
			continue
		}
		if strings.EqualFold(o.Name, d.Name) {
			return []string{"directory.with.name.already.exists", fmt.Sprintf("Directory with name %s already exists.", d.Name), "directory_name", d.Name}
		}
		for _, x := range o.Domains {
			if strings.EqualFold(x, d.Domains[0]) {
				return []string{"directory.with.domain.already.exists", fmt.Sprintf("Domain %s is already associated with directory %s.", x, o.Name), "domain", x}
			}
		}
	}
	return nil
}

// dirOr404 is the path's directory, looked up with mu held; nil has been answered 404.
func (e *Emulator) dirOr404(w http.ResponseWriter, r *http.Request) *directory {
	d := e.findDir(r.PathValue("id"))
	if d == nil {
		writeErrors(w, http.StatusNotFound, "directory.not.found", "Directory not found.", map[string]string{"directory_id": r.PathValue("id")})
	}
	return d
}

func (e *Emulator) getDir(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if d := e.dirOr404(w, r); d != nil {
		writeJSON(w, http.StatusOK, d.wire(e.linkBase(), true))
	}
}

func (e *Emulator) patchDir(w http.ResponseWriter, r *http.Request, b *dirBody) {
	d := e.dirOr404(w, r)
	if d == nil {
		return
	}
	nd := *d
	setIf(&nd.Name, b.Name)
	if b.Domains != nil {
		nd.Domains = b.Domains
		nd.DefaultDomain = ""
	}
	setIf(&nd.DefaultDomain, b.DefaultDomain)
	setIf(&nd.Source, b.Source)
	setIf(&nd.Type, b.Type)
	if b.Attributes != nil {
		nd.Attributes = b.Attributes
	}
	if !e.validDir(w, &nd) {
		return
	}
	if err := e.conflict(&nd); err != nil {
		writeErrors(w, http.StatusConflict, err[0], err[1], map[string]string{err[2]: err[3]})
		return
	}
	*d = nd
	writeJSON(w, http.StatusOK, d.wire(e.linkBase(), true))
}

// deleteDir answers 202: the delete is asynchronous on a real tenant and also removes the
// directory's sync clients, users and groups. Here it completes before the answer.
func (e *Emulator) deleteDir(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	idx := -1
	for i, d := range e.dirs {
		if d.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		e.mu.Unlock()
		writeErrors(w, http.StatusNotFound, "directory.not.found", "Directory not found.", map[string]string{"directory_id": id})
		return
	}
	e.dirs = append(e.dirs[:idx], e.dirs[idx+1:]...)
	e.dropSyncTokens(id)
	for _, p := range e.idps {
		var keep []string
		for _, x := range p.DirectoryIDs {
			if x != id {
				keep = append(keep, x)
			}
		}
		p.DirectoryIDs = keep
	}
	e.mu.Unlock()
	e.scim.deleteDirectory(id)
	w.WriteHeader(http.StatusAccepted)
}

// Token TTL bounds in minutes (default ≈ 6 months, max 24 months).
const (
	DefaultTokenTTL = 262800
	MaxTokenTTL     = 1051200
)

func (e *Emulator) syncClientAction(w http.ResponseWriter, r *http.Request) {
	if a := r.URL.Query().Get("action"); a != "generate_credentials" {
		writeErrors(w, http.StatusBadRequest, "sync.client.action.invalid", "Unsupported action "+a+"; use generate_credentials.", nil)
		return
	}
	var b struct {
		GenerateToken *bool  `json:"generate_token"`
		TokenTTL      *int64 `json:"token_ttl"`
	}
	if !decodeStrict(w, r, &b) {
		return
	}
	gen := b.GenerateToken == nil || *b.GenerateToken
	ttl := int64(DefaultTokenTTL)
	if b.TokenTTL != nil {
		ttl = *b.TokenTTL
	}
	if ttl < 1 || ttl > MaxTokenTTL {
		writeErrors(w, http.StatusBadRequest, "sync.client.token.ttl.invalid", fmt.Sprintf("token_ttl must be between 1 and %d minutes.", MaxTokenTTL), nil)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.dirOr404(w, r)
	if d == nil {
		return
	}
	// New credentials invalidate the previous ones.
	e.dropSyncTokens(d.ID)
	now := e.now()
	exp := now.Add(time.Duration(ttl) * time.Minute)
	links := map[string]any{"self": map[string]string{"href": e.linkBase() + "/" + d.ID + "/sync-client"}}
	if !gen {
		d.sync = &syncClient{ttl: ttl, exp: exp, clientID: "sync-" + sandbox.RandHex(6)}
		writeJSON(w, http.StatusOK, map[string]any{"generate_token": false, "token_ttl": ttl, "client_id": d.sync.clientID,
			"client_secret": sandbox.RandHex(24), "_links": links})
		return
	}
	tok := e.signJWT(map[string]any{"iss": e.url + "/acs", "sub": "sync-client:" + d.ID, "aud": e.url + "/usergroup/scim/v2",
		"iat": now.Unix(), "exp": exp.Unix(), "jti": sandbox.NewUUID(), "directory_id": d.ID})
	d.sync = &syncClient{ttl: ttl, exp: exp, token: tok}
	e.syncTokens[tok] = syncToken{dirID: d.ID, exp: exp}
	writeJSON(w, http.StatusOK, map[string]any{"generate_token": true, "token_ttl": ttl, "access_token": tok,
		"access_token_expire_in": int64(exp.Sub(now) / time.Second), "_links": links})
}

func (e *Emulator) getSyncClient(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.findDir(r.PathValue("id"))
	if d == nil || d.sync == nil {
		writeErrors(w, http.StatusNotFound, "sync.client.not.found", "No sync client is configured for the directory.", map[string]string{"directory_id": r.PathValue("id")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"generate_token": d.sync.token != "", "token_ttl": d.sync.ttl,
		"_links": map[string]any{"self": map[string]string{"href": e.linkBase() + "/" + d.ID + "/sync-client"}}})
}

// dropSyncTokens forgets the SCIM tokens of directory dirID. Caller holds e.mu.
func (e *Emulator) dropSyncTokens(dirID string) {
	for t, st := range e.syncTokens {
		if st.dirID == dirID {
			delete(e.syncTokens, t)
		}
	}
}

// scimAuth resolves a SCIM bearer token to its directory.
func (e *Emulator) scimAuth(tok string) (dirID string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.syncTokens[tok]
	if !ok || e.now().After(st.exp) {
		return "", false
	}
	return st.dirID, true
}

type idp struct {
	ID           string
	Name         string
	Type         string
	SourceType   string
	DirectoryIDs []string
	OIDC         *oidcProfile
	AuthTypes    []map[string]any
}

type oidcProfile struct {
	ClientID                        string            `json:"client_id"`
	ClientSecret                    string            `json:"client_secret,omitempty"`
	ConfigurationURL                string            `json:"configuration_url"`
	OIDCUserAttributeMapping        map[string]string `json:"oidc_user_attribute_mapping"`
	AuthorizeParams                 map[string]string `json:"authorize_params"`
	TokenParams                     map[string]string `json:"token_params"`
	PassThroughClaims               bool              `json:"pass_through_claims"`
	OpenIDUserIdentifierAttribute   string            `json:"open_id_user_identifier_attribute"`
	InternalUserIdentifierAttribute string            `json:"internal_user_identifier_attribute"`
	LoginHintUserAttribute          string            `json:"login_hint_user_attribute"`
	SendLoginHintInRequest          bool              `json:"send_login_hint_in_request"`
}

type idpBody struct {
	IdPName       *string `json:"idp_name"`
	IdPType       *string `json:"idp_type"`
	IdPSourceType *string `json:"idp_source_type"`
	DirectoryList []struct {
		ID string `json:"id"`
	} `json:"directory_list"`
	OIDCProfile       *oidcProfile     `json:"oidc_profile"`
	SAMLProfile       map[string]any   `json:"saml_profile"`
	TrustCertificates []string         `json:"trust_certificates"`
	AuthTypeList      []map[string]any `json:"auth_type_list"`
}

func (p *idp) wire(list bool) map[string]any {
	ids := p.DirectoryIDs
	if ids == nil {
		ids = []string{}
	}
	m := map[string]any{"id": p.ID, "idp_name": p.Name, "idp_type": p.Type, "directory_ids": ids}
	if list {
		return m
	}
	m["idp_source_type"] = p.SourceType
	dl := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		dl = append(dl, map[string]string{"id": id})
	}
	m["directory_list"] = dl
	if p.OIDC != nil {
		o := *p.OIDC
		o.ClientSecret = "" // never returned
		m["oidc_profile"] = o
	}
	m["auth_type_list"] = p.AuthTypes
	return m
}

func (e *Emulator) findIdP(id string) *idp {
	return byID(e.idps, id, func(p *idp) string { return p.ID })
}

func (e *Emulator) listIdPs(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	items := wireAll(e.idps, func(p *idp) map[string]any { return p.wire(true) })
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// applyIdP validates b onto p; it returns an error message for a 400.
func (e *Emulator) applyIdP(p *idp, b *idpBody, create bool) string {
	setIf(&p.Name, b.IdPName)
	setIf(&p.Type, b.IdPType)
	setIf(&p.SourceType, b.IdPSourceType)
	if b.DirectoryList != nil {
		p.DirectoryIDs = nil
		for _, d := range b.DirectoryList {
			if e.findDir(d.ID) == nil {
				return "directory_list names an unknown directory " + d.ID + "."
			}
			p.DirectoryIDs = append(p.DirectoryIDs, d.ID)
		}
	}
	if b.OIDCProfile != nil {
		p.OIDC = b.OIDCProfile
	}
	if b.AuthTypeList != nil && !create {
		p.AuthTypes = b.AuthTypeList
	}
	switch {
	case strings.TrimSpace(p.Name) == "":
		return "idp_name is required."
	case p.Type != "OIDC" && p.Type != "SAML":
		return "idp_type must be OIDC or SAML."
	case p.SourceType != "GENERIC" && p.SourceType != "ENTRA" && p.SourceType != "OKTA":
		return "idp_source_type must be GENERIC, ENTRA or OKTA."
	case p.Type == "OIDC" && (p.OIDC == nil || p.OIDC.ConfigurationURL == ""):
		return "oidc_profile.configuration_url is required for an OIDC identity provider."
	case p.Type == "OIDC" && p.OIDC.ClientID == "":
		return "oidc_profile.client_id is required."
	}
	if p.OIDC != nil {
		for _, m := range []*map[string]string{&p.OIDC.OIDCUserAttributeMapping, &p.OIDC.AuthorizeParams, &p.OIDC.TokenParams} {
			if *m == nil {
				*m = map[string]string{}
			}
		}
		if p.OIDC.OpenIDUserIdentifierAttribute == "" {
			p.OIDC.OpenIDUserIdentifierAttribute = "sub"
		}
		if p.OIDC.InternalUserIdentifierAttribute == "" {
			p.OIDC.InternalUserIdentifierAttribute = "ExternalId"
		}
		if p.OIDC.LoginHintUserAttribute == "" {
			p.OIDC.LoginHintUserAttribute = "userName"
		}
	}
	return ""
}

// applyIdPOrFail applies b onto p and checks that no other identity provider has p's name;
// false has been answered 400 or 409. Caller holds e.mu.
func (e *Emulator) applyIdPOrFail(w http.ResponseWriter, p *idp, b *idpBody, create bool) bool {
	if msg := e.applyIdP(p, b, create); msg != "" {
		writeErrors(w, http.StatusBadRequest, "identity.provider.invalid", msg, nil)
		return false
	}
	for _, o := range e.idps {
		if o.ID != p.ID && strings.EqualFold(o.Name, p.Name) {
			writeErrors(w, http.StatusConflict, "identity.provider.with.name.already.exists",
				fmt.Sprintf("Identity provider with name %s already exists.", p.Name), map[string]string{"idp_name": p.Name})
			return false
		}
	}
	return true
}

func (e *Emulator) createIdP(w http.ResponseWriter, r *http.Request, b *idpBody) {
	p := &idp{ID: sandbox.NewUUID(), SourceType: "GENERIC",
		AuthTypes: []map[string]any{{"id": sandbox.NewUUID(), "auth_method_name": "OIDC Password", "saml_authn_context": "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"}}}
	if !e.applyIdPOrFail(w, p, b, true) {
		return
	}
	e.idps = append(e.idps, p)
	w.Header().Set("Location", "/federation/broker/identity-providers/"+p.ID)
	writeJSON(w, http.StatusCreated, p.wire(false))
}

// idpOr404 is the path's identity provider, looked up with mu held; nil has been answered 404.
func (e *Emulator) idpOr404(w http.ResponseWriter, r *http.Request) *idp {
	p := e.findIdP(r.PathValue("id"))
	if p == nil {
		idpNotFound(w)
	}
	return p
}

func idpNotFound(w http.ResponseWriter) {
	writeErrors(w, http.StatusNotFound, "identity.provider.not.found", "Identity provider not found.", nil)
}

func (e *Emulator) getIdP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.idpOr404(w, r); p != nil {
		writeJSON(w, http.StatusOK, p.wire(false))
	}
}

func (e *Emulator) patchIdP(w http.ResponseWriter, r *http.Request, b *idpBody) {
	p := e.idpOr404(w, r)
	if p == nil {
		return
	}
	np := *p
	if np.OIDC != nil && b.OIDCProfile != nil && b.OIDCProfile.ClientSecret == "" {
		b.OIDCProfile.ClientSecret = np.OIDC.ClientSecret
	}
	if !e.applyIdPOrFail(w, &np, b, false) {
		return
	}
	*p = np
	writeJSON(w, http.StatusOK, p.wire(false))
}

func (e *Emulator) deleteIdP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, p := range e.idps {
		if p.ID == r.PathValue("id") {
			e.idps = append(e.idps[:i], e.idps[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	idpNotFound(w)
}

// IssueSCIMToken creates the directory (when absent) and a SCIM token for it without going
// through the admin API: for tests and benchmarks of SCIM clients.
func (e *Emulator) IssueSCIMToken(name, domain string, ttl time.Duration) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var d *directory
	for _, x := range e.dirs {
		if strings.EqualFold(x.Name, name) {
			d = x
		}
	}
	if d == nil {
		d = &directory{ID: sandbox.NewUUID(), Name: name, Domains: []string{domain}, DefaultDomain: domain, Source: "OKTA", Type: "PROVISIONED"}
		e.dirs = append(e.dirs, d)
	}
	now := e.now()
	exp := now.Add(ttl)
	tok := e.signJWT(map[string]any{"sub": "sync-client:" + d.ID, "iat": now.Unix(), "exp": exp.Unix(), "jti": sandbox.NewUUID(), "directory_id": d.ID})
	d.sync = &syncClient{ttl: int64(ttl / time.Minute), exp: exp, token: tok}
	e.syncTokens[tok] = syncToken{dirID: d.ID, exp: exp}
	return tok
}
