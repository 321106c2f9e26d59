package oktaemu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

const oktaSpec = "management-2026.06.2-minimal.yaml"

// TestContract validates the emulator's answers to a scripted run over every management route
// it serves against Okta's published OpenAPI contract.
func TestContract(t *testing.T) {
	doc := loadContract(t)
	ie := identityemu.New()
	o := start(t, ie)
	scimToken := ie.IssueSCIMToken("Okta Directory", "okta.example.com", time.Hour)
	ids := map[string]string{"{g}": groupID(t, o, "WS1 Users"), "{push}": groupID(t, o, "WS1 Push"), "{u}": "00useedann0000000000",
		"{identity}": o.sb.Services["identity"].URL, "{token}": scimToken}
	sub := func(s string) string {
		for k, v := range ids {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	oidc := `{"name":"oidc_client","label":"OIDC","signOnMode":"OPENID_CONNECT","credentials":{"oauthClient":{"token_endpoint_auth_method":"client_secret_basic"}},
		"settings":{"oauthClient":{"redirect_uris":["https://ws1.example.com/cb"],"response_types":["code"],"grant_types":["authorization_code"],"application_type":"web"}}}`
	steps := []struct {
		method, tmpl, path, body string
		status                   int
		capture                  string // placeholder to set from the answer's id
		auth                     string
	}{
		{"POST", "/api/v1/apps", "/api/v1/apps", `{"name":"scim2testapp","label":"SCIM"}`, 200, "{scim}", ""},
		{"POST", "/api/v1/apps", "/api/v1/apps", `{"name":"vmwareworkspaceone","label":"WS1","settings":{"app":{"baseUrl":"https://ws1.example.com"}}}`, 200, "{acc}", ""},
		{"POST", "/api/v1/apps", "/api/v1/apps", oidc, 200, "{oidc}", ""},
		{"POST", "/api/v1/apps", "/api/v1/apps", `{"name":"nope","label":"X"}`, 400, "", ""},
		{"GET", "/api/v1/apps", "/api/v1/apps?limit=2&q=s", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}", "/api/v1/apps/{scim}", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}", "/api/v1/apps/0oaMissing0000000000", "", 404, "", ""},
		{"PUT", "/api/v1/apps/{appId}", "/api/v1/apps/{scim}", `{"name":"scim2testapp","label":"SCIM 2","signOnMode":"AUTO_LOGIN","settings":{"app":{}}}`, 200, "", ""},
		{"POST", "/api/v1/apps/{appId}/credentials/secrets", "/api/v1/apps/{oidc}/credentials/secrets", "", 201, "", ""},
		{"GET", "/api/v1/apps/{appId}/credentials/secrets", "/api/v1/apps/{oidc}/credentials/secrets", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/connections/default", "/api/v1/apps/{scim}/connections/default", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/features", "/api/v1/apps/{scim}/features", "", 400, "", ""},
		{"POST", "/api/v1/apps/{appId}/connections/default", "/api/v1/apps/{scim}/connections/default", `{"baseUrl":"{identity}/usergroup/scim/v2","profile":{"authScheme":"TOKEN","token":"{token}"}}`, 200, "", ""},
		{"POST", "/api/v1/apps/{appId}/connections/default/lifecycle/activate", "/api/v1/apps/{scim}/connections/default/lifecycle/activate", "", 204, "", ""},
		{"GET", "/api/v1/apps/{appId}/features", "/api/v1/apps/{scim}/features", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/features/{featureName}", "/api/v1/apps/{scim}/features/USER_PROVISIONING", "", 200, "", ""},
		{"PUT", "/api/v1/apps/{appId}/features/{featureName}", "/api/v1/apps/{scim}/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}},"update":{"profile":{"status":"ENABLED"},"lifecycleDeactivate":{"status":"ENABLED"}}}`, 200, "", ""},
		{"GET", "/api/v1/groups", "/api/v1/groups?limit=2", "", 200, "", ""},
		{"GET", "/api/v1/groups/{groupId}", "/api/v1/groups/{g}", "", 200, "", ""},
		{"GET", "/api/v1/groups/{groupId}/users", "/api/v1/groups/{g}/users", "", 200, "", ""},
		{"GET", "/api/v1/users", "/api/v1/users?limit=2", "", 200, "", ""},
		{"GET", "/api/v1/users/{id}", "/api/v1/users/{u}", "", 200, "", ""},
		{"PUT", "/api/v1/apps/{appId}/groups/{groupId}", "/api/v1/apps/{scim}/groups/{g}", `{}`, 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/groups", "/api/v1/apps/{scim}/groups", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/groups/{groupId}", "/api/v1/apps/{scim}/groups/{g}", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/users", "/api/v1/apps/{scim}/users", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/users/{userId}", "/api/v1/apps/{scim}/users/{u}", "", 200, "", ""},
		{"POST", "/api/v1/apps/{appId}/group-push/mappings", "/api/v1/apps/{scim}/group-push/mappings", `{"sourceGroupId":"{push}","status":"ACTIVE"}`, 201, "{gpm}", ""},
		{"POST", "/api/v1/apps/{appId}/group-push/mappings", "/api/v1/apps/{scim}/group-push/mappings", `{"sourceGroupId":"{push}","status":"ACTIVE"}`, 400, "", ""},
		{"GET", "/api/v1/apps/{appId}/group-push/mappings", "/api/v1/apps/{scim}/group-push/mappings", "", 200, "", ""},
		{"GET", "/api/v1/apps/{appId}/group-push/mappings/{mappingId}", "/api/v1/apps/{scim}/group-push/mappings/{gpm}", "", 200, "", ""},
		{"PATCH", "/api/v1/apps/{appId}/group-push/mappings/{mappingId}", "/api/v1/apps/{scim}/group-push/mappings/{gpm}", `{"status":"INACTIVE"}`, 200, "", ""},
		{"DELETE", "/api/v1/apps/{appId}/group-push/mappings/{mappingId}", "/api/v1/apps/{scim}/group-push/mappings/{gpm}", "", 204, "", ""},
		{"GET", "/api/v1/mappings", "/api/v1/mappings?sourceId=otyDefault&targetId={acc}", "", 200, "{prm}", ""},
		{"GET", "/api/v1/mappings/{mappingId}", "/api/v1/mappings/{prm}", "", 200, "", ""},
		{"POST", "/api/v1/mappings/{mappingId}", "/api/v1/mappings/{prm}", `{"properties":{"domain":{"expression":"\"okta.example.com\"","pushStatus":"PUSH"}}}`, 200, "", ""},
		{"GET", "/api/v1/meta/schemas/apps/{appId}/default", "/api/v1/meta/schemas/apps/{acc}/default", "", 200, "", ""},
		{"DELETE", "/api/v1/apps/{appId}/groups/{groupId}", "/api/v1/apps/{scim}/groups/{g}", "", 204, "", ""},
		{"POST", "/api/v1/apps/{appId}/connections/default/lifecycle/deactivate", "/api/v1/apps/{scim}/connections/default/lifecycle/deactivate", "", 204, "", ""},
		{"GET", "/api/v1/logs", "/api/v1/logs?filter=eventType+sw+%22application.provision.user%22&sortOrder=DESCENDING&limit=20", "", 200, "", ""},
		{"GET", "/api/v1/logs", "/api/v1/logs?filter=eventType+gt+%22x%22", "", 400, "", ""},
		{"GET", "/api/v1/logs", "/api/v1/logs", "", 403, "", "groups-only"},
		{"GET", "/api/v1/apps", "/api/v1/apps", "", 403, "", "groups-only"},
		{"GET", "/api/v1/apps", "/api/v1/apps", "", 429, "", "rate-limited"},
	}
	groupsOnly := o.bearer("okta.groups.read")
	for _, s := range steps {
		path, body := sub(s.path), sub(s.body)
		auth := "SSWS " + o.emu.APIToken()
		switch s.auth {
		case "groups-only":
			auth = groupsOnly
		case "rate-limited":
			o.emu.SetRateLimit(1)
			o.do("GET", "/api/v1/users", auth, "")
		}
		a := o.do(s.method, path, auth, body)
		if s.auth == "rate-limited" {
			o.emu.SetRateLimit(0)
		}
		if a.status != s.status {
			t.Fatalf("%s %s: %d %s (want %d)", s.method, path, a.status, a.body, s.status)
		}
		if s.capture != "" {
			var v any
			json.Unmarshal(a.body, &v)
			if l, ok := v.([]any); ok && len(l) > 0 {
				v = l[0]
			}
			id, _ := v.(map[string]any)["id"].(string)
			if id == "" {
				t.Fatalf("%s %s: no id in %s", s.method, path, a.body)
			}
			ids[s.capture] = id
		}
		checkAnswer(t, doc, s.method, s.tmpl, o.url+path, a)
	}
	if n := len(list(t, ie.State(), "Users")); n != 3 {
		t.Errorf("the scripted run provisioned %d users, want 3", n)
	}
}

// loadContract is Okta's management API contract; without ../shared/contracts the test skips
// (fails under CI).
func loadContract(t *testing.T) *openapi3.T {
	t.Helper()
	spec := filepath.Join(sandboxtest.ContractsDir(t), "okta", oktaSpec)
	doc, err := openapi3.NewLoader().LoadFromFile(spec)
	if err != nil {
		t.Fatalf("load %s: %v", spec, err)
	}
	return doc
}

// checkAnswer validates one answer of the emulator to method on the contract's path tmpl.
func checkAnswer(t *testing.T, doc *openapi3.T, method, tmpl, url string, a answer) {
	t.Helper()
	item := doc.Paths.Find(tmpl)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not in the contract", method, tmpl)
	}
	req, _ := http.NewRequest(method, url, nil)
	route := &routers.Route{Spec: doc, Path: tmpl, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route, PathParams: map[string]string{}},
		Status:                 a.status, Header: a.hdr, Body: io.NopCloser(bytes.NewReader(a.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d does not match the contract: %v", method, tmpl, a.status, err)
	}
}
