package accessemu_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
)

const secret = "test-admin-secret"

// serve runs the handler on a loopback test server (plain HTTP: the core adds TLS).
func serve(t *testing.T, opts ...accessemu.Option) (*accessemu.Emulator, *httptest.Server) {
	t.Helper()
	e := accessemu.New(append([]accessemu.Option{accessemu.WithAdminSecret(secret)}, opts...)...)
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	e.Bind(&sandbox.Env{URL: func(string) string { return srv.URL }})
	return e, srv
}

func do(t *testing.T, method, u string, hdr map[string]string, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b), resp.Header
}

func basic(id, s string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+s))
}

func token(t *testing.T, srv *httptest.Server, id, s string) string {
	t.Helper()
	st, body, _ := do(t, "POST", srv.URL+"/SAAS/auth/oauthtoken?grant_type=client_credentials", map[string]string{"Authorization": basic(id, s)}, "")
	if st != 200 {
		t.Fatalf("token: %d %s", st, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(body), &tr)
	return tr.AccessToken
}

func TestTokenEndpointVariants(t *testing.T) {
	_, srv := serve(t)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	withBasic := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic(accessemu.AdminClientID, secret)}
	q := url.Values{"client_id": {accessemu.AdminClientID}, "client_secret": {secret}}
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		body               string
		want               int
	}{
		{"query grant, Basic, empty body", "POST", "?grant_type=client_credentials", withBasic, "", 200},
		{"form grant, Basic", "POST", "", withBasic, "grant_type=client_credentials", 200},
		{"query params, no Basic", "POST", "?grant_type=client_credentials&" + q.Encode(), nil, "", 200},
		{"form params with scope admin", "POST", "", form, "grant_type=client_credentials&scope=admin&" + q.Encode(), 200},
		{"scope not granted", "POST", "", form, "grant_type=client_credentials&scope=openid&" + q.Encode(), 400},
		{"no grant_type", "POST", "", withBasic, "", 500},
		{"unsupported grant", "POST", "?grant_type=password", withBasic, "", 400},
		{"wrong secret", "POST", "?grant_type=client_credentials", map[string]string{"Authorization": basic(accessemu.AdminClientID, "nope")}, "", 401},
		{"GET", "GET", "?grant_type=client_credentials", withBasic, "", 405},
	}
	for _, c := range cases {
		st, body, _ := do(t, c.method, srv.URL+"/SAAS/auth/oauthtoken"+c.path, c.hdr, c.body)
		if st != c.want {
			t.Errorf("%s: %d %s; want %d", c.name, st, body, c.want)
		}
		if st == 200 && !strings.Contains(body, `"token_type":"Bearer"`) {
			t.Errorf("%s: body %s", c.name, body)
		}
		if st != 200 && !strings.Contains(body, `"error"`) {
			t.Errorf("%s: no OAuth error body: %s", c.name, body)
		}
	}
}

func TestEveryCallNeedsAnAdminToken(t *testing.T) {
	e, srv := serve(t)
	api := srv.URL + "/SAAS/jersey/manager/api/oauth2clients"
	if st, body, _ := do(t, "GET", api, nil, ""); st != 401 || !strings.Contains(body, `"errors"`) {
		t.Errorf("no token: %d %s", st, body)
	}
	if st, _, _ := do(t, "GET", api, map[string]string{"Authorization": "Bearer forged"}, ""); st != 401 {
		t.Errorf("forged token: %d", st)
	}
	adm := token(t, srv, accessemu.AdminClientID, secret)
	h := map[string]string{"Authorization": "Bearer " + adm, "Content-Type": "application/json"}
	st, _, _ := do(t, "POST", api, h, `{"clientId":"reader","secret":"reader-secret-0123456789","scope":"user","authGrantTypes":"client_credentials"}`)
	if st != 201 {
		t.Fatalf("create reader: %d", st)
	}
	user := token(t, srv, "reader", "reader-secret-0123456789")
	if st, _, _ := do(t, "GET", api, map[string]string{"Authorization": "Bearer " + user}, ""); st != 403 {
		t.Errorf("scope user: %d; want 403", st)
	}
	if st, _, _ := do(t, "GET", api, map[string]string{"Authorization": "HZN " + adm}, ""); st != 200 {
		t.Errorf("HZN scheme: %d", st)
	}
	r, _ := http.NewRequest("GET", api, nil)
	r.Header.Set("Authorization", "Bearer "+adm)
	if id, ok := e.Authorize(r, "admin"); !ok || id != accessemu.AdminClientID {
		t.Errorf("Authorize = %q, %v", id, ok)
	}
	e.Reset()
	if st, _, _ := do(t, "GET", api, map[string]string{"Authorization": "Bearer " + adm}, ""); st != 401 {
		t.Errorf("token after Reset: %d; want 401", st)
	}
	token(t, srv, accessemu.AdminClientID, secret) // the admin secret survives Reset
}

