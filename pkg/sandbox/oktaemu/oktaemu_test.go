package oktaemu_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// org is a running okta emulator (and whatever else the test serves) with a client.
type org struct {
	t   *testing.T
	sb  *sandbox.Sandbox
	emu *oktaemu.Emulator
	hc  *httpx.Client
	raw *http.Client // no retries: every answer is seen as sent
	url string
}

func start(t *testing.T, others ...sandbox.Emulator) *org {
	t.Helper()
	emu := oktaemu.New()
	sb := sandboxtest.Start(t, append([]sandbox.Emulator{emu}, others...)...)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sb.CA.CertPEM)
	raw := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(raw.CloseIdleConnections)
	return &org{t: t, sb: sb, emu: emu, hc: sandboxtest.Client(t, sb), raw: raw, url: sb.Services["okta"].URL}
}

type answer struct {
	status int
	body   []byte
	hdr    http.Header
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

func (a answer) obj(t *testing.T) map[string]any {
	var m map[string]any
	a.json(t, &m)
	return m
}

func (o *org) do(method, path, auth, body string) answer {
	o.t.Helper()
	u := path
	if !strings.HasPrefix(u, "https://") {
		u = o.url + path
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := o.raw.Do(req)
	if err != nil {
		o.t.Fatalf("%s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return answer{resp.StatusCode, b, resp.Header}
}

// must is do with SSWS, failing the test unless the status is want.
func (o *org) must(want int, method, path, body string) answer {
	o.t.Helper()
	a := o.do(method, path, "SSWS "+o.emu.APIToken(), body)
	if a.status != want {
		o.t.Fatalf("%s %s: %d %s (want %d)", method, path, a.status, a.body, want)
	}
	return a
}

func (o *org) tokenRequest(form url.Values) answer {
	o.t.Helper()
	req, _ := http.NewRequest("POST", o.url+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := o.raw.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return answer{resp.StatusCode, b, resp.Header}
}

func assertionForm(assertion, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
}

func (o *org) bearer(scope string) string {
	o.t.Helper()
	a := o.tokenRequest(assertionForm(o.emu.SignAssertion(o.url+"/oauth2/v1/token", 5*time.Minute), scope))
	if a.status != 200 {
		o.t.Fatalf("token: %d %s", a.status, a.body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	a.json(o.t, &tr)
	return "Bearer " + tr.AccessToken
}

func TestPrivateKeyJWTSignIn(t *testing.T) {
	o := start(t)
	aud := o.url + "/oauth2/v1/token"
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	now := time.Now()
	all := strings.Join(oktaemu.GrantedScopes, " ")
	cases := []struct {
		name, assertion, scope string
		status                 int
		oauthErr               string
	}{
		{"good", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now, time.Minute), all, 200, ""},
		{"bad signature", oktaemu.SignAssertion(other, oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now, time.Minute), all, 401, "invalid_client"},
		{"expired", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now.Add(-2*time.Hour), time.Hour), all, 401, "invalid_client"},
		{"too long", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now, 3*time.Hour), all, 401, "invalid_client"},
		{"wrong aud", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, o.url+"/oauth2/default/v1/token", now, time.Minute), all, 401, "invalid_client"},
		{"unknown kid", oktaemu.SignAssertion(o.emu.ServiceKey(), "other", oktaemu.ServiceClientID, aud, now, time.Minute), all, 401, "invalid_client"},
		{"unknown client", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, "0oaNobody", aud, now, time.Minute), all, 401, "invalid_client"},
		{"scope not granted", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now, time.Minute), "okta.users.manage", 400, "invalid_scope"},
		{"no scope", oktaemu.SignAssertion(o.emu.ServiceKey(), oktaemu.ServiceKeyID, oktaemu.ServiceClientID, aud, now, time.Minute), "", 400, "invalid_scope"},
		{"not a JWT", "abc", all, 401, "invalid_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := o.tokenRequest(assertionForm(c.assertion, c.scope))
			if a.status != c.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, c.status)
			}
			m := a.obj(t)
			if c.oauthErr != "" && (m["error"] != c.oauthErr || m["error_description"] == "") {
				t.Fatalf("error body %s", a.body)
			}
			if c.status == 200 && (m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || m["scope"] != all || m["access_token"] == "") {
				t.Fatalf("token body %s", a.body)
			}
		})
	}
	// A client assertion is single use.
	as := o.emu.SignAssertion(aud, time.Minute)
	if a := o.tokenRequest(assertionForm(as, "okta.apps.read")); a.status != 200 {
		t.Fatalf("first use: %d %s", a.status, a.body)
	}
	if a := o.tokenRequest(assertionForm(as, "okta.apps.read")); a.status != 401 {
		t.Fatalf("replay: %d %s", a.status, a.body)
	}

	groupsOnly := o.bearer("okta.groups.read")
	if a := o.do("GET", "/api/v1/groups", groupsOnly, ""); a.status != 200 {
		t.Fatalf("groups with okta.groups.read: %d %s", a.status, a.body)
	}
	a := o.do("GET", "/api/v1/apps", groupsOnly, "")
	if a.status != 403 || a.obj(t)["errorCode"] != "E0000006" {
		t.Fatalf("apps without okta.apps.read: %d %s", a.status, a.body)
	}
	wa := a.hdr.Get("WWW-Authenticate")
	for _, part := range []string{`Bearer authorization_uri="`, `realm="IdpError"`, `scope="okta.apps.read"`, `error="insufficient_scope"`,
		`error_description="The access token provided does not contain the required scopes."`} {
		if !strings.Contains(wa, part) {
			t.Errorf("WWW-Authenticate %q lacks %s", wa, part)
		}
	}
	read := o.bearer("okta.apps.read")
	if a := o.do("POST", "/api/v1/apps", read, `{"name":"scim2testapp","label":"X"}`); a.status != 403 {
		t.Fatalf("app write with okta.apps.read: %d %s", a.status, a.body)
	}
	if a := o.do("GET", "/api/v1/apps", read, ""); a.status != 200 {
		t.Fatalf("apps with okta.apps.read: %d %s", a.status, a.body)
	}

	// Discovery and keys.
	d := o.do("GET", "/.well-known/openid-configuration", "", "").obj(t)
	if d["issuer"] != o.url || d["token_endpoint"] != aud || d["jwks_uri"] != o.url+"/oauth2/v1/keys" || d["authorization_endpoint"] == nil || d["userinfo_endpoint"] == nil {
		t.Fatalf("discovery %v", d)
	}
	var ks struct{ Keys []map[string]any }
	o.do("GET", "/oauth2/v1/keys", "", "").json(t, &ks)
	if len(ks.Keys) != 1 || ks.Keys[0]["kty"] != "RSA" || ks.Keys[0]["n"] == "" {
		t.Fatalf("keys %v", ks)
	}
}

