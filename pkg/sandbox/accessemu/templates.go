package accessemu

import (
	"net/http"
	"strings"
)

// template is an OAuth2 app template: "length" (not tokenLength), TTLs in minutes, no secret.
type template struct {
	AppProductID        string         `json:"appProductId"`
	ResourceUUID        string         `json:"resourceUuid,omitempty"`
	Scope               string         `json:"scope"`
	AuthGrantTypes      string         `json:"authGrantTypes"`
	Authorities         *string        `json:"authorities"`
	RedirectURI         string         `json:"redirectUri"`
	TokenType           string         `json:"tokenType"`
	Length              int            `json:"length"`
	AccessTokenTTL      int64          `json:"accessTokenTTL"`
	RefreshTokenTTL     int64          `json:"refreshTokenTTL"`
	RefreshTokenIdleTTL int64          `json:"refreshTokenIdleTTL"`
	DisplayUserGrant    bool           `json:"displayUserGrant"`
	Links               map[string]any `json:"_links,omitempty"`
}

func (e *Emulator) templateOut(t *template) *template {
	cp := *t
	cp.Links = map[string]any{"self": map[string]string{"href": e.linkBase() + "/oauth2apptemplates/" + t.AppProductID}}
	return &cp
}

func templateNotFound(w http.ResponseWriter, id string) {
	writeErrors(w, http.StatusNotFound, "oauth2apptemplate.not.found", "OAuth2 app template "+id+" not found")
}

func (e *Emulator) validateTemplate(w http.ResponseWriter, t *template) bool {
	switch {
	case !idRE.MatchString(t.AppProductID):
		writeErrors(w, http.StatusBadRequest, "invalid.app.product.id", "appProductId must be 1-256 characters of A-Z a-z 0-9 . _ - @")
	case !validScope(t.Scope):
		writeErrors(w, http.StatusBadRequest, "invalid.scope", "scope must be a space-delimited list of admin, user, openid, profile, email, napps or a resource uuid")
	case !validGrants(t.AuthGrantTypes, tmplGTs):
		writeErrors(w, http.StatusBadRequest, "invalid.grant.type", "authGrantTypes must be a space-delimited list of authorization_code, refresh_token, client_credentials, password")
	case t.TokenType != "" && t.TokenType != "Bearer":
		writeErrors(w, http.StatusBadRequest, "invalid.token.type", "tokenType must be Bearer")
	case t.Length < 0 || t.AccessTokenTTL < 0 || t.RefreshTokenTTL < 0 || t.RefreshTokenIdleTTL < 0:
		writeErrors(w, http.StatusBadRequest, "invalid.value", "length and TTLs (minutes) cannot be negative")
	case hasWord(t.AuthGrantTypes, "authorization_code") && strings.TrimSpace(t.RedirectURI) == "":
		writeErrors(w, http.StatusBadRequest, "invalid.redirect.uri", "redirectUri is required for the authorization_code grant")
	default:
		if t.TokenType == "" {
			t.TokenType = "Bearer"
		}
		if t.Length == 0 {
			t.Length = 32
		}
		t.Links = nil
		return true
	}
	return false
}

func (e *Emulator) listTemplates(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, "oauth2apptemplate.list")
	if mt == "" {
		return
	}
	items := listRecs(e, e.templateRecs, e.templateOut)
	writeJSON(w, http.StatusOK, mt, map[string]any{"items": items})
}

func (e *Emulator) getTemplate(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, "oauth2apptemplate")
	if mt == "" {
		return
	}
	getRec(e, w, r, mt, e.templateRecs, e.templateOut, templateNotFound)
}

func (e *Emulator) createTemplate(w http.ResponseWriter, r *http.Request) {
	var t template
	mt := e.newBody(w, r, "oauth2apptemplate", &t, func() bool { return e.validateTemplate(w, &t) })
	if mt == "" {
		return
	}
	out, ok := storeNew(e, e.templateRecs, t.AppProductID, &t, e.templateOut, func() {
		// Undocumented on the real service; the emulator refuses like other duplicates.
		writeErrors(w, http.StatusConflict, "oauth2apptemplate.already.exists", "OAuth2 app template "+t.AppProductID+" already exists")
	})
	if ok {
		writeJSON(w, http.StatusCreated, mt, out)
	}
}

func (e *Emulator) putTemplate(w http.ResponseWriter, r *http.Request) {
	var t template
	mt, id := e.putBody(w, r, "oauth2apptemplate", &t, &t.AppProductID, func() {
		writeErrors(w, http.StatusBadRequest, "invalid.app.product.id", "appProductId cannot be changed; delete and re-create the template")
	}, func() bool { return e.validateTemplate(w, &t) })
	if mt == "" {
		return
	}
	if out, ok := replaceRec(e, w, id, e.templateRecs, &t, func(*template) {}, e.templateOut, templateNotFound); ok {
		writeJSON(w, http.StatusCreated, mt, out)
	}
}

func (e *Emulator) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	deleteRec(e, w, r, e.templateRecs, func(string) {}, templateNotFound)
}

// templateRecs is the templates by app product id; call with mu held.
func (e *Emulator) templateRecs() map[string]*template { return e.templates }