func TestClientQuirks(t *testing.T) {
	_, srv := serve(t)
	adm := token(t, srv, accessemu.AdminClientID, secret)
	api := srv.URL + "/SAAS/jersey/manager/api/oauth2clients"
	h := map[string]string{"Authorization": "Bearer " + adm, "Content-Type": "application/vnd.vmware.horizon.manager.oauth2client+json",
		"Accept": "application/vnd.vmware.horizon.manager.oauth2client+json"}
	body := `{"clientId":"OktaSCIM","scope":"admin","authGrantTypes":"client_credentials","accessTokenTTL":525600}`
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"create", "POST", "", body, 201},
		{"duplicate create is 500", "POST", "", body, 500},
		{"update is 201", "PUT", "/OktaSCIM", body, 201},
		{"rename is 500", "PUT", "/OktaSCIM", strings.Replace(body, "OktaSCIM", "Other", 1), 500},
		{"unknown field", "POST", "", `{"clientId":"x","scope":"admin","authGrantTypes":"client_credentials","bogus":1}`, 400},
		{"bad id", "POST", "", `{"clientId":"a b","scope":"admin","authGrantTypes":"client_credentials"}`, 400},
		{"bad scope", "POST", "", `{"clientId":"x","scope":"root","authGrantTypes":"client_credentials"}`, 400},
		{"auth code without redirect", "POST", "", `{"clientId":"x","scope":"user","authGrantTypes":"authorization_code"}`, 400},
		{"missing", "GET", "/nope", "", 404},
		{"delete", "DELETE", "/OktaSCIM", "", 204},
	}
	for _, c := range cases {
		st, b, hdr := do(t, c.method, api+c.path, h, c.body)
		if st != c.want {
			t.Errorf("%s: %d %s; want %d", c.name, st, b, c.want)
		}
		if st >= 400 && !strings.Contains(b, `"errors":[{"code"`) {
			t.Errorf("%s: error body %s", c.name, b)
		}
		if st == 201 && hdr.Get("Content-Type") != h["Accept"] {
			t.Errorf("%s: Content-Type %s; want the requested type echoed", c.name, hdr.Get("Content-Type"))
		}
	}
}

func TestMediaTypeModes(t *testing.T) {
	vendor := "application/vnd.vmware.horizon.manager.oauth2apptemplate+json"
	cases := []struct {
		mode, accept, ctype string
		wantGet, wantPost   int
	}{
		{accessemu.ModeAny, "application/json", "application/json", 404, 201},
		{accessemu.ModeAny, vendor, vendor, 404, 201},
		{accessemu.ModeVendor, "application/json", "application/json", 406, 415},
		{accessemu.ModeVendor, vendor, vendor, 404, 201},
		{accessemu.ModeJSON, vendor, vendor, 406, 415},
		{accessemu.ModeJSON, "*/*", "application/json", 404, 201},
	}
	body := `{"appProductId":"T1","scope":"openid","authGrantTypes":"authorization_code","redirectUri":"https://x.example/cb","length":32,"accessTokenTTL":60,"refreshTokenTTL":60,"refreshTokenIdleTTL":60,"displayUserGrant":false}`
	for _, c := range cases {
		_, srv := serve(t, accessemu.WithMediaTypes(c.mode))
		adm := token(t, srv, accessemu.AdminClientID, secret)
		api := srv.URL + "/SAAS/jersey/manager/api/oauth2apptemplates"
		st, _, _ := do(t, "GET", api+"/T1", map[string]string{"Authorization": "Bearer " + adm, "Accept": c.accept}, "")
		if st != c.wantGet {
			t.Errorf("%s GET Accept %s: %d; want %d", c.mode, c.accept, st, c.wantGet)
		}
		st, _, _ = do(t, "POST", api, map[string]string{"Authorization": "Bearer " + adm, "Accept": c.accept, "Content-Type": c.ctype}, body)
		if st != c.wantPost {
			t.Errorf("%s POST %s: %d; want %d", c.mode, c.ctype, st, c.wantPost)
		}
	}
	// The run-time switch.
	e, srv := serve(t)
	if st, b, _ := do(t, "PUT", srv.URL+"/SAAS/_emulator/mediatypes", nil, `{"mode":"vendor"}`); st != 200 || !strings.Contains(b, "vendor") {
		t.Errorf("switch: %d %s", st, b)
	}
	adm := token(t, srv, accessemu.AdminClientID, secret)
	if st, _, _ := do(t, "GET", srv.URL+"/SAAS/jersey/manager/api/oauth2clients", map[string]string{"Authorization": "Bearer " + adm, "Accept": "application/json"}, ""); st != 406 {
		t.Errorf("after switching to vendor: %d; want 406", st)
	}
	_ = e
}

