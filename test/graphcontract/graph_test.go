// Package graphcontract holds flowsctl and the Graph emulator to Microsoft Graph's published
// metadata: every request flowsctl sends to Graph and every answer the emulator gives during an
// end-to-end run (apply, a re-run, doctor, a secret rotation) is checked against the CSDL in
// ../shared/contracts/graph/ — entity sets, keys, bound actions and their parameters, property
// names, types and nullability, and the OData error shape.
package graphcontract

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

// What the test expects of Graph v1.0 beyond the types in the CSDL subset, each taken from
// Microsoft Graph's full v1.0 CSDL (schemas/v1.0-Prod.csdl in microsoftgraph/msgraph-metadata):
// the EntityContainer's entity sets, the alternate keys the entity types declare
// (Org.OData.Core.V1.AlternateKeys; msgraph-sdk-go generates ApplicationsWithAppId,
// ApplicationsWithUniqueName and ServicePrincipalsWithAppId from them), and the bound actions
// with their parameters and return types. Extend these only from that CSDL.
var (
	entitySets = map[string]string{
		"applications":           "application",
		"servicePrincipals":      "servicePrincipal",
		"oauth2PermissionGrants": "oAuth2PermissionGrant",
	}
	alternateKeys = map[string][]string{
		"application":      {"appId", "uniqueName"},
		"servicePrincipal": {"appId"},
	}
	actions = map[string]struct {
		bound   string
		params  map[string]string
		returns string
	}{
		"addPassword":    {"application", map[string]string{"passwordCredential": "graph.passwordCredential"}, "passwordCredential"},
		"removePassword": {"application", map[string]string{"keyId": "Edm.Guid"}, ""},
	}
	// queryOptions are the OData system query options Graph accepts on these collections.
	queryOptions = []string{"$select", "$filter", "$top", "$count", "$orderby", "$search", "$skiptoken", "$expand"}
)

type exchange struct {
	method, path, query string
	reqBody             []byte
	status              int
	respBody            []byte
}

// recordingGraph is the Graph emulator with every request and answer recorded.
type recordingGraph struct {
	*entraemu.Graph
	mu  sync.Mutex
	log []exchange
}

func (g *recordingGraph) Handler() http.Handler {
	inner := g.Graph.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		plain := body
		if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && len(body) > 0 {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				plain, _ = io.ReadAll(zr)
			}
		}
		cw := &capture{ResponseWriter: w, status: http.StatusOK}
		inner.ServeHTTP(cw, r)
		g.mu.Lock()
		g.log = append(g.log, exchange{r.Method, r.URL.Path, r.URL.RawQuery, plain, cw.status, cw.buf.Bytes()})
		g.mu.Unlock()
	})
}

type capture struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (c *capture) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *capture) Write(b []byte) (int, error) {
	c.buf.Write(b)
	return c.ResponseWriter.Write(b)
}

var pathRE = regexp.MustCompile(`^/v1\.0/([A-Za-z0-9]+)(?:\(([A-Za-z]+)='((?:[^']|'')*)'\)|/([^/()]+))?(?:/([A-Za-z]+))?$`)

