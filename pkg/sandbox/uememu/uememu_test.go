package uememu_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
)

func TestEmulatorBehaviours(t *testing.T) {
	e := uememu.New()
	sb := sandboxtest.Start(t, e)
	hc := sandboxtest.Client(t, sb)
	base := sb.Services["uem"].URL
	get := func(path, accept string, basic bool) *http.Response {
		req, _ := http.NewRequest("GET", base+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if basic {
			req.SetBasicAuth(uememu.BasicUser, e.Password())
			req.Header.Set("aw-tenant-code", e.TenantCode())
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	cases := []struct {
		name, path, accept string
		basic              bool
		status             int
		header, body       string
	}{
		{"no auth", "/api/system/info", "", false, 401, "", `"errorCode":1005`},
		{"info", "/API/system/info", "application/json", true, 200, "x-ratelimit-remaining", "ProductVersion"},
		{"v2 groups", "/api/system/groups/search?name=ACME", "application/json;version=2", true, 200, "x-api-version", `"TotalResults"`},
		{"v1 groups", "/api/system/groups/search?name=ACME", "application/json;version=1", true, 200, "", `"LocationGroups"`},
		{"empty search", "/api/mdm/devices/search?user=nobody", "application/json", true, 204, "", ""},
		{"newer version falls back", "/api/system/info", "application/json;version=3", true, 200, "x-api-version", "ProductVersion"},
		{"older version refused", "/api/mam/apps/" + uememu.BoxerAppUUID + "/assignment-rules", "application/json;version=1", true, 406, "", "not supported"},
		{"children include self", "/api/system/groups/1112/children", "", true, 200, "", `"ACME Sales EMEA"`},
		{"rules v2", "/api/mam/apps/" + uememu.BoxerAppUUID + "/assignment-rules", "application/json;version=2", true, 200, "", "application_configuration"},
		{"unknown path", "/api/nope", "", true, 404, "", "activityId"},
	}
	for _, c := range cases {
		resp := get(c.path, c.accept, c.basic)
		b, _ := httpx.ReadBody(resp)
		if resp.StatusCode != c.status || (c.header != "" && resp.Header.Get(c.header) == "") || !strings.Contains(string(b), c.body) {
			t.Errorf("%s: %d %s %v", c.name, resp.StatusCode, b, resp.Header)
		}
	}
	// PUT validation: a BOOLEAN that is not a boolean is refused
	bad := `{"assignments":[{"distribution":{"smart_groups":["` + uememu.AllBoxerUsersUUID + `"]},"application_configuration":[{"key":"X","value":"maybe","type":"BOOLEAN"}]}]}`
	req, _ := http.NewRequest("PUT", base+"/api/mam/apps/"+uememu.BoxerAppUUID+"/assignment-rules", strings.NewReader(bad))
	req.SetBasicAuth(uememu.BasicUser, e.Password())
	req.Header.Set("aw-tenant-code", e.TenantCode())
	req.Header.Set("Accept", "application/json;version=2")
	req.Header.Set("Content-Type", "application/json;version=2")
	resp, err := hc.Do(req)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("bad PUT: %v %v", resp, err)
	}
	resp.Body.Close()
	// concurrent requests are safe
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := get("/api/mdm/smartgroups/search", "", true)
			r.Body.Close()
			e.State()
		}()
	}
	wg.Wait()
	b, _ := json.Marshal(e.State())
	for _, secret := range []string{e.Password(), e.TenantCode(), e.OAuthSecret()} {
		if strings.Contains(string(b), secret) {
			t.Fatal("state shows a secret")
		}
	}
}
