package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

func init() {
	drifts = append(drifts, drift{name: "admin consent grant removed", service: "graph", check: "azure.", fix: "flowsctl azure register",
		make: func(t *testing.T, e *env) {
			cfg := loadConfig(t, e)
			az := cfg.Azure
			if az == nil || az.SignIn.Method != "clientsecret" {
				t.Skip("the sandbox config does not sign in to Entra with a client secret")
			}
			secret, err := cfg.Secret(az.SignIn.ClientSecret)
			if err != nil {
				t.Fatal(err)
			}
			hc := sandboxtest.Client(t, e.SB)
			ctx := context.Background()
			gu, _ := url.Parse(az.GraphURL)
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {az.SignIn.ClientID}, "client_secret": {secret},
				"scope": {gu.Scheme + "://" + gu.Host + "/.default"}}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(az.Authority, "/")+"/"+az.TenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			call(t, hc, req, &tok)
			graph := strings.TrimSuffix(strings.TrimRight(az.GraphURL, "/"), "/v1.0") + "/v1.0"
			req, _ = http.NewRequestWithContext(ctx, http.MethodGet, graph+"/oauth2PermissionGrants", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			var list struct {
				Value []struct {
					ID          string `json:"id"`
					ConsentType string `json:"consentType"`
				} `json:"value"`
			}
			call(t, hc, req, &list)
			n := 0
			for _, g := range list.Value {
				if g.ConsentType != "AllPrincipals" {
					continue
				}
				req, _ = http.NewRequestWithContext(ctx, http.MethodDelete, graph+"/oauth2PermissionGrants/"+url.PathEscape(g.ID), nil)
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				call(t, hc, req, nil)
				n++
			}
			if n == 0 {
				t.Fatal("no admin consent grant to remove")
			}
		}})
}

func call(t *testing.T, hc *httpx.Client, req *http.Request, out any) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := httpx.ReadBody(resp)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}
