package entraemu

import (
	"crypto/sha256"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// authCode is an authorization code the sandbox admin "approved" in the browser.
type authCode struct {
	clientID, redirectURI, scope, challenge string
	expires                                 time.Time
}

// authorize is GET /{tenant}/oauth2/v2.0/authorize: the interactive browser flow of a public
// client with PKCE (S256). No person is asked: the sandbox admin is signed in and consents,
// and the browser is sent straight back to the app's loopback redirect URI with a code, as
// Entra does once the user has signed in.
func (s *STS) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.clients[q.Get("client_id")]
	if c == nil {
		stsError(w, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+q.Get("client_id")+"' was not found in the directory 'flowsctl-sandbox'.")
		return
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || ru.Scheme != "http" || (ru.Hostname() != "localhost" && ru.Hostname() != "127.0.0.1") {
		// Entra shows this on its own page; it never redirects to an unregistered URI.
		stsError(w, http.StatusBadRequest, "invalid_request", 50011, "The redirect URI '"+q.Get("redirect_uri")+"' specified in the request does not match the redirect URIs configured for the application (public clients: http://localhost).")
		return
	}
	back := ru.Query()
	back.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
		back.Set("error_description", "AADSTS700054: response_type must be code.")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		back.Set("error", "invalid_request")
		back.Set("error_description", "AADSTS9002325: Proof Key for Code Exchange (S256) is required for cross-origin authorization code redemption.")
	default:
		code := randomString(48)
		t.codes[code] = &authCode{clientID: c.ID, redirectURI: q.Get("redirect_uri"), scope: q.Get("scope"),
			challenge: q.Get("code_challenge"), expires: t.now().Add(10 * time.Minute)}
		back.Set("code", code)
	}
	if q.Get("response_mode") == "form_post" {
		// Entra answers with a page whose form the browser posts to the redirect URI.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var b strings.Builder
		b.WriteString(`<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="`)
		b.WriteString(html.EscapeString(ru.String()))
		b.WriteString(`">`)
		for _, k := range []string{"code", "state", "error", "error_description"} {
			if v := back.Get(k); v != "" {
				b.WriteString(`<input type="hidden" name="` + k + `" value="` + html.EscapeString(v) + `" />`)
			}
		}
		b.WriteString(`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form>` +
			`<script language="javascript">document.forms[0].submit();</script></body></html>`)
		io.WriteString(w, b.String())
		return
	}
	ru.RawQuery = back.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// redeemCode checks an authorization_code grant; problem is "" when it is good. Caller holds t.mu.
func (t *tenant) redeemCode(clientID string, f url.Values) (scope string, code int, problem string) {
	ac := t.codes[f.Get("code")]
	delete(t.codes, f.Get("code")) // a code is good once
	switch {
	case ac == nil || ac.clientID != clientID:
		return "", 70000, "The provided value for the 'code' parameter is not valid."
	case t.now().After(ac.expires):
		return "", 70008, "The provided authorization code or refresh token has expired."
	case f.Get("redirect_uri") != ac.redirectURI:
		return "", 70001, "The redirect URI does not match the one the code was issued for."
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if strings.TrimRight(ac.challenge, "=") != b64(sum[:]) {
		return "", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."
	}
	scope = f.Get("scope")
	if scope == "" {
		scope = ac.scope
	}
	return scope, 0, ""
}
