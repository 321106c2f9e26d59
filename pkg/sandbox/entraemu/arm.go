package entraemu

import (
	"net/http"
	"strings"
)

// serveARM answers the two Azure Resource Manager lists a client reads when it signs in (the
// Azure CLI's `az login` does): GET /subscriptions (none: the sandbox tenant has no Azure
// subscription) and GET /tenants (the sandbox tenant). They are served on the STS listener so
// that a cloud configuration can name it as the resource manager endpoint. It reports whether
// the request was one of them.
func (s *STS) serveARM(w http.ResponseWriter, r *http.Request) bool {
	p := strings.TrimSuffix(r.URL.Path, "/")
	if p != "/subscriptions" && p != "/tenants" {
		return false
	}
	if r.Method != http.MethodGet {
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method is not allowed on this resource.")
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		armError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return true
	}
	if _, err := s.t.verify(strings.TrimSpace(tok)); err != nil {
		armError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return true
	}
	if r.URL.Query().Get("api-version") == "" {
		armError(w, http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return true
	}
	if p == "/subscriptions" {
		writeJSON(w, http.StatusOK, map[string]any{"value": []any{}, "count": map[string]any{"type": "Total", "value": 0}})
		return true
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{
		"id": "/tenants/" + TenantID, "tenantId": TenantID, "tenantCategory": "Home", "countryCode": "US",
		"displayName": "flowsctl sandbox", "domains": []any{"flowsctl-sandbox.onmicrosoft.com"},
		"defaultDomain": "flowsctl-sandbox.onmicrosoft.com", "tenantType": "AAD",
	}}})
	return true
}

func armError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}