func TestSSWSAndErrorShapes(t *testing.T) {
	o := start(t)
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		code, summary                  string
	}{
		{"SSWS", "GET", "/api/v1/users", "SSWS " + o.emu.APIToken(), "", 200, "", ""},
		{"wrong SSWS", "GET", "/api/v1/users", "SSWS nope", "", 401, "E0000011", "Invalid token provided"},
		{"no credentials", "GET", "/api/v1/apps", "", "", 401, "E0000011", "Invalid token provided"},
		{"unknown bearer", "GET", "/api/v1/apps", "Bearer abc", "", 401, "E0000011", "Invalid token provided"},
		{"unknown app", "GET", "/api/v1/apps/0oaMissing", "SSWS " + o.emu.APIToken(), "", 404, "E0000007", "Not found: Resource not found: 0oaMissing (App)"},
		{"unknown user", "GET", "/api/v1/users/00uMissing", "SSWS " + o.emu.APIToken(), "", 404, "E0000007", "Not found: Resource not found: 00uMissing (User)"},
		{"unknown catalog app", "POST", "/api/v1/apps", "SSWS " + o.emu.APIToken(), `{"name":"salesforce","label":"SF"}`, 400, "E0000001", "Api validation failed: name"},
		{"no label", "POST", "/api/v1/apps", "SSWS " + o.emu.APIToken(), `{"name":"scim2testapp"}`, 400, "E0000001", "Api validation failed: label"},
		{"access app without baseUrl", "POST", "/api/v1/apps", "SSWS " + o.emu.APIToken(), `{"name":"vmwareworkspaceone","label":"WS1"}`, 400, "E0000001", "Api validation failed: settings.app.baseUrl"},
		{"oidc without OPENID_CONNECT", "POST", "/api/v1/apps", "SSWS " + o.emu.APIToken(), `{"name":"oidc_client","label":"O"}`, 400, "E0000001", "Api validation failed: signOnMode"},
		{"bad filter", "GET", "/api/v1/apps?filter=" + url.QueryEscape(`label co "x"`), "SSWS " + o.emu.APIToken(), "", 400, "E0000001", "Api validation failed: filter"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := o.do(c.method, c.path, c.auth, c.body)
			if a.status != c.status {
				t.Fatalf("%d %s, want %d", a.status, a.body, c.status)
			}
			if c.code == "" {
				return
			}
			m := a.obj(t)
			if m["errorCode"] != c.code || m["errorSummary"] != c.summary || m["errorLink"] == nil || m["errorId"] == nil {
				t.Fatalf("error body %s", a.body)
			}
			causes, ok := m["errorCauses"].([]any)
			if !ok || (c.code == "E0000001" && (len(causes) == 0 || causes[0].(map[string]any)["errorSummary"] == "")) {
				t.Fatalf("errorCauses in %s", a.body)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	o := start(t)
	a := o.must(200, "GET", "/api/v1/groups", "")
	for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if _, err := strconv.ParseInt(a.hdr.Get(h), 10, 64); err != nil {
			t.Fatalf("%s = %q", h, a.hdr.Get(h))
		}
	}
	o.emu.SetRateLimit(3)
	for i := 1; i <= 3; i++ {
		a := o.must(200, "GET", "/api/v1/users", "")
		if got := a.hdr.Get("X-Rate-Limit-Remaining"); got != strconv.Itoa(3-i) {
			t.Fatalf("request %d: remaining %s", i, got)
		}
	}
	a = o.do("GET", "/api/v1/users", "SSWS "+o.emu.APIToken(), "")
	if a.status != 429 || a.obj(t)["errorCode"] != "E0000047" || a.obj(t)["errorSummary"] != "API call exceeded rate limit due to too many requests." {
		t.Fatalf("4th: %d %s", a.status, a.body)
	}
	reset, _ := strconv.ParseInt(a.hdr.Get("X-Rate-Limit-Reset"), 10, 64)
	if a.hdr.Get("X-Rate-Limit-Remaining") != "0" || reset < time.Now().Unix() || reset > time.Now().Unix()+2 {
		t.Fatalf("429 headers %v", a.hdr)
	}
	o.must(200, "GET", "/api/v1/users", "")
	o.emu.SetRateLimit(0)
}

var nextLink = regexp.MustCompile(`<([^>]+)>; rel="next"`)

// collect follows rel="next" links and returns every page's items.
func (o *org) collect(path string) (pages int, items []map[string]any) {
	o.t.Helper()
	for path != "" {
		a := o.must(200, "GET", path, "")
		if !strings.Contains(strings.Join(a.hdr.Values("Link"), ","), `rel="self"`) {
			o.t.Fatalf("no self link on %s: %v", path, a.hdr.Values("Link"))
		}
		var page []map[string]any
		a.json(o.t, &page)
		items = append(items, page...)
		pages++
		path = ""
		for _, l := range a.hdr.Values("Link") {
			if m := nextLink.FindStringSubmatch(l); m != nil {
				path = m[1]
			}
		}
	}
	return pages, items
}

func TestPaging(t *testing.T) {
	o := start(t)
	for i := range 5 {
		o.must(200, "POST", "/api/v1/apps", `{"name":"scim2testapp","label":"Paged `+strconv.Itoa(i)+`"}`)
	}
	pages, items := o.collect("/api/v1/apps?limit=2")
	if pages != 3 || len(items) != 5 {
		t.Fatalf("apps: %d pages, %d items", pages, len(items))
	}
	seen := map[string]bool{}
	for _, it := range items {
		seen[it["id"].(string)] = true
	}
	if len(seen) != 5 {
		t.Fatalf("duplicates across pages: %v", seen)
	}
	if pages, items := o.collect("/api/v1/groups?limit=1"); pages != 3 || len(items) != 3 {
		t.Fatalf("groups: %d pages, %d items", pages, len(items))
	}
	if pages, items := o.collect("/api/v1/users?limit=2"); pages != 3 || len(items) != 5 {
		t.Fatalf("users: %d pages, %d items", pages, len(items))
	}
	var groups []map[string]any
	o.must(200, "GET", "/api/v1/groups?q=ws1", "").json(t, &groups)
	if len(groups) != 2 {
		t.Fatalf("q=ws1: %v", groups)
	}
	o.must(200, "GET", "/api/v1/groups?search="+url.QueryEscape(`profile.name eq "WS1 Push"`), "").json(t, &groups)
	if len(groups) != 1 || groups[0]["profile"].(map[string]any)["name"] != "WS1 Push" || groups[0]["type"] != "OKTA_GROUP" {
		t.Fatalf("search: %v", groups)
	}
	var users []map[string]any
	o.must(200, "GET", "/api/v1/groups/"+groups[0]["id"].(string)+"/users", "").json(t, &users)
	if len(users) != 2 || users[0]["profile"].(map[string]any)["login"] != "ann@okta.example.com" {
		t.Fatalf("WS1 Push users: %v", users)
	}
}

func TestApps(t *testing.T) {
	o := start(t)
	scim := o.must(200, "POST", "/api/v1/apps", `{"name":"scim2testapp","label":"VMware Identity Services - SCIM"}`).obj(t)
	if scim["status"] != "ACTIVE" || scim["signOnMode"] != "AUTO_LOGIN" || !strings.HasPrefix(scim["id"].(string), "0oa") || scim["_links"] == nil {
		t.Fatalf("scim app %v", scim)
	}
	acc := o.must(200, "POST", "/api/v1/apps", `{"name":"vmwareworkspaceone","label":"VMware Workspace ONE","settings":{"app":{"baseUrl":"https://ws1.example.com"}}}`).obj(t)
	oidcBody := `{"name":"oidc_client","label":"VMware Identity Services - OIDC","signOnMode":"OPENID_CONNECT",
		"credentials":{"oauthClient":{"token_endpoint_auth_method":"client_secret_basic"}},
		"settings":{"oauthClient":{"redirect_uris":["https://ws1.example.com/callback"],"response_types":["code"],"grant_types":["authorization_code"],"application_type":"web"}}}`
	oidc := o.must(200, "POST", "/api/v1/apps", oidcBody).obj(t)
	oc := oidc["credentials"].(map[string]any)["oauthClient"].(map[string]any)
	if !strings.HasPrefix(oc["client_id"].(string), "0oa") || oc["client_secret"] == nil || oc["client_secret"] == "" {
		t.Fatalf("oidc create must show the secret: %v", oc)
	}
	id := oidc["id"].(string)
	for _, path := range []string{"/api/v1/apps/" + id, "/api/v1/apps", "/api/v1/apps/" + id + "/credentials/secrets"} {
		if b := o.must(200, "GET", path, "").body; strings.Contains(string(b), oc["client_secret"].(string)) || strings.Contains(string(b), `"client_secret"`) {
			t.Fatalf("GET %s shows a secret: %s", path, b)
		}
	}
	sec := o.must(201, "POST", "/api/v1/apps/"+id+"/credentials/secrets", "").obj(t)
	if sec["status"] != "ACTIVE" || sec["client_secret"] == "" || sec["client_secret"] == oc["client_secret"] {
		t.Fatalf("new secret %v", sec)
	}
	if st := o.emu.State().(map[string]any); strings.Contains(mustJSON(t, st), oc["client_secret"].(string)) {
		t.Fatal("State shows a client secret")
	}

	search := []struct {
		query string
		want  []string
	}{
		{"q=vmware", []string{"VMware Identity Services - SCIM", "VMware Workspace ONE", "VMware Identity Services - OIDC"}},
		{"q=VMWARE%20identity", []string{"VMware Identity Services - SCIM", "VMware Identity Services - OIDC"}},
		{"filter=" + url.QueryEscape(`name eq "vmwareworkspaceone"`), []string{"VMware Workspace ONE"}},
		{"filter=" + url.QueryEscape(`status eq "ACTIVE" and name eq "scim2testapp"`), []string{"VMware Identity Services - SCIM"}},
		{"q=nothing", nil},
	}
	for _, s := range search {
		var got []map[string]any
		o.must(200, "GET", "/api/v1/apps?"+s.query, "").json(t, &got)
		var labels []string
		for _, g := range got {
			labels = append(labels, g["label"].(string))
		}
		if strings.Join(labels, "|") != strings.Join(s.want, "|") {
			t.Errorf("%s: %v, want %v", s.query, labels, s.want)
		}
	}

	put := o.must(200, "PUT", "/api/v1/apps/"+acc["id"].(string), `{"name":"vmwareworkspaceone","label":"WS1 renamed","settings":{"app":{"baseUrl":"https://ws2.example.com"}}}`).obj(t)
	if put["label"] != "WS1 renamed" || put["settings"].(map[string]any)["app"].(map[string]any)["baseUrl"] != "https://ws2.example.com" ||
		put["name"] != "vmwareworkspaceone" || put["credentials"] == nil {
		t.Fatalf("replace %v", put)
	}
	o.must(400, "PUT", "/api/v1/apps/"+acc["id"].(string), `{"label":"","settings":{"app":{"baseUrl":"https://ws2.example.com"}}}`)
	put = o.must(200, "PUT", "/api/v1/apps/"+id, `{"label":"OIDC renamed","signOnMode":"OPENID_CONNECT","settings":{"oauthClient":{"redirect_uris":["https://x.example.com/cb"],"grant_types":["authorization_code"]}}}`).obj(t)
	if put["credentials"].(map[string]any)["oauthClient"].(map[string]any)["client_id"] != oc["client_id"] {
		t.Fatalf("replace must keep credentials: %v", put)
	}

	schema := o.must(200, "GET", "/api/v1/meta/schemas/apps/"+acc["id"].(string)+"/default", "").obj(t)
	base := schema["definitions"].(map[string]any)["base"].(map[string]any)["properties"].(map[string]any)
	if base["domain"] == nil || base["userName"] == nil {
		t.Fatalf("access schema %v", base)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConnectionAndFeatures(t *testing.T) {
	o := start(t)
	app := o.must(200, "POST", "/api/v1/apps", `{"name":"vmwareworkspaceone","label":"WS1","settings":{"app":{"baseUrl":"https://ws1.example.com/"}}}`).obj(t)
	p := "/api/v1/apps/" + app["id"].(string)
	if c := o.must(200, "GET", p+"/connections/default", "").obj(t); c["authScheme"] != nil || c["profile"].(map[string]any)["authScheme"] != "UNKNOWN" || c["status"] != "DISABLED" {
		t.Fatalf("fresh connection %v", c)
	}
	o.must(400, "GET", p+"/features", "")
	o.must(404, "GET", p+"/features/USER_PROVISIONING", "")
	c := o.must(200, "POST", p+"/connections/default", `{"profile":{"authScheme":"TOKEN","token":"very-secret-token"}}`).obj(t)
	if c["status"] != "DISABLED" || c["authScheme"] != "TOKEN" || c["baseUrl"] != "https://ws1.example.com/SAAS/jersey/manager/api/scim" {
		t.Fatalf("set connection %v", c)
	}
	o.must(204, "POST", p+"/connections/default/lifecycle/activate", "")
	g := o.must(200, "GET", p+"/connections/default", "")
	if g.obj(t)["status"] != "ENABLED" || strings.Contains(string(g.body), "very-secret-token") {
		t.Fatalf("activated %s", g.body)
	}
	var fs []map[string]any
	o.must(200, "GET", p+"/features", "").json(t, &fs)
	if len(fs) != 1 || fs[0]["name"] != "USER_PROVISIONING" || fs[0]["status"] != "ENABLED" {
		t.Fatalf("features %v", fs)
	}
	f := o.must(200, "PUT", p+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}},"update":{"profile":{"status":"ENABLED"},"lifecycleDeactivate":{"status":"ENABLED"}}}`).obj(t)
	caps := f["capabilities"].(map[string]any)
	if caps["create"].(map[string]any)["lifecycleCreate"].(map[string]any)["status"] != "ENABLED" ||
		caps["update"].(map[string]any)["password"].(map[string]any)["seed"] != "RANDOM" {
		t.Fatalf("feature %v", f)
	}
	o.must(400, "PUT", p+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ON"}}}`)
	feats := o.must(200, "GET", p, "").obj(t)["features"].([]any)
	if len(feats) == 0 || feats[0] != "GROUP_PUSH" {
		t.Fatalf("app features %v", feats)
	}
	if strings.Contains(mustJSON(t, o.emu.State()), "very-secret-token") {
		t.Fatal("State shows the connection token")
	}
	o.must(204, "POST", p+"/connections/default/lifecycle/deactivate", "")
	o.must(400, "GET", p+"/features", "")

	o.emu.RefuseConnections = true
	a := o.do("POST", p+"/connections/default", "SSWS "+o.emu.APIToken(), `{"profile":{"authScheme":"TOKEN","token":"t"}}`)
	if a.status != 400 || !strings.Contains(string(a.body), "Provisioning connection setup through the API is not supported for this application") || a.obj(t)["errorCode"] != "E0000001" {
		t.Fatalf("refused: %d %s", a.status, a.body)
	}
}

