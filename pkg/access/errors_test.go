package access

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestAPIErrorDecoding(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string
		not    []string
	}{
		{"error list", 500, `{"errors":[{"code":"internal.server.error","message":"client id OktaSCIM already exists","parameters":null}]}`,
			[]string{`access: POST oauth2 client "OktaSCIM": 500 Internal Server Error`, "already exists [internal.server.error]", "fix: re-run"}, nil},
		{"two errors", 400, `{"errors":[{"code":"a","message":"first"},{"code":"b","message":"second"}]}`,
			[]string{"first [a]; second [b]"}, nil},
		{"message object", 404, `{"message":"oauth2apptemplate.not.found"}`, []string{"oauth2apptemplate.not.found", "access.url"}, nil},
		{"plain text", 403, "Forbidden: scope admin required\nmore lines", []string{"Forbidden: scope admin required", "scope admin"}, []string{"more lines"}},
		{"html page", 502, "<html><body>Bad gateway</body></html>", []string{"502 Bad Gateway", "re-run the same command"}, []string{"<html>"}},
		{"media type", 415, `{"errors":[{"code":"unsupported.media.type","message":"no"}]}`, []string{"access.mediaType"}, nil},
	}
	u, _ := url.Parse("https://t.example/SAAS/jersey/manager/api/oauth2clients")
	for _, c := range cases {
		resp := &http.Response{StatusCode: c.status, Header: http.Header{}, Request: &http.Request{Method: "POST", URL: u}}
		e := newAPIError(resp, `oauth2 client "OktaSCIM"`, []byte(c.body))
		s := e.Error()
		for _, w := range c.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: %q lacks %q", c.name, s, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(s, w) {
				t.Errorf("%s: %q contains %q", c.name, s, w)
			}
		}
	}
	if got := plainText([]byte(strings.Repeat("é", 300))); len(got) > 210 || !strings.HasSuffix(got, "…") {
		t.Errorf("long text not cut: %d bytes", len(got))
	}
}

func TestMediaTypesConcurrentAndPinned(t *testing.T) {
	m, _ := NewMediaTypes("auto")
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := JSON
			if i%2 == 0 {
				d = Vendor
			}
			m.Remember("https://h", d)
			m.Order("https://h")
			m.Known("https://h")
		}(i)
	}
	wg.Wait()
	if o := m.Order("https://other"); o[0] != JSON || len(o) != 2 {
		t.Errorf("unknown host order %v; want json then vendor", o)
	}
	m.Remember("https://v", Vendor)
	if o := m.Order("https://v"); o[0] != Vendor {
		t.Errorf("remembered vendor host order %v", o)
	}
	p, _ := NewMediaTypes("vendor")
	p.Remember("https://h", JSON)
	if o := p.Order("https://h"); len(o) != 1 || o[0] != Vendor {
		t.Errorf("pinned order %v", o)
	}
	if _, err := NewMediaTypes("xml"); err == nil || !strings.Contains(err.Error(), "auto, vendor or json") {
		t.Errorf("bad setting: %v", err)
	}
	if MediaType(mtDirectoryOther, Vendor) != "application/vnd.vmware.horizon.manager.connector.management.directory.other+json" {
		t.Error(MediaType(mtDirectoryOther, Vendor))
	}
}
