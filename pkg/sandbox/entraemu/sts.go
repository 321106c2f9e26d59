package entraemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// STS is the emulated Entra ID security token service (login.microsoftonline.com).
type STS struct{ t *tenant }

// adminOID is the object id of the sandbox's signed-in admin user.
const adminOID = "3e9f1a2b-7c4d-4b5e-8f6a-1b2c3d4e5f60"

func (s *STS) Name() string          { return "sts" }
func (s *STS) Handler() http.Handler { return http.HandlerFunc(s.serve) }
func (s *STS) Bind(env *sandbox.Env) { s.t.bind(env) }

// Reset forgets device codes and refresh tokens (the directory is Graph's to reset).
func (s *STS) Reset() {
	s.t.mu.Lock()
	s.t.devices = map[string]*deviceCode{}
	s.t.refresh = map[string]refreshGrant{}
	s.t.codes = map[string]*authCode{}
	s.t.mu.Unlock()
}

// State lists the clients that can sign in (never their secrets) and pending device codes.
func (s *STS) State() any {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	var clients []any
	for _, c := range s.t.clients {
		clients = append(clients, map[string]any{"appId": c.ID, "publicClient": c.Secret == "", "roles": c.Roles, "scopes": c.Scopes})
	}
	slices.SortFunc(clients, func(a, b any) int {
		return strings.Compare(a.(map[string]any)["appId"].(string), b.(map[string]any)["appId"].(string))
	})
	var codes []any
	for _, d := range s.t.devices {
		codes = append(codes, map[string]any{"user_code": d.userCode, "client_id": d.clientID, "approved": d.polls >= s.t.devicePolls})
	}
	return map[string]any{"tenants": []any{map[string]any{"tenantId": TenantID}}, "clients": clients, "deviceCodes": codes}
}

type deviceCode struct {
	clientID, userCode, scope string
	polls                     int
	expires                   time.Time
}

type refreshGrant struct {
	clientID string
	scopes   []string
}

func validTenant(seg string) bool {
	switch strings.ToLower(seg) {
	case TenantID, "common", "organizations", "flowsctl-sandbox.onmicrosoft.com":
		return true
	}
	return false
}

func (s *STS) serve(w http.ResponseWriter, r *http.Request) {
	if s.serveARM(w, r) {
		return
	}
	p := strings.Trim(r.URL.Path, "/")
	if p == "common/discovery/instance" && r.Method == http.MethodGet {
		s.instanceDiscovery(w, r)
		return
	}
	tenantSeg, rest, _ := strings.Cut(p, "/")
	if !validTenant(tenantSeg) {
		stsError(w, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenantSeg))
		return
	}
	switch {
	case r.Method == http.MethodGet && rest == "v2.0/.well-known/openid-configuration":
		s.openIDConfig(w, tenantSeg)
	case r.Method == http.MethodGet && rest == "discovery/v2.0/keys":
		writeJSON(w, http.StatusOK, s.t.jwks())
	case r.Method == http.MethodPost && rest == "oauth2/v2.0/token":
		s.token(w, r)
	case r.Method == http.MethodPost && rest == "oauth2/v2.0/devicecode":
		s.deviceCode(w, r)
	case r.Method == http.MethodGet && rest == "oauth2/v2.0/authorize":
		s.authorize(w, r)
	default:
		stsError(w, http.StatusNotFound, "invalid_request", 900561, "The endpoint only accepts the documented methods and paths: "+r.Method+" "+r.URL.Path)
	}
}

// tenantSeg is the first path segment of r (the tenant id or alias it was addressed with).
func tenantSeg(r *http.Request) string {
	seg, _, _ := strings.Cut(strings.Trim(r.URL.Path, "/"), "/")
	return seg
}

func (s *STS) base() string {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	return s.t.stsURL
}

func (s *STS) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	base := s.base()
	host := strings.TrimPrefix(base, "https://")
	tenantSeg := "common"
	if ae := r.URL.Query().Get("authorization_endpoint"); ae != "" {
		if u, err := url.Parse(ae); err == nil {
			if seg, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/"); seg != "" {
				tenantSeg = seg
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": base + "/" + tenantSeg + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []any{map[string]any{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	})
}

func (s *STS) openIDConfig(w http.ResponseWriter, tenantSeg string) {
	base := s.base()
	tb := base + "/" + tenantSeg
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        tb + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              tb + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/" + TenantID + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     base + "/oidc/userinfo",
		"authorization_endpoint":                tb + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         tb + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  tb + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "tid", "oid", "scp", "roles"},
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
	})
}