// accessToken is an admin bearer token of the access emulator.
func accessToken(t *testing.T, o *org, ae *accessemu.Emulator) string {
	t.Helper()
	req, _ := http.NewRequest("POST", o.sb.Services["access"].URL+"/SAAS/auth/oauthtoken", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(accessemu.AdminClientID, ae.AdminSecret())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := o.raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	if tr.AccessToken == "" {
		t.Fatalf("access token: %s", resp.Status)
	}
	return tr.AccessToken
}

func writes(t *testing.T, o *org, name string) int { return len(sandboxtest.Writes(t, o.sb, name)) }

func list(t *testing.T, v any, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	json.Unmarshal([]byte(mustJSON(t, v.(map[string]any)[key])), &out)
	return out
}

func groupID(t *testing.T, o *org, name string) string {
	var gs []map[string]any
	o.must(200, "GET", "/api/v1/groups?search="+url.QueryEscape(`profile.name eq "`+name+`"`), "").json(t, &gs)
	if len(gs) != 1 {
		t.Fatalf("group %s: %v", name, gs)
	}
	return gs[0]["id"].(string)
}

// enable sets the connection, activates it and turns on create and profile updates.
func enable(o *org, p, body string) {
	o.must(200, "POST", p+"/connections/default", body)
	o.must(204, "POST", p+"/connections/default/lifecycle/activate", "")
	o.must(200, "PUT", p+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}},"update":{"profile":{"status":"ENABLED"}}}`)
}

func TestProvisionToIdentityServices(t *testing.T) {
	ie := identityemu.New()
	o := start(t, ie)
	scimToken := ie.IssueSCIMToken("Okta Directory", "okta.example.com", time.Hour)
	app := o.must(200, "POST", "/api/v1/apps", `{"name":"scim2testapp","label":"VMware Identity Services - SCIM"}`).obj(t)
	p := "/api/v1/apps/" + app["id"].(string)
	enable(o, p, `{"baseUrl":"`+o.sb.Services["identity"].URL+`/usergroup/scim/v2","profile":{"authScheme":"TOKEN","token":"`+scimToken+`"}}`)
	if n := writes(t, o, "identity"); n != 0 {
		t.Fatalf("nothing assigned yet, %d writes", n)
	}
	users, push := groupID(t, o, "WS1 Users"), groupID(t, o, "WS1 Push")
	o.must(200, "PUT", p+"/groups/"+users, `{}`)
	idUsers := list(t, ie.State(), "Users")
	if len(idUsers) != 3 {
		t.Fatalf("identity users %v", idUsers)
	}
	if idUsers[0]["userName"] != "ann@okta.example.com" || idUsers[0]["externalId"] == "" || idUsers[0]["name"].(map[string]any)["givenName"] != "Ann" {
		t.Fatalf("identity user %v", idUsers[0])
	}
	var aus []map[string]any
	o.must(200, "GET", p+"/users", "").json(t, &aus)
	if len(aus) != 3 || aus[0]["status"] != "PROVISIONED" || aus[0]["syncState"] != "SYNCHRONIZED" || aus[0]["externalId"] != idUsers[0]["id"] || aus[0]["scope"] != "GROUP" {
		t.Fatalf("app users %v", aus)
	}
	var ags []map[string]any
	o.must(200, "GET", p+"/groups", "").json(t, &ags)
	if len(ags) != 1 || ags[0]["id"] != users {
		t.Fatalf("app groups %v", ags)
	}

	before := writes(t, o, "identity")
	o.must(200, "PUT", p+"/groups/"+users, `{"priority":0}`)
	o.must(200, "PUT", p+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}}}`)
	o.must(204, "POST", p+"/connections/default/lifecycle/activate", "")
	if n := writes(t, o, "identity"); n != before {
		t.Fatalf("a second assignment sent %d writes", n-before)
	}

	pm := o.must(201, "POST", p+"/group-push/mappings", `{"sourceGroupId":"`+push+`","status":"ACTIVE"}`).obj(t)
	if pm["status"] != "ACTIVE" || pm["targetGroupId"] == nil || pm["lastPush"] == nil {
		t.Fatalf("push mapping %v", pm)
	}
	idGroups := list(t, ie.State(), "Groups")
	if len(idGroups) != 1 || idGroups[0]["displayName"] != "WS1 Push" || len(idGroups[0]["members"].([]any)) != 2 {
		t.Fatalf("identity groups %v", idGroups)
	}
	o.must(400, "POST", p+"/group-push/mappings", `{"sourceGroupId":"`+push+`","status":"ACTIVE"}`)
	before = writes(t, o, "identity")
	mp := p + "/group-push/mappings/" + pm["id"].(string)
	o.must(200, "PATCH", mp, `{"status":"ACTIVE"}`)
	o.must(200, "PUT", p+"/groups/"+users, `{}`)
	if n := writes(t, o, "identity"); n != before {
		t.Fatalf("a second push sent %d writes", n-before)
	}
	o.must(400, "DELETE", mp, "")
	o.must(200, "PATCH", mp, `{"status":"INACTIVE"}`)
	o.must(204, "DELETE", mp, "")

	// A mapping change updates the users once.
	var maps []map[string]any
	o.must(200, "GET", "/api/v1/mappings?sourceId=otyDefault&targetId="+app["id"].(string), "").json(t, &maps)
	if len(maps) != 1 || maps[0]["target"].(map[string]any)["type"] != "appuser" || maps[0]["source"].(map[string]any)["name"] != "user" {
		t.Fatalf("mappings %v", maps)
	}
	mpath := "/api/v1/mappings/" + maps[0]["id"].(string)
	before = writes(t, o, "identity")
	o.must(200, "POST", mpath, `{"properties":{"familyName":{"expression":"\"Sandbox\"","pushStatus":"PUSH"}}}`)
	if n := writes(t, o, "identity") - before; n != 3 {
		t.Fatalf("mapping change sent %d writes, want 3", n)
	}
	if fn := list(t, ie.State(), "Users")[1]["name"].(map[string]any)["familyName"]; fn != "Sandbox" {
		t.Fatalf("familyName %v", fn)
	}
	before = writes(t, o, "identity")
	o.must(200, "POST", mpath, `{"properties":{"familyName":{"expression":"\"Sandbox\"","pushStatus":"PUSH"}}}`)
	if n := writes(t, o, "identity") - before; n != 0 {
		t.Fatalf("an unchanged mapping sent %d writes", n)
	}
	o.must(400, "POST", mpath, `{"properties":{"nope":{"expression":"user.login"}}}`)
	o.must(400, "POST", mpath, `{"properties":{"familyName":{"expression":"String.toUpperCase(user.lastName)"}}}`)

	st := o.emu.State().(map[string]any)
	for _, k := range []string{"apps", "users", "groups", "appGroups", "appUsers", "groupPushMappings", "mappings", "connections", "features"} {
		if st[k] == nil {
			t.Errorf("State has no %s", k)
		}
	}
	if strings.Contains(mustJSON(t, st), scimToken) {
		t.Fatal("State shows the SCIM token")
	}
}

