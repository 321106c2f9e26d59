package oktaemu

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// token is POST /oauth2/v1/token: client_credentials with a private_key_jwt client assertion.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body is not form-urlencoded.")
		return
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].")
		return
	}
	if f.Get("client_assertion_type") != assertionType || f.Get("client_assertion") == "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed: the client_assertion and client_assertion_type=jwt-bearer are required.")
		return
	}
	e.mu.Lock()
	aud := e.url + "/oauth2/v1/token"
	e.mu.Unlock()
	if err := e.verifyAssertion(f.Get("client_assertion"), f.Get("client_id"), aud); err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	requested := strings.Fields(f.Get("scope"))
	if len(requested) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
		return
	}
	var denied []string
	scopes := map[string]bool{}
	for _, s := range requested {
		if !slices.Contains(GrantedScopes, s) {
			denied = append(denied, s)
		}
		scopes[s] = true
	}
	if len(denied) > 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "The following scopes are not granted to the client: "+strings.Join(denied, " ")+".")
		return
	}
	e.mu.Lock()
	now := e.now()
	tok := e.signJWT(map[string]any{"ver": 1, "jti": "AT." + randHex(16), "iss": e.url, "aud": e.url, "iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "cid": ServiceClientID, "sub": ServiceClientID, "scp": requested})
	e.tokens[tok] = accessToken{scopes: scopes, exp: now.Add(time.Hour)}
	e.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": tok,
		"scope": strings.Join(requested, " ")})
}

// verifyAssertion checks the client assertion: RS256 with the registered kid, iss = sub =
// the client, aud = the token endpoint, exp in the future and at most an hour ahead, a jti
// not seen before.
func (e *Emulator) verifyAssertion(jwt, formClientID, aud string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("The client_assertion is not a valid JWT.")
	}
	var hdr struct{ Alg, Kid string }
	var claims struct {
		Iss, Sub, Jti string
		Aud           any
		Exp, Iat      float64
	}
	if err := sandbox.DecodeJWTSegment(parts[0], &hdr); err != nil {
		return errors.New("The client_assertion header is not valid JSON.")
	}
	if err := sandbox.DecodeJWTSegment(parts[1], &claims); err != nil {
		return errors.New("The client_assertion claims are not valid JSON.")
	}
	if hdr.Alg != "RS256" {
		return errors.New("The client_assertion signature algorithm " + hdr.Alg + " is not supported; use RS256.")
	}
	if claims.Iss != ServiceClientID || claims.Sub != claims.Iss || (formClientID != "" && formClientID != claims.Iss) {
		return errors.New("The client_assertion token's iss and sub must both be the client id of a registered client.")
	}
	if hdr.Kid != ServiceKeyID {
		return errors.New("The client_assertion was signed with a key (kid " + hdr.Kid + ") that is not registered for the client.")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("The client_assertion signature is not base64url.")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&e.serviceKey.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return errors.New("The client_assertion signature is invalid.")
	}
	audOK := false
	switch a := claims.Aud.(type) {
	case string:
		audOK = a == aud
	case []any:
		for _, x := range a {
			audOK = audOK || x == aud
		}
	}
	if !audOK {
		return errors.New("The audience claim for client_assertion must be the endpoint invoked for the request: " + aud + ".")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	exp := time.Unix(int64(claims.Exp), 0)
	switch {
	case claims.Exp == 0 || !now.Before(exp):
		return errors.New("The client_assertion token is expired.")
	case exp.After(now.Add(time.Hour + time.Minute)):
		return errors.New("The client_assertion token has an expiration too far into the future.")
	case claims.Jti == "":
		return errors.New("The client_assertion token must have a jti claim.")
	}
	for k, t := range e.jtis {
		if now.After(t) {
			delete(e.jtis, k)
		}
	}
	if _, seen := e.jtis[claims.Jti]; seen {
		return errors.New("The client_assertion token has already been used.")
	}
	e.jtis[claims.Jti] = exp
	return nil
}

