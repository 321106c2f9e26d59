package mfemu_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func TestAdminAPIAndPublicKey(t *testing.T) {
	sb := sandboxtest.Start(t, mfemu.New())
	hc := sandboxtest.Client(t, sb)
	base := sb.Services["mobileflows"].URL
	call := func(method, path, body string, auth bool) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer sandbox-admin-token")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	teams := `{"name":"Microsoft Teams","catalogId":"microsoft-teams","baseUrl":"https://graph.microsoft.com/beta","active":true,"categories":[],
	 "authentication":{"type":"oauth2_authorization_code","clientId":"c1","clientSecret":"s3cr3t-value-xyz"},"notification":{"method":"poll"}}`
	cases := []struct {
		method, path, body string
		auth               bool
		status             int
		want               string
	}{
		{"GET", "/connector-management/v1/connectors", "", false, 401, "unauthorized"},
		{"GET", "/connector-management/v1/connectors/Microsoft%20Teams", "", true, 404, "connector.not_found"},
		{"PUT", "/connector-management/v1/connectors/Microsoft%20Teams", teams, true, 201, `"clientSecretSet":true`},
		{"PUT", "/connector-management/v1/connectors/Microsoft%20Teams", strings.Replace(teams, `"clientSecret":"s3cr3t-value-xyz"`, `"clientId2":"x"`, 1), true, 400, "unknown field"},
		{"PUT", "/connector-management/v1/connectors/Other", teams, true, 400, "differs from the path"},
		{"PUT", "/connector-management/v1/connectors/Microsoft%20Teams", strings.Replace(teams, `"poll"`, `"push"`, 1), true, 400, "poll only"},
		{"GET", "/connector-management/v1/connectors", "", true, 200, `"clientId":"c1"`},
		{"GET", "/connector-management/v1/tenant", "", true, 200, `"registered":true`},
		{"GET", "/security/public-key", "", false, 200, "BEGIN PUBLIC KEY"},
		{"GET", mfemu.SamplePath, "", false, 200, `"object_types"`},
		{"POST", mfemu.SamplePath + "cards/requests", "{}", false, 401, "JWT"},
		{"DELETE", "/connector-management/v1/connectors/Microsoft%20Teams", "", true, 204, ""},
	}
	for _, c := range cases {
		st, body := call(c.method, c.path, c.body, c.auth)
		if st != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s", c.method, c.path, st, body)
		}
		if strings.Contains(body, "s3cr3t-value-xyz") {
			t.Errorf("%s %s: answer shows the secret", c.method, c.path)
		}
	}
}