func TestProvisionToAccess(t *testing.T) {
	ae := accessemu.New()
	o := start(t, ae)
	atok := accessToken(t, o, ae)
	req, _ := http.NewRequest("POST", o.sb.Services["access"].URL+"/SAAS/jersey/manager/api/connectormanagement/directoryconfigs",
		strings.NewReader(`{"type":"OTHER_DIRECTORY","domains":["okta.example.com"],"name":"Okta Universal Directory"}`))
	req.Header.Set("Authorization", "Bearer "+atok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := o.raw.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("directory: %v %v", err, resp)
	}
	resp.Body.Close()

	app := o.must(200, "POST", "/api/v1/apps", `{"name":"vmwareworkspaceone","label":"VMware Workspace ONE","settings":{"app":{"baseUrl":"`+o.sb.Services["access"].URL+`"}}}`).obj(t)
	id := app["id"].(string)
	p := "/api/v1/apps/" + id
	enable(o, p, `{"profile":{"authScheme":"TOKEN","token":"`+atok+`"}}`)
	users := groupID(t, o, "WS1 Users")

	// Without the domain mapping Access refuses the users: syncState ERROR with its message.
	o.must(200, "PUT", p+"/groups/"+users, `{}`)
	var aus []map[string]any
	o.must(200, "GET", p+"/users", "").json(t, &aus)
	if len(aus) != 3 || aus[0]["syncState"] != "ERROR" || aus[0]["status"] != "STAGED" || !strings.Contains(mustJSON(t, aus[0]), "DOESN'T BELONG TO THE DIRECTORY") {
		t.Fatalf("app users without domain %v", aus)
	}
	// Okta's System Log has the reason, one event a user, the user and the app as targets.
	logs := "/api/v1/logs?sortOrder=DESCENDING&filter=" + url.QueryEscape(`eventType sw "application.provision.user" and outcome.result eq "FAILURE" and target.id eq "`+id+`"`)
	failed := o.must(200, "GET", logs, "")
	var evs []struct {
		EventType string
		Outcome   struct{ Result, Reason string }
		Target    []struct{ ID, Type, AlternateID string }
	}
	failed.json(t, &evs)
	if len(evs) != 3 || evs[0].EventType != oktaemu.EventUserPush || !strings.HasPrefix(evs[0].Outcome.Reason, "Automatic provisioning of user ") ||
		!strings.Contains(evs[0].Outcome.Reason, "to app VMware Workspace ONE failed: ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME") ||
		len(evs[0].Target) != 2 || evs[0].Target[0].Type != "User" || evs[0].Target[1].ID != id {
		t.Fatalf("System Log %s", failed.body)
	}
	for _, q := range []string{`target.id eq "0oaOther000000000000"`, `eventType eq "application.provision.user.push_profile"`, `target.type eq "Group"`} {
		var none []any
		if o.must(200, "GET", "/api/v1/logs?filter="+url.QueryEscape(q), "").json(t, &none); none == nil || len(none) != 0 {
			t.Errorf("filter %s: %v", q, none)
		}
	}
	o.must(200, "GET", "/api/v1/logs?since=2099-01-01T00:00:00Z", "").json(t, &evs)
	if len(evs) != 0 {
		t.Errorf("since in the future: %d events", len(evs))
	}
	o.must(400, "GET", "/api/v1/logs?since=yesterday", "")
	o.must(400, "GET", "/api/v1/logs?filter="+url.QueryEscape(`actor.id eq "x"`), "")

	var maps []map[string]any
	o.must(200, "GET", "/api/v1/mappings?sourceId=otyDefault&targetId="+id, "").json(t, &maps)
	m := o.must(200, "POST", "/api/v1/mappings/"+maps[0]["id"].(string), `{"properties":{"domain":{"expression":"\"okta.example.com\"","pushStatus":"PUSH"}}}`).obj(t)
	if m["properties"].(map[string]any)["domain"] == nil {
		t.Fatalf("mapping %v", m)
	}
	// The mapping change does not create users (only updates): the assignment does.
	o.must(200, "PUT", p+"/groups/"+users, `{}`)
	acUsers := list(t, ae.State(), "Users")
	if len(acUsers) != 3 {
		t.Fatalf("access users %v", acUsers)
	}
	ws := acUsers[0]["urn:scim:schemas:extension:workspace:1.0"].(map[string]any)
	if acUsers[0]["userName"] != "ann@okta.example.com" || ws["domain"] != "okta.example.com" {
		t.Fatalf("access user %v", acUsers[0])
	}
	o.must(200, "GET", p+"/users", "").json(t, &aus)
	if aus[0]["syncState"] != "SYNCHRONIZED" || aus[0]["externalId"] != acUsers[0]["id"] || aus[0]["profile"].(map[string]any)["domain"] != "okta.example.com" {
		t.Fatalf("app users %v", aus)
	}
	before := writes(t, o, "access")
	pm := o.must(201, "POST", p+"/group-push/mappings", `{"sourceGroupId":"`+groupID(t, o, "WS1 Push")+`","status":"ACTIVE"}`).obj(t)
	if pm["targetGroupId"] == nil {
		t.Fatalf("push %v", pm)
	}
	acGroups := list(t, ae.State(), "Groups")
	if len(acGroups) != 1 || acGroups[0]["displayName"] != "WS1 Push" || len(acGroups[0]["members"].([]any)) != 2 {
		t.Fatalf("access groups %v", acGroups)
	}
	if n := writes(t, o, "access") - before; n != 1 {
		t.Fatalf("push sent %d writes", n)
	}
	before = writes(t, o, "access")
	o.must(200, "PUT", p+"/groups/"+users, `{}`)
	o.must(200, "PATCH", p+"/group-push/mappings/"+pm["id"].(string), `{"status":"ACTIVE"}`)
	o.must(200, "PUT", p+"/features/USER_PROVISIONING", `{"create":{"lifecycleCreate":{"status":"ENABLED"}}}`)
	if n := writes(t, o, "access") - before; n != 0 {
		t.Fatalf("re-runs sent %d writes", n)
	}
	checkAnswer(t, loadContract(t), "GET", "/api/v1/logs", o.url+logs, failed)
}