// TestGraphTrafficMatchesCSDL runs apply, a second apply, doctor and a secret rotation against
// the sandbox and checks every Graph exchange against the CSDL.
func TestGraphTrafficMatchesCSDL(t *testing.T) {
	schema, err := sandboxtest.LoadSchema(filepath.Join(sandboxtest.ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for set, typ := range entitySets {
		if !schema.Entities[typ] || len(schema.Keys[typ]) != 1 || schema.Keys[typ][0] != "id" {
			t.Fatalf("entity set %s: type %s is not an entity keyed by id in the CSDL (keys %v)", set, typ, schema.Keys[typ])
		}
		for _, k := range alternateKeys[typ] {
			if schema.Props[typ][k] != "Edm.String" {
				t.Fatalf("alternate key %s.%s is not an Edm.String property in the CSDL", typ, k)
			}
		}
	}

	sts, g := entraemu.New()
	graph := &recordingGraph{Graph: g.(*entraemu.Graph)}
	emus := []sandbox.Emulator{graph}
	for _, e := range emulators.All() {
		if e.Name() != "sts" && e.Name() != "graph" {
			emus = append(emus, e)
		}
	}
	sb := sandboxtest.Start(t, append(emus, sts)...)
	env := &harness.Env{SB: sb, Args: []string{"-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input"},
		Opts: harness.Options{Version: "graphcontract"}}
	for _, args := range [][]string{{"apply"}, {"apply"}, {"doctor"}, {"azure", "secret", "rotate", "--remove-old"}, {"doctor"}} {
		if r := env.Run(t, args...); r.Code != 0 {
			t.Fatalf("flowsctl %v: exit %d\n%s%s", args, r.Code, r.Out, r.Err)
		}
	}

	graph.mu.Lock()
	log := append([]exchange(nil), graph.log...)
	graph.mu.Unlock()
	covered := map[string]int{}
	for _, x := range log {
		if x.method == http.MethodHead && x.path == "/" {
			covered["HEAD / (doctor's reachability probe, outside the OData service)"]++
			continue
		}
		what := x.method + " " + x.path
		if x.query != "" {
			what += "?" + x.query
		}
		form, problems := check(schema, x)
		covered[form]++
		for _, p := range problems {
			t.Errorf("%s (%d): %s", what, x.status, p)
		}
	}
	var forms []string
	for f, n := range covered {
		forms = append(forms, f+" ×"+itoa(n))
	}
	sort.Strings(forms)
	t.Logf("%d Graph exchanges checked against the CSDL:\n  %s", len(log), strings.Join(forms, "\n  "))
	for _, want := range []string{"GET applications(uniqueName)", "PATCH applications(uniqueName)", "POST applications/{id}/addPassword",
		"POST applications/{id}/removePassword", "GET servicePrincipals(appId)", "POST oauth2PermissionGrants", "GET oauth2PermissionGrants"} {
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

// check validates one exchange and names its form (e.g. "PATCH applications(uniqueName)").
func check(s *sandboxtest.Schema, x exchange) (string, []string) {
	var bad []string
	m := pathRE.FindStringSubmatch(x.path)
	if m == nil {
		return x.method + " " + x.path, []string{"the path is not an entity set, key and action of Graph v1.0"}
	}
	set, keyName, keySeg, action := m[1], m[2], m[4], m[5]
	typ, ok := entitySets[set]
	if !ok {
		return x.method + " " + set, []string{"entity set " + set + " is not in Graph's EntityContainer"}
	}
	form := x.method + " " + set
	switch {
	case keyName != "":
		form += "(" + keyName + ")"
		if keyName != "id" && !slices.Contains(alternateKeys[typ], keyName) {
			bad = append(bad, keyName+" is neither the key nor an alternate key of "+typ)
		}
	case keySeg != "":
		form += "/{id}"
	}
	if action != "" {
		form += "/" + action
	}
	q, err := url.ParseQuery(x.query)
	if err != nil {
		bad = append(bad, "query: "+err.Error())
	}
	for k, v := range q {
		if strings.HasPrefix(k, "$") && !slices.Contains(queryOptions, k) {
			bad = append(bad, "query option "+k+" is not one Graph accepts here")
		}
		switch k {
		case "$select":
			for _, p := range strings.Split(v[0], ",") {
				if _, ok := s.Props[typ][strings.TrimSpace(p)]; !ok {
					bad = append(bad, "$select names "+p+", which "+typ+" does not declare")
				}
			}
		case "$filter":
			for _, p := range filterProperties(v[0]) {
				if _, ok := s.Props[typ][p]; !ok {
					bad = append(bad, "$filter names "+p+", which "+typ+" does not declare")
				}
			}
		}
	}

	// The request body.
	var body map[string]any
	if len(bytes.TrimSpace(x.reqBody)) > 0 {
		if err := json.Unmarshal(x.reqBody, &body); err != nil {
			bad = append(bad, "request body is not a JSON object")
		}
	}
	if action != "" {
		a, ok := actions[action]
		switch {
		case !ok:
			bad = append(bad, action+" is not a bound action of Graph v1.0 that this contract knows")
		case a.bound != typ || (keyName == "" && keySeg == "") || x.method != http.MethodPost:
			bad = append(bad, action+" is bound to a single "+a.bound+" and invoked with POST")
		default:
			for k, v := range body {
				t, ok := a.params[k]
				if !ok {
					bad = append(bad, action+" has no parameter "+k)
					continue
				}
				if c, complex := strings.CutPrefix(t, "graph."); complex {
					if o, isObj := v.(map[string]any); isObj {
						bad = append(bad, s.CheckValues(c, o)...)
					} else {
						bad = append(bad, action+"."+k+" is not an object")
					}
				} else if str, _ := v.(string); t == "Edm.Guid" && !guidRE.MatchString(str) {
					bad = append(bad, action+"."+k+" is not an Edm.Guid")
				}
			}
		}
	} else if body != nil {
		switch x.method {
		case http.MethodPost, http.MethodPatch:
			bad = append(bad, s.CheckValues(typ, body)...)
		default:
			bad = append(bad, x.method+" with a body")
		}
	}

	// The answer.
	switch {
	case x.status == http.StatusNoContent:
		if len(bytes.TrimSpace(x.respBody)) > 0 {
			bad = append(bad, "204 with a body")
		}
	case x.status >= 400:
		bad = append(bad, errorShape(x.respBody)...)
	case len(bytes.TrimSpace(x.respBody)) > 0:
		var ans map[string]any
		if err := json.Unmarshal(x.respBody, &ans); err != nil {
			return form, append(bad, "answer is not a JSON object")
		}
		switch {
		case action != "":
			if r := actions[action].returns; r != "" {
				bad = append(bad, s.CheckValues(r, ans)...)
			}
		case keyName == "" && keySeg == "" && x.method == http.MethodGet:
			vals, ok := ans["value"].([]any)
			if !ok {
				bad = append(bad, "a collection answer without value[]")
			}
			for _, v := range vals {
				o, _ := v.(map[string]any)
				bad = append(bad, s.CheckValues(typ, o)...)
			}
		default:
			bad = append(bad, s.CheckValues(typ, ans)...)
		}
	}
	return form, bad
}

var (
	guidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	filterProp = regexp.MustCompile(`(?i)(?:^|[\s(])([A-Za-z]+)(?:/any\(|\s+(?:eq|ne|ge|le|gt|lt|in)\s)|(?i)(?:startswith|endswith)\(\s*([A-Za-z]+)\s*,`)
)

// filterProperties are the properties a $filter expression names (lambda variables excluded).
func filterProperties(f string) []string {
	var out []string
	for _, m := range filterProp.FindAllStringSubmatch(f, -1) {
		for _, p := range m[1:] {
			if p != "" && len(p) > 1 {
				out = append(out, p)
			}
		}
	}
	return out
}

// errorShape checks Graph's error body: {"error":{"code","message","innerError":{...}}}.
func errorShape(b []byte) []string {
	var e struct {
		Error *struct {
			Code       *string        `json:"code"`
			Message    *string        `json:"message"`
			InnerError map[string]any `json:"innerError"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error == nil || e.Error.Code == nil || e.Error.Message == nil || e.Error.InnerError == nil {
		return []string{"error answer is not Graph's {error:{code,message,innerError}}: " + harness.Tail(string(b), 300)}
	}
	return nil
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestCheckCatchesViolations: the checker is not vacuous — each kind of departure from the CSDL
// in a request or an answer is reported.
func TestCheckCatchesViolations(t *testing.T) {
	schema, err := sandboxtest.LoadSchema(filepath.Join(sandboxtest.ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml"))
	if err != nil {
		t.Fatal(err)
	}
	okApp := `{"id":"0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91","displayName":"x","identifierUris":[]}`
	tests := []struct {
		name string
		x    exchange
		want string
	}{
		{"unknown entity set", exchange{"GET", "/v1.0/apps", "", nil, 200, []byte(`{"value":[]}`)}, "not in Graph's EntityContainer"},
		{"key that is no alternate key", exchange{"GET", "/v1.0/applications(displayName='x')", "", nil, 200, []byte(okApp)}, "neither the key nor an alternate key"},
		{"undeclared property sent", exchange{"PATCH", "/v1.0/applications(uniqueName='x')", "", []byte(`{"displayNam":"x"}`), 204, nil}, "application.displayNam: not declared"},
		{"wrong type sent", exchange{"POST", "/v1.0/applications", "", []byte(`{"displayName":"x","signInAudience":true}`), 201, []byte(okApp)}, "does not fit Edm.String"},
		{"bad guid in a nested type", exchange{"PATCH", "/v1.0/applications/1", "", []byte(`{"requiredResourceAccess":[{"resourceAppId":"a","resourceAccess":[{"id":"nope","type":"Scope"}]}]}`), 204, nil}, "does not fit Edm.Guid"},
		{"null where not nullable", exchange{"GET", "/v1.0/applications/1", "", nil, 200, []byte(`{"identifierUris":null}`)}, `Nullable="false"`},
		{"undeclared property answered", exchange{"GET", "/v1.0/servicePrincipals", "", nil, 200, []byte(`{"value":[{"appID":"x"}]}`)}, "servicePrincipal.appID: not declared"},
		{"$select of an undeclared property", exchange{"GET", "/v1.0/applications/1", "$select=id,secret", nil, 200, []byte(okApp)}, "$select names secret"},
		{"$filter on an undeclared property", exchange{"GET", "/v1.0/oauth2PermissionGrants", "$filter=clientID eq 'x'", nil, 200, []byte(`{"value":[]}`)}, "$filter names clientID"},
		{"unknown action", exchange{"POST", "/v1.0/applications/1/addKey", "", []byte(`{}`), 200, []byte(`{}`)}, "not a bound action"},
		{"action parameter", exchange{"POST", "/v1.0/applications/1/removePassword", "", []byte(`{"keyID":"x"}`), 204, nil}, "has no parameter keyID"},
		{"error shape", exchange{"GET", "/v1.0/applications/1", "", nil, 404, []byte(`{"message":"nope"}`)}, "is not Graph's {error"},
	}
	for _, tc := range tests {
		_, bad := check(schema, tc.x)
		if !strings.Contains(strings.Join(bad, "\n"), tc.want) {
			t.Errorf("%s: problems %q, want one saying %q", tc.name, bad, tc.want)
		}
	}
	if _, bad := check(schema, exchange{"GET", "/v1.0/applications(appId='x')", "$select=id,displayName", nil, 200, []byte(okApp)}); len(bad) > 0 {
		t.Errorf("a valid exchange was reported: %q", bad)
	}
}
