package mfemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/mfemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// provenance is where an emulator route's shape comes from, in a form the test can check:
//
//   - contract: files of ../shared/contracts/mobileflows; for a route of the sample connector,
//     evidence is the place in the discovery document (connector-discovery-schema.json) that
//     advertises the route, and the emulator's own discovery document must advertise it there;
//   - reference: a file of ../shared/reference whose text holds evidence (the public source is
//     named there);
//   - modeled: docs/mobile-flows-admin-api.md (there is no public admin API, see the reference's
//     §B4), whose endpoint table must hold evidence;
//   - sandbox: not a service route.
type provenance struct {
	kind     string
	files    []string
	evidence string
	source   string // for readers: the public source behind the files
}

const adminDoc = "docs/mobile-flows-admin-api.md"

var provenanceOf = map[string]provenance{
	"GET /connector-management/v1/connectors": {kind: "modeled", files: []string{adminDoc}, evidence: "`GET /connectors`",
		source: "modeled on the UEM console's mobile flows connector pages: no public admin API exists (reference §B4)"},
	"GET /connector-management/v1/connectors/{name}": {kind: "modeled", files: []string{adminDoc}, evidence: "`GET /connectors/{name}`",
		source: "modeled (reference §B4)"},
	"PUT /connector-management/v1/connectors/{name}": {kind: "modeled", files: []string{adminDoc}, evidence: "`PUT /connectors/{name}`",
		source: "modeled on the console's Add / New connector fields (reference §B4)"},
	"DELETE /connector-management/v1/connectors/{name}": {kind: "modeled", files: []string{adminDoc}, evidence: "`DELETE /connectors/{name}`",
		source: "modeled (reference §B4)"},
	"GET /connector-management/v1/tenant": {kind: "modeled", files: []string{adminDoc}, evidence: "`GET /tenant`",
		source: "modeled on the console's mobile flows Begin button (reference §B4)"},
	"GET /security/public-key": {kind: "reference", files: []string{"uem-and-mobile-flows.md"},
		evidence: "GET https://prod.hero.vmwservices.com/security/public-key",
		source:   "reference §B3: vmware-archive/mobile-flows-connectors-common-libraries lib/auth.js and lib/mock-mf-server.js"},
	"GET /sample-connector/{$}": {kind: "contract", files: []string{"connector-discovery-schema.json", "hub-ms-teams-connector-discovery.json"},
		source: "a connector's discovery document at its root (reference §B1)"},
	"POST /sample-connector/cards/requests": {kind: "contract", files: []string{"herocard-request-schema.json", "herocard-response-schema.json"},
		evidence: "object_types.card.endpoint.href", source: "the card endpoint the discovery document names (reference §B2)"},
	"POST /sample-connector/actions/refresh": {kind: "contract", files: []string{"connector-discovery-schema.json", "action-failure-response-schema.json"},
		evidence: "actions.refresh.url.href", source: "an action URL of the discovery document, POSTed by mobile flows (reference §B2)"},
	"GET /sample-connector/test-auth": {kind: "contract", files: []string{"connector-discovery-schema.json"},
		evidence: "test_auth.href", source: "the discovery document's test_auth link; the schema gives no method, GET is modeled"},
	"GET /sample-connector/images/connector.png": {kind: "contract", files: []string{"connector-discovery-schema.json"},
		evidence: "image.href", source: "the discovery document's image link; unauthenticated like a connector's /images/** (reference §B3)"},
	"/": {kind: "sandbox", source: "the emulator's 404 for anything else"},
}

// repoFile is a file of this repository, from the package folder.
func repoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lookup walks a dotted path of JSON object keys.
func lookup(doc map[string]any, path string) (string, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur = m[k]
	}
	s, ok := cur.(string)
	return s, ok
}

// hrefs collects every "href" string of a JSON document.
func hrefs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			if s, ok := el.(string); ok && k == "href" {
				out = append(out, s)
			}
			out = append(out, hrefs(el)...)
		}
	case []any:
		for _, el := range x {
			out = append(out, hrefs(el)...)
		}
	}
	return out
}

func routePath(pattern string) string {
	_, p, found := strings.Cut(pattern, " ")
	if !found {
		p = pattern
	}
	return strings.TrimSuffix(p, "{$}")
}