func TestConfigFragmentAndReset(t *testing.T) {
	o := start(t, identityemu.New())
	env := &sandbox.Env{URL: func(n string) string { return o.sb.Services[n].URL }, Has: func(n string) bool { return n == "identity" }, Dir: t.TempDir()}
	sec, secrets := o.emu.ConfigFragment(env)
	ok := sec["okta"].(map[string]any)
	auth := ok["auth"].(map[string]any)
	if ok["url"] != o.url || auth["clientId"] != oktaemu.ServiceClientID || auth["keyId"] != oktaemu.ServiceKeyID ||
		auth["privateKey"] != "file:"+env.SecretPath(oktaemu.ServiceKeyFile) || !strings.Contains(secrets[oktaemu.ServiceKeyFile], "PRIVATE KEY") {
		t.Fatalf("fragment %v", sec)
	}
	if s, _ := o.emu.ConfigFragment(&sandbox.Env{URL: env.URL, Has: func(string) bool { return false }}); s != nil {
		t.Fatalf("no fragment without a Workspace ONE service: %v", s)
	}
	o.must(200, "POST", "/api/v1/apps", `{"name":"scim2testapp","label":"X"}`)
	o.emu.Reset()
	if apps := list(t, o.emu.State(), "apps"); len(apps) != 0 {
		t.Fatalf("reset kept %v", apps)
	}
	if users := list(t, o.emu.State(), "users"); len(users) != 5 {
		t.Fatalf("reset users %v", users)
	}
}
