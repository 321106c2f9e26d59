package accessemu

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// token serves POST /SAAS/auth/oauthtoken: parameters from the query or a form body,
// client credentials from Basic auth or client_id/client_secret parameters.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	params := url.Values{}
	for k, v := range r.URL.Query() {
		params[k] = v
	}
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form body")
			return
		}
		for k, v := range r.PostForm {
			if _, ok := params[k]; !ok {
				params[k] = v
			}
		}
	}
	grant := params.Get("grant_type")
	switch grant {
	case "":
		// The spec answers 500 when grant_type is absent.
		oauthError(w, http.StatusInternalServerError, "invalid_request", "grant_type is incorrect or absent")
		return
	case "client_credentials":
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "the emulator supports grant_type client_credentials only")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = params.Get("client_id"), params.Get("client_secret")
	}
	if id == "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	e.mu.Lock()
	c := e.clients[id]
	var ok bool
	if c != nil {
		ok = subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) == 1
	}
	if !ok {
		e.mu.Unlock()
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if !hasWord(c.AuthGrantTypes, "client_credentials") {
		e.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client is not allowed the client_credentials grant")
		return
	}
	scope := c.Scope
	if req := params.Get("scope"); req != "" {
		for _, s := range strings.Fields(req) {
			if !hasWord(c.Scope, s) {
				e.mu.Unlock()
				oauthError(w, http.StatusBadRequest, "invalid_scope", "scope "+s+" is not allowed for this client")
				return
			}
		}
		scope = req
	}
	ttl := time.Duration(c.AccessTokenTTL) * time.Minute
	if ttl <= 0 {
		ttl = 3 * time.Hour
	}
	now := e.now()
	tok := newJWT(id, scope, now, now.Add(ttl))
	if len(e.tokens) > 10000 {
		for k, v := range e.tokens {
			if now.After(v.exp) {
				delete(e.tokens, k)
			}
		}
	}
	e.tokens[tok] = tokenInfo{clientID: id, scope: scope, exp: now.Add(ttl)}
	e.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, "application/json;charset=UTF-8", map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int64(ttl/time.Second) - 1, "scope": scope,
	})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, "application/json;charset=UTF-8", map[string]string{"error": code, "error_description": desc})
}
