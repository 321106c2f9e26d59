package accessemu_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// modelled lists every emulator route that neither Access contract (the 2025 OpenAPI nor the
// 2018 Swagger in ../shared/contracts/access) describes, with where its shape comes from. The
// S-numbers are the sources of ../shared/reference/workspace-one-access.md; docs/sandbox.md
// carries the same list for readers.
var modelled = map[string]string{
	"/SAAS/API/1.0/oauth2/token": "token endpoint variant (POST ?grant_type=client_credentials + Basic) used by " +
		"vmware-samples/euc-samples Access-Samples (S8); in no swagger",
	"/SAAS/_emulator/mediatypes": "sandbox control, not a service route: switches the emulator between the " +
		"pre-2025 vendor media types and application/json (KB 6000953)",
	"GET /SAAS/jersey/manager/api/oauth2apptemplates":       "vmware/priam core/oauthresource.go and its tests (S4)",
	"POST /SAAS/jersey/manager/api/oauth2apptemplates":      "vmware/priam core/oauthresource.go (S4)",
	"GET /SAAS/jersey/manager/api/oauth2apptemplates/{}":    "vmware/priam core/oauthresource.go (S4); theidentityguy.ca Hub timeouts post (S9)",
	"PUT /SAAS/jersey/manager/api/oauth2apptemplates/{}":    "theidentityguy.ca Hub timeouts post, a recorded console/API session (S9)",
	"DELETE /SAAS/jersey/manager/api/oauth2apptemplates/{}": "vmware/priam core/oauthresource.go (S4)",
	"GET /SAAS/jersey/manager/api/connectormanagement/directoryconfigs": "lamw/VMware.WorkspaceOneAccess (S5), " +
		"sdewyser/PSWorkspaceOneAccess (S6), power-validated-solutions Get-WsaDirectory (S7)",
	"POST /SAAS/jersey/manager/api/connectormanagement/directoryconfigs": "lamw/VMware.WorkspaceOneAccess (S5), " +
		"power-validated-solutions Add-WSALdapDirectory (S7)",
	"GET /SAAS/jersey/manager/api/connectormanagement/directoryconfigs/{}/domains": "sdewyser/PSWorkspaceOneAccess (S6)",
	"DELETE /SAAS/jersey/manager/api/connectormanagement/directoryconfigs/{}":      "lamw/VMware.WorkspaceOneAccess (S5, ?asyncDelete=true -> 200)",
	"POST /SAAS/jersey/manager/api/scim/Users/{}":                                  "POST + X-HTTP-Method-Override: PATCH, as vmware/priam core/users.go sends (S4)",
	"POST /SAAS/jersey/manager/api/scim/Groups/{}":                                 "POST + X-HTTP-Method-Override: PATCH, as vmware/priam sends (S4)",
	"PUT /SAAS/jersey/manager/api/scim/Users/{}": "a refusal (405): both contracts list no PUT for SCIM 1.1 users (S1, S2), " +
		"so the emulator answers what a client that tries it must handle",
	"PUT /SAAS/jersey/manager/api/scim/Groups/{}": "a refusal (405): both contracts list no PUT for SCIM 1.1 groups (S1, S2)",
}

var param = regexp.MustCompile(`\{[^}]*\}`)

// contractRoutes reads the paths and methods of an OpenAPI or Swagger document, path
// parameters normalised to {}: "METHOD /path" for each operation and "/path" for the path.
func contractRoutes(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]bool{}
	for p, ops := range doc.Paths {
		p = param.ReplaceAllString(p, "{}")
		out[p] = true
		for m := range ops {
			out[strings.ToUpper(m)+" "+p] = true
		}
	}
	return out
}

// Every route the emulator registers is in an Access contract or in the modelled list, and
// every modelled entry is still a route (the list cannot go stale).
func TestEveryRouteHasAProvenance(t *testing.T) {
	dir := filepath.Join(sandboxtest.ContractsDir(t), "access")
	contract := map[string]bool{}
	for _, f := range []string{"access-openapi-2025.json", "vidm-swagger-2018.json"} {
		for k := range contractRoutes(t, filepath.Join(dir, f)) {
			contract[k] = true
		}
	}
	routes := accessemu.RoutePatterns(accessemu.New())
	if len(routes) == 0 {
		t.Fatal("the emulator registered no routes")
	}
	seen := map[string]bool{}
	var missing []string
	for _, r := range routes {
		key := param.ReplaceAllString(r, "{}")
		seen[key] = true
		if contract[key] {
			continue
		}
		if src := modelled[key]; strings.TrimSpace(src) == "" {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("route %q is in neither Access contract nor the modelled list: add its source to modelled (and docs/sandbox.md)", r)
	}
	for k := range modelled {
		if !seen[k] {
			t.Errorf("modelled lists %q, which the emulator no longer serves", k)
		}
		if contract[k] {
			t.Errorf("modelled lists %q, which a contract describes: drop it from the list", k)
		}
	}
}

// The modelled refusal: PUT on SCIM 1.1 users and groups is 405 naming PATCH, as neither
// contract has it.
func TestSCIM11PutIsRefused(t *testing.T) {
	_, srv := serve(t)
	h := map[string]string{"Authorization": "Bearer " + token(t, srv, accessemu.AdminClientID, secret), "Content-Type": "application/json"}
	for _, p := range []string{"/Users/u1", "/Groups/g1"} {
		st, body, hdr := do(t, "PUT", srv.URL+"/SAAS/jersey/manager/api/scim"+p, h, `{}`)
		if st != 405 || !strings.Contains(hdr.Get("Allow"), "PATCH") || !strings.Contains(body, "PATCH") {
			t.Errorf("PUT %s: %d Allow %q %s", p, st, hdr.Get("Allow"), body)
		}
	}
}