// resourceOf picks the resource of a v2.0 scope string: "https://graph.microsoft.com/.default openid"
// -> ("https://graph.microsoft.com", ["<client's scopes>"]); named scopes keep their names.
func resourceOf(scope string) (resource string, names []string, dflt bool) {
	for _, f := range strings.Fields(scope) {
		switch f {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		if r, ok := strings.CutSuffix(f, "/.default"); ok {
			return r, nil, true
		}
		if i := strings.LastIndex(f, "/"); i > 0 && strings.Contains(f, "://") {
			resource = f[:i]
			names = append(names, f[i+1:])
			continue
		}
		if resource == "" {
			resource = "https://graph.microsoft.com"
		}
		names = append(names, f)
	}
	return resource, names, false
}

func (s *STS) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		stsError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	f := r.PostForm
	clientID := f.Get("client_id")
	if clientID == "" {
		if u, _, ok := r.BasicAuth(); ok {
			clientID = u
		}
	}
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.clients[clientID]
	if c == nil {
		stsError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory 'flowsctl-sandbox'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", clientID))
		return
	}
	switch gt := f.Get("grant_type"); gt {
	case "client_credentials":
		secret := f.Get("client_secret")
		if secret == "" {
			if _, p, ok := r.BasicAuth(); ok {
				secret = p
			}
		}
		if a := f.Get("client_assertion"); a != "" {
			if ae := t.verifyAssertion(c, a, f.Get("client_assertion_type"), t.stsURL+"/"+tenantSeg(r)+"/oauth2/v2.0/token"); ae != nil {
				stsError(w, http.StatusUnauthorized, "invalid_client", ae.code, ae.msg)
				return
			}
		} else if c.Secret == "" || secret != c.Secret {
			stsError(w, http.StatusUnauthorized, "invalid_client", 7000215,
				"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '"+clientID+"'.")
			return
		}
		res, _, dflt := resourceOf(f.Get("scope"))
		if !dflt {
			stsError(w, http.StatusBadRequest, "invalid_scope", 1002012,
				"The provided value for scope "+f.Get("scope")+" is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
			return
		}
		at := t.accessToken(res, clientID, append([]string{}, c.Roles...), nil, clientID, time.Hour)
		writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": at})
	case "urn:ietf:params:oauth:grant-type:device_code", "device_code":
		dc := t.devices[f.Get("device_code")]
		switch {
		case dc == nil || dc.clientID != clientID:
			stsError(w, http.StatusBadRequest, "invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.")
			return
		case t.now().After(dc.expires):
			delete(t.devices, f.Get("device_code"))
			stsError(w, http.StatusBadRequest, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
			return
		case dc.polls < t.devicePolls:
			dc.polls++
			stsError(w, http.StatusBadRequest, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
			return
		}
		delete(t.devices, f.Get("device_code"))
		s.userTokens(w, c, dc.scope)
	case "authorization_code":
		scope, code, problem := t.redeemCode(clientID, f)
		if problem != "" {
			stsError(w, http.StatusBadRequest, "invalid_grant", code, problem)
			return
		}
		s.userTokens(w, c, scope)
	case "refresh_token":
		g, ok := t.refresh[f.Get("refresh_token")]
		if !ok || g.clientID != clientID {
			stsError(w, http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the refresh token is not valid.")
			return
		}
		s.userTokens(w, c, f.Get("scope"))
	default:
		stsError(w, http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt))
	}
}

// userTokens answers a delegated grant for the sandbox admin. Caller holds t.mu.
func (s *STS) userTokens(w http.ResponseWriter, c *Client, scope string) {
	t := s.t
	res, names, dflt := resourceOf(scope)
	scp := append([]string{}, c.Scopes...)
	if !dflt && len(names) > 0 {
		scp = nil
		for _, n := range names {
			if slices.Contains(c.Scopes, n) {
				scp = append(scp, n)
			}
		}
	}
	if res == "" {
		res = "https://graph.microsoft.com"
	}
	rt := randomString(48)
	t.refresh[rt] = refreshGrant{clientID: c.ID, scopes: scp}
	now := t.now()
	idt := t.sign(map[string]any{"aud": c.ID, "iss": t.issuer(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"name": "Sandbox Admin", "oid": adminOID, "preferred_username": AdminUPN, "sub": adminOID, "tid": TenantID, "ver": "2.0"})
	ci, _ := json.Marshal(map[string]string{"uid": adminOID, "utid": TenantID})
	// Like Entra, echo the resource-qualified scopes granted (and a requested /.default), so
	// MSAL finds no declined scope.
	granted := strings.Fields(scope)
	for _, n := range scp {
		granted = append(granted, res+"/"+n)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "scope": strings.Join(granted, " "), "expires_in": 3599, "ext_expires_in": 3599,
		"access_token": t.accessToken(res, c.ID, nil, scp, adminOID, time.Hour), "refresh_token": rt, "id_token": idt,
		"client_info": b64(ci),
	})
}

func (s *STS) deviceCode(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		stsError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	t := s.t
	t.mu.Lock()
	defer t.mu.Unlock()
	clientID := r.PostForm.Get("client_id")
	c := t.clients[clientID]
	if c == nil {
		stsError(w, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory 'flowsctl-sandbox'.", clientID))
		return
	}
	if c.Secret != "" {
		stsError(w, http.StatusBadRequest, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'. The device code flow needs a public client.")
		return
	}
	code := strings.ToUpper(randomString(9))
	dc := &deviceCode{clientID: clientID, userCode: code, scope: r.PostForm.Get("scope"), expires: t.now().Add(15 * time.Minute)}
	device := randomString(64)
	t.devices[device] = dc
	verify := t.stsURL + "/devicelogin"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code": code, "device_code": device, "verification_uri": verify, "expires_in": 900, "interval": 1,
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, code),
	})
}

// stsError writes the STS's OAuth error body, with the AADSTS code in front of the description.
func stsError(w http.ResponseWriter, status int, code string, aadsts int, desc string) {
	now := time.Now().UTC()
	trace := newGUID()
	corr := newGUID()
	writeJSON(w, status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, desc, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      "https://login.microsoftonline.com/error?code=" + fmt.Sprint(aadsts),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