func TestEnvSwitchAtBind(t *testing.T) {
	t.Setenv(accessemu.EnvMediaTypes, accessemu.ModeVendor)
	_, srv := serve(t)
	adm := token(t, srv, accessemu.AdminClientID, secret)
	if st, _, _ := do(t, "GET", srv.URL+"/SAAS/jersey/manager/api/oauth2clients", map[string]string{"Authorization": "Bearer " + adm, "Accept": "application/json"}, ""); st != 406 {
		t.Errorf("%s=vendor: %d; want 406", accessemu.EnvMediaTypes, st)
	}
}

func TestDirectoriesAndState(t *testing.T) {
	e, srv := serve(t)
	adm := token(t, srv, accessemu.AdminClientID, secret)
	api := srv.URL + "/SAAS/t/acme/jersey/manager/api/connectormanagement/directoryconfigs" // tenant in path
	other := "application/vnd.vmware.horizon.manager.connector.management.directory.other+json"
	h := map[string]string{"Authorization": "Bearer " + adm, "Content-Type": other, "Accept": other}
	st, b, _ := do(t, "POST", api, h, `{"type":"OTHER_DIRECTORY","domains":["OKTA.COM"],"name":"Okta Universal Directory"}`)
	if st != 201 || !strings.Contains(b, "directoryConfigurationId") {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, b, _ := do(t, "POST", api, h, `{"type":"OTHER_DIRECTORY","domains":["`+accessemu.JITDomain+`"],"name":"Second"}`); st != 400 {
		t.Errorf("domain of the JIT directory: %d %s", st, b)
	}
	if st, b, _ := do(t, "POST", api, h, `{"type":"LOCAL_DIRECTORY","domains":["x.example"],"name":"Third"}`); st != 400 {
		t.Errorf("type mismatching the Content-Type: %d %s", st, b)
	}
	_, b, _ = do(t, "GET", api, map[string]string{"Authorization": "Bearer " + adm}, "")
	if strings.Contains(b, "JIT_DIRECTORY") {
		t.Errorf("JIT directory listed without includeJitDirectories: %s", b)
	}
	_, b, _ = do(t, "GET", api+"?includeJitDirectories=true", map[string]string{"Authorization": "Bearer " + adm}, "")
	if !strings.Contains(b, "JIT_DIRECTORY") || !strings.Contains(b, `"userstoreId"`) {
		t.Errorf("list with JIT: %s", b)
	}
	if id, typ, name, ok := e.DirectoryForDomain("okta.com"); !ok || typ != "OTHER_DIRECTORY" || name != "Okta Universal Directory" || id == "" {
		t.Errorf("DirectoryForDomain = %s %s %s %v", id, typ, name, ok)
	}
	st2, _ := json.Marshal(e.State())
	var state map[string][]map[string]any
	json.Unmarshal(st2, &state)
	for _, k := range []string{"oauth2clients", "oauth2apptemplates", "directoryconfigs"} {
		if _, ok := state[k]; !ok {
			t.Errorf("state lacks %s", k)
		}
	}
	if strings.Contains(string(st2), secret) {
		t.Error("state holds a secret")
	}
}

func TestConcurrentDuplicateCreates(t *testing.T) {
	_, srv := serve(t)
	adm := token(t, srv, accessemu.AdminClientID, secret)
	api := srv.URL + "/SAAS/jersey/manager/api/oauth2clients"
	h := map[string]string{"Authorization": "Bearer " + adm, "Content-Type": "application/json"}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _, _ := do(t, "POST", api, h, fmt.Sprintf(`{"clientId":"same","scope":"admin","authGrantTypes":"client_credentials","accessTokenTTL":%d}`, i+1))
			mu.Lock()
			codes[st]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[201] != 1 || codes[500] != 15 {
		t.Errorf("codes %v; want one 201 and fifteen 500", codes)
	}
}
