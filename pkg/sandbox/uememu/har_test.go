package uememu_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
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
