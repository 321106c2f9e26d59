package entraemu_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// TestSchemaMatchesCSDL: every property the emulator accepts exists in Graph's CSDL with the same type,
// so the emulator rejects whatever Graph would reject as undeclared.
func TestSchemaMatchesCSDL(t *testing.T) {
	csdl, err := sandboxtest.LoadCSDL(filepath.Join(sandboxtest.ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for typ, props := range entraemu.SchemaTypes() {
		if strings.HasSuffix(typ, "Parameters") {
			continue // action parameters, not types
		}
		want, ok := csdl[typ]
		if !ok {
			t.Errorf("emulator type %s is not in the CSDL", typ)
			continue
		}
		for p, ty := range props {
			if got, ok := want[p]; !ok {
				t.Errorf("emulator accepts %s.%s, which the CSDL does not declare", typ, p)
			} else if got != ty {
				t.Errorf("%s.%s: emulator type %s, CSDL %s", typ, p, ty, got)
			}
		}
	}
}

// TestGraphScopeIDsMatchPublishedList: the Graph service principal serves real permission ids.
func TestGraphScopeIDsMatchPublishedList(t *testing.T) {
	dir := sandboxtest.ContractsDir(t)
	tests := []struct {
		file string
		ids  map[string]string
	}{
		{"graph-delegated-permissions.json", entraemu.GraphScopeIDs()},
		{"graph-application-permissions.json", entraemu.GraphRoleIDs()},
	}
	for _, tc := range tests {
		b, err := os.ReadFile(filepath.Join(dir, "graph", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		var list []struct{ Id, Value string }
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatal(err)
		}
		pub := map[string]string{}
		for _, p := range list {
			pub[p.Value] = p.Id
		}
		for name, id := range tc.ids {
			if pub[name] != id {
				t.Errorf("%s: %s has id %s in the emulator, %q published", tc.file, name, id, pub[name])
			}
		}
	}
}

type fixture struct {
	t     *testing.T
	sb    *sandbox.Sandbox
	graph *entraemu.Graph
	sts   *entraemu.STS
	hc    *http.Client
}

func start(t *testing.T, opts ...entraemu.Option) *fixture {
	sts, graph := entraemu.New(opts...)
	sb := sandboxtest.Start(t, sts, graph)
	return &fixture{t: t, sb: sb, graph: graph.(*entraemu.Graph), sts: sts.(*entraemu.STS), hc: sandboxtest.Client(t, sb).HTTPClient()}
}

// token signs in with client credentials at the emulated STS.
func (f *fixture) token(clientID, secret string) (int, map[string]any) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {f.sb.Services["graph"].URL + "/.default"}}
	return f.decode(f.hc.PostForm(f.sb.Services["sts"].URL+"/"+entraemu.TenantID+"/oauth2/v2.0/token", form))
}

// decode is the status and JSON object of a response (a transport error fails the test).
func (f *fixture) decode(resp *http.Response, err error) (int, map[string]any) {
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func (f *fixture) call(tok, method, path string, body string, gz bool, hdr ...string) (int, map[string]any) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
		if gz {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write([]byte(body))
			w.Close()
			rd = &b
		}
	}
	req, _ := http.NewRequest(method, f.sb.Services["graph"].URL+strings.ReplaceAll(path, " ", "%20"), rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.decode(f.hc.Do(req))
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestGraphBehaviour(t *testing.T) {
	f := start(t, entraemu.WithClient(entraemu.Client{ID: "reader", Secret: "reader-secret-1", Roles: []string{"Application.Read.All"}}))
	code, tk := f.token(entraemu.SignInClientID, f.sts.SignInSecret())
	if code != 200 {
		t.Fatalf("token: %d %v", code, tk)
	}
	admin := tk["access_token"].(string)
	_, rt := f.token("reader", "reader-secret-1")
	reader := rt["access_token"].(string)
	if code, m := f.token(entraemu.SignInClientID, "wrong"); code != 401 || m["error"] != "invalid_client" {
		t.Errorf("bad secret: %d %v", code, m)
	}

	// Create by upsert (gzip body), then read it back by its alternate keys.
	code, app := f.call(admin, "PATCH", "/v1.0/applications(uniqueName='t1')",
		`{"@odata.type":"#microsoft.graph.application","displayName":"T1","signInAudience":"AzureADMultipleOrgs"}`, true, "Prefer", "create-if-missing")
	if code != 201 || app["uniqueName"] != "t1" {
		t.Fatalf("upsert create: %d %v", code, app)
	}
	appID := app["appId"].(string)
	tests := []struct {
		name       string
		tok        string
		method     string
		path, body string
		hdr        []string
		status     int
		code       string
	}{
		{"no token", "", "GET", "/v1.0/applications", "", nil, 401, "InvalidAuthenticationToken"},
		{"garbage token", "abc.def.ghi", "GET", "/v1.0/applications", "", nil, 401, "InvalidAuthenticationToken"},
		{"reader may read", reader, "GET", "/v1.0/applications?$filter=displayName eq 'T1'&$select=id,appId", "", nil, 200, ""},
		{"reader may not write", reader, "PATCH", "/v1.0/applications(uniqueName='t1')", `{"notes":"x"}`, nil, 403, "Authorization_RequestDenied"},
		{"unknown property", admin, "PATCH", "/v1.0/applications(uniqueName='t1')", `{"displayNam":"x"}`, nil, 400, "Request_BadRequest"},
		{"unknown nested property", admin, "PATCH", "/v1.0/applications(uniqueName='t1')", `{"web":{"logoutURL":"https://x"}}`, nil, 400, "Request_BadRequest"},
		{"bad guid", admin, "PATCH", "/v1.0/applications(uniqueName='t1')", `{"requiredResourceAccess":[{"resourceAppId":"x","resourceAccess":[{"id":"nope","type":"Scope"}]}]}`, nil, 400, "Request_BadRequest"},
		{"update by alternate key", admin, "PATCH", "/v1.0/applications(uniqueName='t1')", `{"notes":"hello"}`, nil, 204, ""},
		{"absent without Prefer", admin, "PATCH", "/v1.0/applications(uniqueName='nope')", `{"displayName":"N"}`, nil, 404, "Request_ResourceNotFound"},
		{"get by appId", admin, "GET", "/v1.0/applications(appId='" + appID + "')?$select=notes", "", nil, 200, ""},
		{"unsupported filter", admin, "GET", "/v1.0/applications?$filter=notes eq 'x'", "", nil, 400, "Request_UnsupportedQuery"},
		{"sp for app", admin, "PATCH", "/v1.0/servicePrincipals(appId='" + appID + "')", `{}`, []string{"Prefer", "create-if-missing"}, 201, ""},
		{"sp for unknown app", admin, "PATCH", "/v1.0/servicePrincipals(appId='00000000-0000-0000-0000-000000000001')", `{}`, []string{"Prefer", "create-if-missing"}, 400, "Request_BadRequest"},
		{"graph sp", admin, "GET", "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?$select=id,oauth2PermissionScopes", "", nil, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, m := f.call(tc.tok, tc.method, tc.path, tc.body, false, tc.hdr...)
			if code != tc.status || errCode(m) != tc.code {
				t.Errorf("%s %s: %d %s, want %d %s (%v)", tc.method, tc.path, code, errCode(m), tc.status, tc.code, m)
			}
		})
	}
	_, got := f.call(admin, "GET", "/v1.0/applications(appId='"+appID+"')?$select=notes", "", false)
	if got["notes"] != "hello" || got["displayName"] != nil {
		t.Errorf("$select: %v", got)
	}
	_, pw := f.call(admin, "POST", "/v1.0/applications/"+app["id"].(string)+"/addPassword", `{"passwordCredential":{"displayName":"flowsctl t"}}`, false)
	secret, _ := pw["secretText"].(string)
	if len(secret) < 30 || pw["hint"] != secret[:3] {
		t.Fatalf("addPassword: %v", pw)
	}
	var st map[string]any
	sandboxtest.Admin(t, f.sb, "graph", "GET", "/state", "", &st)
	b, _ := json.Marshal(st)
	if bytes.Contains(b, []byte(secret)) {
		t.Errorf("the state dump holds a secret value")
	}
}

func TestReplicationDelayAnswersRealErrors(t *testing.T) {
	f := start(t)
	f.graph.SetReplicationDelay(60_000_000_000) // 60s: nothing replicates during the test
	_, tk := f.token(entraemu.SignInClientID, f.sts.SignInSecret())
	tok := tk["access_token"].(string)
	code, app := f.call(tok, "POST", "/v1.0/applications", `{"displayName":"R","uniqueName":"r1"}`, false)
	if code != 201 {
		t.Fatalf("create: %d %v", code, app)
	}
	appID := app["appId"].(string)
	code, m := f.call(tok, "GET", "/v1.0/applications/"+app["id"].(string), "", false)
	if code != 404 || errCode(m) != "Request_ResourceNotFound" {
		t.Errorf("read during replication: %d %v", code, m)
	}
	code, m = f.call(tok, "POST", "/v1.0/servicePrincipals", `{"appId":"`+appID+`"}`, false)
	msg, _ := m["error"].(map[string]any)["message"].(string)
	if code != 400 || !strings.Contains(msg, "does not reference a valid application object") {
		t.Errorf("sp during replication: %d %v", code, m)
	}
}

func TestDeviceCodeFlow(t *testing.T) {
	f := start(t)
	sts := f.sb.Services["sts"].URL + "/" + entraemu.TenantID + "/oauth2/v2.0/"
	resp, err := f.hc.PostForm(sts+"devicecode", url.Values{"client_id": {entraemu.PublicClientID}, "scope": {"https://graph.microsoft.com/.default offline_access"}})
	if err != nil {
		t.Fatal(err)
	}
	var dc map[string]any
	json.NewDecoder(resp.Body).Decode(&dc)
	resp.Body.Close()
	poll := func() (int, map[string]any) {
		r, err := f.hc.PostForm(sts+"token", url.Values{"client_id": {entraemu.PublicClientID}, "device_code": {dc["device_code"].(string)},
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		return r.StatusCode, m
	}
	if code, m := poll(); code != 400 || m["error"] != "authorization_pending" {
		t.Fatalf("first poll: %d %v", code, m)
	}
	code, m := poll()
	if code != 200 || m["refresh_token"] == nil || m["access_token"] == nil {
		t.Fatalf("second poll: %d %v", code, m)
	}
	r, _ := f.hc.PostForm(sts+"token", url.Values{"client_id": {entraemu.PublicClientID}, "grant_type": {"refresh_token"},
		"refresh_token": {m["refresh_token"].(string)}, "scope": {"https://graph.microsoft.com/.default"}})
	if r.StatusCode != 200 {
		t.Errorf("refresh: %s", r.Status)
	}
	r.Body.Close()
}

func TestReplicationDelayFromEnvironment(t *testing.T) {
	t.Setenv(entraemu.EnvReplicationDelay, "30s")
	f := start(t)
	_, tk := f.token(entraemu.SignInClientID, f.sts.SignInSecret())
	tok := tk["access_token"].(string)
	_, app := f.call(tok, "POST", "/v1.0/applications", `{"displayName":"E"}`, false)
	if code, _ := f.call(tok, "GET", "/v1.0/applications/"+app["id"].(string), "", false); code != 404 {
		t.Errorf("read right after create: %d, want 404 while replicating", code)
	}
}