// Every route the emulator registers has a provenance, every provenance is still a route, and
// what each provenance claims is there: the contract files exist and the emulator's discovery
// document advertises its connector routes where the schema puts them, the reference holds the
// route, the modeled admin API documents it.
func TestEveryRouteHasAProvenance(t *testing.T) {
	contracts := sandboxtest.ContractsDir(t)
	e := mfemu.New()
	sb := sandboxtest.Start(t, e)
	hc := sandboxtest.Client(t, sb)
	req, _ := http.NewRequest(http.MethodGet, sb.Services["mobileflows"].URL+mfemu.SamplePath, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var discovery map[string]any
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&discovery)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery document: %d %v", resp.StatusCode, err)
	}

	routes := mfemu.RoutePatterns(e)
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r] = true
		p, ok := provenanceOf[r]
		if !ok || strings.TrimSpace(p.source) == "" {
			t.Errorf("route %q has no provenance: add it to provenanceOf with its source (and to docs/sandbox.md)", r)
			continue
		}
		switch p.kind {
		case "contract":
			for _, f := range p.files {
				if _, err := os.Stat(filepath.Join(contracts, "mobileflows", f)); err != nil {
					t.Errorf("route %q: contract %s: %v", r, f, err)
				}
			}
			if p.evidence != "" {
				href, ok := lookup(discovery, p.evidence)
				u, err := url.Parse(href)
				if !ok || err != nil || u.Path != routePath(r) {
					t.Errorf("route %q: the discovery document's %s is %q, not this route", r, p.evidence, href)
				}
			}
		case "reference":
			for _, f := range p.files {
				b, err := os.ReadFile(filepath.Join(contracts, "..", "reference", f))
				if err != nil || !strings.Contains(string(b), p.evidence) {
					t.Errorf("route %q: the reference %s does not say %q (%v)", r, f, p.evidence, err)
				}
			}
		case "modeled":
			for _, f := range p.files {
				if !strings.Contains(repoFile(t, f), p.evidence) {
					t.Errorf("route %q: %s does not document %s", r, f, p.evidence)
				}
			}
		case "sandbox":
		default:
			t.Errorf("route %q: provenance kind %q is none of contract, reference, modeled, sandbox", r, p.kind)
		}
	}
	var stale []string
	for r := range provenanceOf {
		if !seen[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(stale)
	for _, r := range stale {
		t.Errorf("provenanceOf lists %q, which the emulator no longer serves", r)
	}
	// Every link of the discovery document that points at the emulator is served.
	mux := e.Handler().(*http.ServeMux)
	host := strings.TrimPrefix(sb.Services["mobileflows"].URL, "https://")
	for _, href := range hrefs(discovery) {
		u, err := url.Parse(href)
		if err != nil || u.Host != host {
			continue
		}
		if _, pattern := mux.Handler(httptest.NewRequest(http.MethodGet, u.Path, nil)); pattern == "/" {
			if _, pattern = mux.Handler(httptest.NewRequest(http.MethodPost, u.Path, nil)); pattern == "/" {
				t.Errorf("the discovery document links %s, which the emulator does not serve", href)
			}
		}
	}
	// The discovery document's top-level keys are those of connector-discovery-schema.json.
	raw, err := os.ReadFile(filepath.Join(contracts, "mobileflows", "connector-discovery-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	for k := range discovery {
		if _, ok := schema.Properties[k]; !ok {
			t.Errorf("the discovery document has %q, which connector-discovery-schema.json does not define", k)
		}
	}
}

// doCall finds flowsctl's admin API calls in pkg/uem/mobileflows: a.do(ctx, http.MethodX, "/path"
// and whether the path goes on (+ url.PathEscape(name)).
var doCall = regexp.MustCompile(`\.do\(ctx, http\.Method(\w+), "([^"]*)"(\s*\+)?`)

// TestFlowsctlCallsOnlyServedRoutes reads every admin API call of flowsctl's mobile flows client
// (pkg/uem/mobileflows) and the discovery URLs of the sandbox configuration, and requires that
// each reaches a route of the emulator rather than its 404 fallback.
func TestFlowsctlCallsOnlyServedRoutes(t *testing.T) {
	mux, ok := mfemu.New().Handler().(*http.ServeMux)
	if !ok {
		t.Fatal("the emulator's handler is no ServeMux")
	}
	served := func(method, path string) string {
		_, pattern := mux.Handler(httptest.NewRequest(method, path, nil))
		if pattern == "/" {
			return ""
		}
		return pattern
	}
	found := 0
	for f, src := range sandboxtest.SourceFiles(t, "../../uem/mobileflows") {
		for _, m := range doCall.FindAllStringSubmatch(src, -1) {
			method, path := strings.ToUpper(m[1]), mobileflows.AdminBasePath+m[2]
			if m[3] != "" {
				path += url.PathEscape("Microsoft Teams") // a name goes on
			}
			found++
			if served(method, path) == "" {
				t.Errorf("%s calls %s %s, which the emulator does not serve", f, method, path)
			}
		}
	}
	if found < 4 {
		t.Fatalf("found %d admin API calls in pkg/uem/mobileflows: the scan no longer sees flowsctl's calls", found)
	}

	// The discovery URLs the sandbox configuration gives flowsctl (FetchDiscovery GETs them).
	e := mfemu.New()
	sb := sandboxtest.Start(t, e)
	frag, _ := e.ConfigFragment(sb.Env)
	uem, _ := frag["uem"].(map[string]any)
	mf, _ := uem["mobileFlows"].(map[string]any)
	connectors, _ := mf["connectors"].([]any)
	urls := 0
	for _, c := range connectors {
		d, _ := c.(map[string]any)["discoveryUrl"].(string)
		if d == "" {
			continue
		}
		urls++
		u, err := url.Parse(d)
		if err != nil || served(http.MethodGet, u.Path) == "" {
			t.Errorf("the configuration's discovery URL %s is not served (%v)", d, err)
		}
	}
	if urls == 0 {
		t.Fatal("the sandbox configuration names no discovery URL: the check above checked nothing")
	}
}
