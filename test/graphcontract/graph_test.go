// Package graphcontract holds flowsctl and the Graph emulator to Microsoft Graph's published
// metadata: every request flowsctl sends to Graph and every answer the emulator gives during an
// end-to-end run (apply, a re-run, plan, doctor, azure verify/show/register, a secret rotation,
// doctor) is checked against the CSDL in ../shared/contracts/graph/ and the elements of Graph's
// full CSDL that sandboxtest.GraphExtension adds to it — entity sets, keys and alternate keys,
// bound actions and their parameters and return types, property names, types and nullability,
// and the OData error shape (sandboxtest.CheckGraphExchange).
package graphcontract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

func loadSchema(t *testing.T) *sandboxtest.Schema {
	t.Helper()
	s, err := sandboxtest.LoadGraphSchema(filepath.Join(sandboxtest.ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGraphTrafficMatchesCSDL runs apply, a second apply, plan, doctor, azure verify and show,
// azure register after the consent grant was narrowed, a secret rotation and doctor against the
// sandbox and checks every Graph exchange against the CSDL.
func TestGraphTrafficMatchesCSDL(t *testing.T) {
	schema := loadSchema(t)
	sts, g := entraemu.New()
	graph := &sandboxtest.RecordingGraph{Graph: g.(*entraemu.Graph)}
	emus := []sandbox.Emulator{graph}
	for _, e := range emulators.All() {
		if e.Name() != "sts" && e.Name() != "graph" {
			emus = append(emus, e)
		}
	}
	sb := sandboxtest.Start(t, append(emus, sts)...)
	env := &harness.Env{SB: sb, Args: []string{"-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input"},
		Opts: harness.Options{Version: "graphcontract"}}
	steps := []struct {
		args   []string
		before func()
	}{
		{args: []string{"apply"}}, {args: []string{"apply"}}, {args: []string{"plan"}}, {args: []string{"doctor"}},
		{args: []string{"azure", "verify"}}, {args: []string{"azure", "show"}},
		// Someone narrows the admin consent in the portal; register puts the scopes back (PATCH).
		{args: []string{"azure", "register"}, before: func() { narrowGrant(t, graph.Graph) }},
		{args: []string{"rotate", "teams-secret"}}, {args: []string{"doctor"}},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		if r := env.Run(t, st.args...); r.Code != 0 {
			t.Fatalf("flowsctl %v: exit %d\n%s%s", st.args, r.Code, r.Out, r.Err)
		}
	}

	log := graph.Exchanges()
	covered := map[string]int{}
	for _, x := range log {
		if x.Method == http.MethodHead && x.Path == "/" {
			covered["HEAD / (doctor's reachability probe, outside the OData service)"]++
			continue
		}
		what := x.Method + " " + x.Path
		if x.Query != "" {
			what += "?" + x.Query
		}
		form, problems := sandboxtest.CheckGraphExchange(schema, x)
		covered[form]++
		for _, p := range problems {
			t.Errorf("%s (%d): %s", what, x.Status, p)
		}
	}
	var forms []string
	for f, n := range covered {
		forms = append(forms, fmt.Sprintf("%s ×%d", f, n))
	}
	sort.Strings(forms)
	t.Logf("%d Graph exchanges checked against the CSDL:\n  %s", len(log), strings.Join(forms, "\n  "))
	for _, want := range []string{"GET applications(uniqueName)", "PATCH applications(uniqueName)", "POST applications/{id}/addPassword",
		"POST applications/{id}/removePassword", "GET servicePrincipals(appId)", "POST oauth2PermissionGrants", "GET oauth2PermissionGrants",
		"PATCH oauth2PermissionGrants/{id}"} {
		found := false
		for f := range covered {
			if strings.HasPrefix(f, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("the run never exercised %s, so the contract does not cover it", want)
		}
	}
}

// narrowGrant drops all but the first scope of every consent grant, straight through the
// emulator's handler (not recorded: it is not flowsctl's traffic).
func narrowGrant(t *testing.T, g *entraemu.Graph) {
	t.Helper()
	call := func(method, path, body string) []byte {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+g.AdminToken())
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		g.Handler().ServeHTTP(rec, req)
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	var list struct {
		Value []struct{ ID, Scope string }
	}
	if err := json.Unmarshal(call("GET", "/v1.0/oauth2PermissionGrants", ""), &list); err != nil || len(list.Value) == 0 {
		t.Fatalf("no consent grant to narrow (%v)", err)
	}
	for _, gr := range list.Value {
		first, _, _ := strings.Cut(gr.Scope, " ")
		b, _ := json.Marshal(map[string]string{"scope": first})
		call("PATCH", "/v1.0/oauth2PermissionGrants/"+gr.ID, string(b))
	}
}

type exchange = sandboxtest.GraphExchange

// TestCheckCatchesViolations: the checker is not vacuous — each kind of departure from the CSDL
// in a request or an answer is reported.
func TestCheckCatchesViolations(t *testing.T) {
	schema := loadSchema(t)
	okApp := `{"id":"0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91","displayName":"x","identifierUris":[]}`
	tests := []struct {
		name string
		x    exchange
		want string
	}{
		{"unknown entity set", exchange{Method: "GET", Path: "/v1.0/apps", Status: 200, RespBody: []byte(`{"value":[]}`)}, "not in Graph's EntityContainer"},
		{"key that is no alternate key", exchange{Method: "GET", Path: "/v1.0/applications(displayName='x')", Status: 200, RespBody: []byte(okApp)}, "neither the key nor an alternate key"},
		{"undeclared property sent", exchange{Method: "PATCH", Path: "/v1.0/applications(uniqueName='x')", ReqBody: []byte(`{"displayNam":"x"}`), Status: 204}, "application.displayNam: not declared"},
		{"wrong type sent", exchange{Method: "POST", Path: "/v1.0/applications", ReqBody: []byte(`{"displayName":"x","signInAudience":true}`), Status: 201, RespBody: []byte(okApp)}, "does not fit Edm.String"},
		{"bad guid in a nested type", exchange{Method: "PATCH", Path: "/v1.0/applications/1", ReqBody: []byte(`{"requiredResourceAccess":[{"resourceAppId":"a","resourceAccess":[{"id":"nope","type":"Scope"}]}]}`), Status: 204}, "does not fit Edm.Guid"},
		{"null where not nullable", exchange{Method: "GET", Path: "/v1.0/applications/1", Status: 200, RespBody: []byte(`{"identifierUris":null}`)}, `Nullable="false"`},
		{"undeclared property answered", exchange{Method: "GET", Path: "/v1.0/servicePrincipals", Status: 200, RespBody: []byte(`{"value":[{"appID":"x"}]}`)}, "servicePrincipal.appID: not declared"},
		{"$select of an undeclared property", exchange{Method: "GET", Path: "/v1.0/applications/1", Query: "$select=id,secret", Status: 200, RespBody: []byte(okApp)}, "$select names secret"},
		{"$filter on an undeclared property", exchange{Method: "GET", Path: "/v1.0/oauth2PermissionGrants", Query: "$filter=clientID eq 'x'", Status: 200, RespBody: []byte(`{"value":[]}`)}, "$filter names clientID"},
		{"action the extension does not copy (addKey)", exchange{Method: "POST", Path: "/v1.0/applications/1/addKey", ReqBody: []byte(`{}`), Status: 200, RespBody: []byte(`{}`)}, "is not an action the CSDL (subset and extension) binds to a single application"},
		{"action parameter", exchange{Method: "POST", Path: "/v1.0/applications/1/removePassword", ReqBody: []byte(`{"keyID":"x"}`), Status: 204}, "has no parameter keyID"},
		{"error shape", exchange{Method: "GET", Path: "/v1.0/applications/1", Status: 404, RespBody: []byte(`{"message":"nope"}`)}, "is not Graph's {error"},
		{"alternate key of another type", exchange{Method: "GET", Path: "/v1.0/servicePrincipals(uniqueName='x')", Status: 200, RespBody: []byte(`{}`)}, "neither the key nor an alternate key of servicePrincipal"},
		{"action bound elsewhere", exchange{Method: "POST", Path: "/v1.0/oauth2PermissionGrants/1/addPassword", ReqBody: []byte(`{}`), Status: 200, RespBody: []byte(`{}`)}, "binds to a single oAuth2PermissionGrant"},
		{"action with GET", exchange{Method: "GET", Path: "/v1.0/applications/1/addPassword", Status: 200, RespBody: []byte(`{}`)}, "invoked with POST"},
		{"non-nullable parameter missing", exchange{Method: "POST", Path: "/v1.0/applications/1/removePassword", ReqBody: []byte(`{}`), Status: 204}, "needs its parameter keyId"},
		{"parameter of the wrong type", exchange{Method: "POST", Path: "/v1.0/applications/1/removePassword", ReqBody: []byte(`{"keyId":"k1"}`), Status: 204}, "does not fit Edm.Guid"},
		{"non-nullable return missing", exchange{Method: "POST", Path: "/v1.0/applications/1/addPassword", ReqBody: []byte(`{}`), Status: 204}, "ReturnType passwordCredential is Nullable"},
		{"answer to an action that returns nothing", exchange{Method: "POST", Path: "/v1.0/applications/1/removePassword", ReqBody: []byte(`{"keyId":"0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91"}`), Status: 200, RespBody: []byte(`{"ok":true}`)}, "returns nothing"},
	}
	for _, tc := range tests {
		_, bad := sandboxtest.CheckGraphExchange(schema, tc.x)
		if !strings.Contains(strings.Join(bad, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one saying %q", tc.name, bad, tc.want)
		}
	}
	for _, valid := range []exchange{
		{Method: "GET", Path: "/v1.0/applications(appId='x')", Query: "$select=id,displayName", Status: 200, RespBody: []byte(okApp)},
		{Method: "GET", Path: "/v1.0/applications(id='x')", Status: 200, RespBody: []byte(okApp)},
		{Method: "POST", Path: "/v1.0/servicePrincipals(appId='x')/addPassword", ReqBody: []byte(`{"passwordCredential":{"displayName":"x"}}`),
			Status: 200, RespBody: []byte(`{"keyId":"0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91","secretText":"s"}`)},
	} {
		if _, bad := sandboxtest.CheckGraphExchange(schema, valid); len(bad) > 0 {
			t.Errorf("a valid exchange (%s %s) was reported: %q", valid.Method, valid.Path, bad)
		}
	}
}