// signJWT signs claims with the org key (RS256); call with mu held or before serving.
func (e *Emulator) signJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]any{"kid": e.orgKid, "alg": "RS256"})
	p, _ := json.Marshal(claims)
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(nil, e.orgKey, crypto.SHA256, sum[:])
	if err != nil {
		panic("oktaemu: " + err.Error())
	}
	return in + "." + enc.EncodeToString(sig)
}

// SignAssertion makes a client assertion for the service app with its key (tests, demo):
// aud is the token endpoint, ttl how long it is valid.
func (e *Emulator) SignAssertion(aud string, ttl time.Duration) string {
	return SignAssertion(e.serviceKey, ServiceKeyID, ServiceClientID, aud, time.Now(), ttl)
}

// SignAssertion signs a private_key_jwt client assertion with key.
func SignAssertion(key *rsa.PrivateKey, kid, clientID, aud string, now time.Time, ttl time.Duration) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]any{"kid": kid, "alg": "RS256", "typ": "JWT"})
	p, _ := json.Marshal(map[string]any{"iss": clientID, "sub": clientID, "aud": aud, "iat": now.Unix(),
		"exp": now.Add(ttl).Unix(), "jti": randHex(16)})
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("oktaemu: " + err.Error())
	}
	return in + "." + enc.EncodeToString(sig)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// keys is the org authorization server's JWKS.
func (e *Emulator) keys(w http.ResponseWriter, r *http.Request) {
	pub := e.orgKey.PublicKey
	enc := base64.RawURLEncoding
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{"kty": "RSA", "alg": "RS256", "kid": e.orgKid, "use": "sig",
		"e": enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()), "n": enc.EncodeToString(pub.N.Bytes())}}})
}

// discovery is the org authorization server's OpenID configuration.
func (e *Emulator) discovery(w http.ResponseWriter, r *http.Request) {
	u := e.orgURL()
	o := u + "/oauth2/v1"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": u, "authorization_endpoint": o + "/authorize", "token_endpoint": o + "/token",
		"userinfo_endpoint": o + "/userinfo", "registration_endpoint": o + "/clients", "jwks_uri": o + "/keys",
		"introspection_endpoint": o + "/introspect", "revocation_endpoint": o + "/revoke", "end_session_endpoint": o + "/logout",
		"response_types_supported":              []string{"code", "id_token", "code id_token", "code token", "id_token token", "code id_token token"},
		"response_modes_supported":              []string{"query", "fragment", "form_post", "okta_post_message"},
		"grant_types_supported":                 []string{"authorization_code", "implicit", "refresh_token", "password", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile", "address", "phone", "offline_access", "groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
		"claims_supported": []string{"iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "idp", "nonce", "name",
			"nickname", "preferred_username", "given_name", "middle_name", "family_name", "email", "email_verified", "profile",
			"zoneinfo", "locale", "address", "phone_number", "picture", "website", "gender", "birthdate", "updated_at", "at_hash", "c_hash"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"request_parameter_supported":                      true,
		"request_object_signing_alg_values_supported":      []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
		"introspection_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
		"revocation_endpoint_auth_methods_supported":       []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
		"dpop_signing_alg_values_supported":                []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
	})
}

// api wraps a management API handler: an SSWS API token (every scope) or a bearer access
// token holding one of anyOf.
func (e *Emulator) api(anyOf []string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, cred, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		cred = strings.TrimSpace(cred)
		switch {
		case strings.EqualFold(scheme, "SSWS") && cred != "" && subtle.ConstantTimeCompare([]byte(cred), []byte(e.apiToken)) == 1:
			h(w, r)
			return
		case strings.EqualFold(scheme, "Bearer") && cred != "":
			e.mu.Lock()
			t, ok := e.tokens[cred]
			now := e.now()
			u := e.url
			e.mu.Unlock()
			if !ok || !now.Before(t.exp) {
				break
			}
			for _, s := range anyOf {
				if t.scopes[s] {
					h(w, r)
					return
				}
			}
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="`+u+`/oauth2/v1/authorize", realm="IdpError", scope="`+anyOf[0]+
				`", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`)
			writeError(w, http.StatusForbidden, codeForbidden, "You do not have permission to perform the requested action", nil)
			return
		}
		writeError(w, http.StatusUnauthorized, codeToken, "Invalid token provided", nil)
	}
}
