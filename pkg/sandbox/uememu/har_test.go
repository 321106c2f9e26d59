package uememu_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/sandbox/uememu"
)

// harPath is ../shared/contracts/uem/recorded-session.har (see sandboxtest.ContractsDir).
func harPath(t *testing.T) string {
	return filepath.Join(sandboxtest.ContractsDir(t), "uem", "recorded-session.har")
}

type harFile struct {
	Log struct {
		Entries []struct {
			Request struct {
				Method  string
				URL     string
				Headers []struct{ Name, Value string }
			}
			Response struct {
				Status  int
				Headers []struct{ Name, Value string }
				Content struct{ Text string }
			}
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// firstItem returns the first object of the first list in an answer (or the answer's first element).
func firstItem(v any) map[string]any {
	switch t := v.(type) {
	case []any:
		if len(t) > 0 {
			m, _ := t[0].(map[string]any)
			return m
		}
	case map[string]any:
		for _, x := range t {
			if l, ok := x.([]any); ok && len(l) > 0 {
				m, _ := l[0].(map[string]any)
				return m
			}
		}
	}
	return nil
}

func missing(want, have []string) []string {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	var out []string
	for _, w := range want {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}

// TestShapesMatchRecordedSession replays the HAR's requests against the emulator: same status,
// same top-level and item field names, the same version headers and the rate-limit headers.
func TestShapesMatchRecordedSession(t *testing.T) {
	b, err := os.ReadFile(harPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var har harFile
	if err := json.Unmarshal(b, &har); err != nil {
		t.Fatal(err)
	}
	e := uememu.New()
	sb := sandboxtest.Start(t, e)
	hc := sandboxtest.Client(t, sb)
	base := sb.Services["uem"].URL
	for _, en := range har.Log.Entries {
		u, _ := url.Parse(en.Request.URL)
		q := u.Query()
		q.Del("username") // the recorded tenant's admin names differ
		path := u.Path
		if strings.Contains(path, "/groups/") && strings.HasSuffix(path, "/children") {
			path = "/API/system/groups/1112/children"
		}
		if strings.Contains(path, "devices/search") {
			q.Set("user", "no-such-user") // the recorded tenant had no devices: 204
		}
		req, _ := http.NewRequest(en.Request.Method, base+path+"?"+q.Encode(), nil)
		for _, h := range en.Request.Headers {
			if strings.EqualFold(h.Name, "accept") {
				req.Header.Set("Accept", h.Value)
			}
		}
		req.SetBasicAuth(uememu.BasicUser, e.Password())
		req.Header.Set("aw-tenant-code", e.TenantCode())
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := httpx.ReadBody(resp)
		name := en.Request.Method + " " + u.Path
		if resp.StatusCode != en.Response.Status {
			t.Errorf("%s: status %d, recorded %d", name, resp.StatusCode, en.Response.Status)
			continue
		}
		for _, h := range en.Response.Headers {
			switch strings.ToLower(h.Name) {
			case "x-api-version", "api-supported-versions":
				if got := resp.Header.Get(h.Name); got != h.Value {
					t.Errorf("%s: %s %q, recorded %q", name, h.Name, got, h.Value)
				}
			case "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset":
				if resp.Header.Get(h.Name) == "" {
					t.Errorf("%s: no %s header", name, h.Name)
				}
			}
		}
		if en.Response.Status == http.StatusNoContent {
			if len(body) != 0 {
				t.Errorf("%s: 204 with a body", name)
			}
			continue
		}
		var want, got any
		json.Unmarshal([]byte(en.Response.Content.Text), &want)
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
			continue
		}
		if wm, ok := want.(map[string]any); ok {
			gm, _ := got.(map[string]any)
			if m := missing(keys(wm), keys(gm)); len(m) > 0 {
				t.Errorf("%s: answer lacks %v", name, m)
			}
		}
		wi, gi := firstItem(want), firstItem(got)
		if m := missing(keys(wi), keys(gi)); len(m) > 0 {
			t.Errorf("%s: items lack %v", name, m)
		}
	}
}

// recordedHeaders are the headers every answer of the recorded session carries.
var recordedHeaders = []string{"x-correlation-id", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}

// emptyQuery makes each search route find nothing, which the recorded session answers 204
// with neither body nor Content-Type (GET /API/mdm/devices/search).
var emptyQuery = map[string]string{
	"/api/system/groups/search":   "name=zz-no-such-group",
	"/api/mdm/smartgroups/search": "name=zz-no-such-group",
	"/api/system/users/search":    "username=zz-no-such-user",
	"/api/system/admins/search":   "username=zz-no-such-admin",
	"/api/mdm/devices/search":     "user=zz-no-such-user",
	"/api/mam/apps/search":        "applicationname=zz-no-such-app",
	"/api/mdm/tags/search":        "name=zz-no-such-tag",
}

// TestEveryRouteKeepsRecordedConventions extends the replay above to every route the emulator
// serves (a superset of the routes flowsctl calls: TestFlowsctlCallsOnlyServedRoutes): at each
// version the route offers, the answer carries the recorded session's
// headers (correlation id, rate limit, x-api-version as "vN", api-supported-versions as
// "1, 2"), a JSON body with the recorded Content-Type, search pages shaped like the recorded
// ones (a list key and Page/PageSize/Total, or TotalResults with AdditionalInfo links), and an
// empty search is the recorded bare 204.
func TestEveryRouteKeepsRecordedConventions(t *testing.T) {
	e := uememu.New()
	sb := sandboxtest.Start(t, e)
	hc := sandboxtest.Client(t, sb)
	base := sb.Services["uem"].URL
	call := func(method, path string, v int, body string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Accept", "application/json;version="+strconv.Itoa(v))
		if body != "" {
			req.Header.Set("Content-Type", "application/json;version="+strconv.Itoa(v))
		}
		req.SetBasicAuth(uememu.BasicUser, e.Password())
		req.Header.Set("aw-tenant-code", e.TenantCode())
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := httpx.ReadBody(resp)
		return resp, b
	}
	// Real ids for the routes with a "*" segment, found through the searches.
	ids := map[string]string{}
	pick := func(path, key, field string) string {
		resp, b := call("GET", path, 1, "")
		var m map[string]any
		json.Unmarshal(b, &m)
		list, _ := m[key].([]any)
		if resp.StatusCode != 200 || len(list) == 0 {
			t.Fatalf("%s: %d %s: the seed has nothing to address", path, resp.StatusCode, b)
		}
		switch x := list[0].(map[string]any)[field].(type) {
		case map[string]any:
			return fmt.Sprint(x["Value"])
		default:
			return fmt.Sprint(x)
		}
	}
	ids["/api/system/groups/*"] = pick("/api/system/groups/search", "LocationGroups", "Id")
	ids["/api/system/groups/*/children"] = ids["/api/system/groups/*"]
	ids["/api/mdm/smartgroups/*"] = pick("/api/mdm/smartgroups/search", "SmartGroups", "SmartGroupID")
	ids["/api/mam/apps/*/assignment-rules"] = pick("/api/mam/apps/search", "Application", "Uuid")
	ids["/api/mdm/tags/*/adddevices"] = pick("/api/mdm/tags/search", "Tags", "Id")
	ids["/api/mdm/tags/*/removedevices"] = ids["/api/mdm/tags/*/adddevices"]

	routes := uememu.Routes()
	searched := 0
	for _, rt := range routes {
		for _, v := range rt.Versions {
			name := fmt.Sprintf("%s %s v%d", rt.Method, rt.Path, v)
			t.Run(name, func(t *testing.T) {
				path := rt.Path
				if strings.Contains(path, "*") {
					id := ids[rt.Path]
					if id == "" {
						t.Fatalf("no id to address %s: add one above", rt.Path)
					}
					path = strings.Replace(path, "*", url.PathEscape(id), 1)
				}
				body := ""
				if rt.Method == "PUT" {
					// Write back what the route reads: the emulator must accept its own shape.
					resp, b := call("GET", path, v, "")
					if resp.StatusCode != 200 {
						t.Fatalf("GET before PUT: %d %s", resp.StatusCode, b)
					}
					body = string(b)
				}
				if strings.HasPrefix(rt.Path, "/api/mdm/tags/") && rt.Method == "POST" {
					body = `{"BulkValues":{"Value":[]}}` // the bulk body of the tag device routes
				}
				resp, b := call(rt.Method, path, v, body)
				if resp.StatusCode >= 300 {
					t.Fatalf("status %d: %s", resp.StatusCode, b)
				}
				for _, h := range recordedHeaders {
					if resp.Header.Get(h) == "" {
						t.Errorf("no %s header", h)
					}
				}
				if got := resp.Header.Get("x-api-version"); got != "v"+strconv.Itoa(v) {
					t.Errorf("x-api-version %q, want v%d", got, v)
				}
				want := make([]string, len(rt.Versions))
				for i, sv := range rt.Versions {
					want[i] = strconv.Itoa(sv)
				}
				if got := resp.Header.Get("api-supported-versions"); got != strings.Join(want, ", ") {
					t.Errorf("api-supported-versions %q, want %q", got, strings.Join(want, ", "))
				}
				// 204 (an empty search, recorded) and 202 (PUT assignment-rules, per autopkg's
				// WorkSpaceOneAssigner: see the UEM reference) carry no body.
				if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusAccepted {
					if len(b) != 0 {
						t.Errorf("%d with a body", resp.StatusCode)
					}
					return
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type %q, recorded application/json; charset=utf-8", ct)
				}
				var got any
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				if !strings.HasSuffix(rt.Path, "/search") {
					return
				}
				searched++
				m, _ := got.(map[string]any)
				if firstItem(m) == nil {
					t.Errorf("search answer has no list of objects: %v", keys(m))
				}
				paged := len(missing([]string{"Page", "PageSize", "Total"}, keys(m))) == 0
				linked := len(missing([]string{"TotalResults", "AdditionalInfo"}, keys(m))) == 0
				if !paged && !linked {
					t.Errorf("search envelope %v: recorded ones carry Page, PageSize, Total or TotalResults, AdditionalInfo", keys(m))
				}
				q, ok := emptyQuery[rt.Path]
				if !ok {
					t.Fatalf("no query that finds nothing for %s: add one to emptyQuery", rt.Path)
				}
				resp, b = call("GET", path+"?"+q, v, "")
				if resp.StatusCode != http.StatusNoContent || len(b) != 0 || resp.Header.Get("Content-Type") != "" {
					t.Errorf("empty search: %d Content-Type %q body %q, recorded a bare 204", resp.StatusCode, resp.Header.Get("Content-Type"), b)
				}
			})
		}
	}
	if len(routes) < 13 || searched == 0 {
		t.Fatalf("%d routes, %d search answers checked: the route table shrank or the searches were skipped", len(routes), searched)
	}
}

// apiLiteral finds the API paths (or their literal prefixes) in Go source.
var (
	apiLiteral = regexp.MustCompile(`"(/api/[^"?]*)`)
	fmtVerb    = regexp.MustCompile(`%[a-z]`)
)

// TestFlowsctlCallsOnlyServedRoutes reads every "/api/..." literal of pkg/uem (flowsctl's UEM
// client) and requires a route of the emulator that starts with it, so the conventions test
// above covers every route flowsctl calls.
func TestFlowsctlCallsOnlyServedRoutes(t *testing.T) {
	var served []string
	for _, rt := range uememu.Routes() {
		served = append(served, strings.ToLower(rt.Path))
	}
	found := 0
	for f, src := range sandboxtest.SourceFiles(t, "../../uem") {
		for _, m := range apiLiteral.FindAllStringSubmatch(src, -1) {
			lit := fmtVerb.ReplaceAllString(strings.ToLower(m[1]), "*") // "/tags/%d/…" is "/tags/*/…"
			found++
			ok := false
			for _, p := range served {
				if p == lit || (strings.HasSuffix(lit, "/") && strings.HasPrefix(p, lit)) {
					ok = true
					break
				}
			}
			if !ok {
				t.Errorf("%s calls %s, which the emulator does not serve", f, m[1])
			}
		}
	}
	if found < 5 {
		t.Fatalf("found %d API paths in pkg/uem: the scan no longer sees flowsctl's calls", found)
	}
}
