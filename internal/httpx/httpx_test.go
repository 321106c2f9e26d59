package httpx

import (
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func caPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

func TestCustomCA(t *testing.T) {
	srv := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"CAPEM", Options{CAPEM: caPEM(srv)}, false},
		{"CAFile", Options{CAFile: caFile}, false},
		{"system roots only", Options{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := fastClient(t, tt.opts)
			resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
			if tt.wantErr {
				if err == nil {
					resp.Body.Close()
					t.Fatal("want a certificate error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := ReadBody(resp)
			if err != nil || string(b) != "hello" {
				t.Fatalf("%q %v", b, err)
			}
			// The SDK client shares the transport and its roots.
			resp, err = c.HTTPClient().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		})
	}
}

// tlsServer is an httptest TLS server (its own CA) that keeps handshake failures out of the
// test log: some tests fail handshakes on purpose.
func tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestBadCA(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"missing file", Options{CAFile: filepath.Join(dir, "nope.pem")}, "nope.pem"},
		{"no PEM in file", Options{CAFile: junk}, "junk.pem: no PEM certificate"},
		{"no PEM in bytes", Options{CAPEM: []byte("junk")}, "no PEM certificate"},
	}
	for _, tt := range tests {
		if _, err := New(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestUserAgent(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.UserAgent())
	}))
	defer srv.Close()
	tests := []struct {
		name, opt, header, want string
	}{
		{"default", "", "", "flowsctl/dev"},
		{"version", "flowsctl/1.2.3", "", "flowsctl/1.2.3"},
		{"caller's own header wins", "flowsctl/1.2.3", "azsdk-go/1.0 flowsctl/1.2.3", "azsdk-go/1.0 flowsctl/1.2.3"},
	}
	for _, tt := range tests {
		c, _ := fastClient(t, Options{UserAgent: tt.opt})
		req := mustReq(t, http.MethodGet, srv.URL)
		if tt.header != "" {
			req.Header.Set("User-Agent", tt.header)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got.Load() != tt.want {
			t.Errorf("%s: User-Agent %q, want %q", tt.name, got.Load(), tt.want)
		}
		if req.Header.Get("User-Agent") != tt.header {
			t.Errorf("%s: the caller's request was modified", tt.name)
		}
	}
}

func TestRedirects(t *testing.T) {
	var plainHits atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
	}))
	defer plain.Close()
	secure := redirectServer(t, httptest.NewTLSServer, map[string]hop{
		"/downgrade": {plain.URL + "/landing?token=abc123abc123", http.StatusFound},
		"/same":      {"/landing", http.StatusFound},
		"/loop":      {"/loop", http.StatusFound},
	}, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "landed") })
	c, _ := fastClient(t, Options{CAPEM: caPEM(secure)})
	tests := []struct {
		path, wantErr string
	}{
		{"/downgrade", "refusing redirect"},
		{"/same", ""},
		{"/loop", "stopped after 5 redirects"},
	}
	for _, tt := range tests {
		resp, err := c.Do(mustReq(t, http.MethodGet, secure.URL+tt.path))
		if tt.wantErr == "" {
			if err != nil {
				t.Fatalf("%s: %v", tt.path, err)
			}
			b, _ := ReadBody(resp)
			if string(b) != "landed" {
				t.Errorf("%s: body %q", tt.path, b)
			}
			continue
		}
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: want an error", tt.path)
		}
		if !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "abc123abc123") {
			t.Errorf("%s: error %q", tt.path, err)
		}
	}
	if plainHits.Load() != 0 {
		t.Errorf("the http server was contacted %d times after a downgrade", plainHits.Load())
	}
}

// hop is where a redirect goes and with which status.
type hop struct {
	to     string
	status int
}

// redirectServer starts a server (httptest.NewServer or NewTLSServer) that redirects the paths
// of hops and answers any other path with rest.
func redirectServer(t *testing.T, start func(http.Handler) *httptest.Server, hops map[string]hop, rest http.HandlerFunc) *httptest.Server {
	srv := start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := hops[r.URL.Path]; ok {
			http.Redirect(w, r, h.to, h.status)
			return
		}
		rest(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestReadBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	defer srv.Close()
	c, _ := fastClient(t, Options{})
	tests := []struct {
		limit   int64
		wantErr bool
	}{{10, true}, {99, true}, {100, false}, {MaxBody, false}}
	for _, tt := range tests {
		resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL+"/big"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ReadBodyLimit(resp, tt.limit)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "GET "+srv.URL+"/big") {
				t.Errorf("limit %d: err %v", tt.limit, err)
			}
			continue
		}
		if err != nil || len(b) != 100 {
			t.Errorf("limit %d: %d bytes, %v", tt.limit, len(b), err)
		}
	}
	if b, err := ReadBody(&http.Response{Body: io.NopCloser(strings.NewReader("no request"))}); err != nil || string(b) != "no request" {
		t.Errorf("ReadBody without a request: %q %v", b, err)
	}
}

func TestDecodeJSON(t *testing.T) {
	type answer struct {
		Name string `json:"name"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"name":"flows"}`)
		case "/scim":
			w.Header().Set("Content-Type", "application/scim+json")
			io.WriteString(w, `{"name":"scim"}`)
		case "/plain-json":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, `{"name":"plain"}`)
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<html><body>Sign in</body></html>`)
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/graph-error":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			io.WriteString(w, `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist."}}`)
		case "/oauth-error":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"invalid_client","error_description":"bad client"}`)
		case "/proxy-error":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, `<html>Bad gateway</html>`)
		case "/broken":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"name":`)
		}
	}))
	defer srv.Close()
	c, _ := fastClient(t, Options{MaxRetries: -1})
	tests := []struct {
		path     string
		wantName string
		wantErr  []string
		status   int
	}{
		{path: "/ok", wantName: "flows"},
		{path: "/scim", wantName: "scim"},
		{path: "/plain-json", wantName: "plain"},
		{path: "/empty"},
		{path: "/html", wantErr: []string{"GET", "/html", "200 OK", "expected JSON, got text/html"}},
		{path: "/graph-error", status: 404, wantErr: []string{"/graph-error", "404 Not Found", "Request_ResourceNotFound: Resource 'x' does not exist."}},
		{path: "/oauth-error", status: 401, wantErr: []string{"401 Unauthorized", "invalid_client: bad client"}},
		{path: "/proxy-error", status: 502, wantErr: []string{"502 Bad Gateway", "expected JSON, got text/html"}},
		{path: "/broken", wantErr: []string{"/broken", "200 OK", "decoding the JSON answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL+tt.path))
			if err != nil {
				t.Fatal(err)
			}
			var got answer
			err = DecodeJSON(resp, &got)
			if len(tt.wantErr) == 0 {
				if err != nil || got.Name != tt.wantName {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var se *APIError
			if tt.status != 0 && (!errors.As(err, &se) || se.Status != tt.status || len(se.Body) == 0) {
				t.Errorf("want *APIError %d with the body, got %#v", tt.status, err)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{Service: "access", Method: "POST", Object: `oauth2 client "OktaSCIM"`, URL: "https://t.example:8443/SAAS/jersey/manager/api/oauth2clients",
		Status: 409, Code: "client.exists", Message: "exists", RequestID: "r1", FixMsg: "use it"}
	want := `access: POST oauth2 client "OktaSCIM": 409 Conflict from https://t.example:8443: exists [client.exists] (request id r1); fix: use it`
	if e.Error() != want || e.Fix() != "use it" || !IsAuth(&APIError{Status: 403}) || IsAuth(e) || StatusOf(e) != 409 {
		t.Errorf("got %q", e.Error())
	}
}

func TestNewJSONRequest(t *testing.T) {
	req, err := NewJSONRequest(t.Context(), http.MethodPost, "https://api.example/x", url.Values{"q": {"a b"}}, map[string]int{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if got := req.URL.String(); got != "https://api.example/x?q=a+b" {
		t.Errorf("URL %s", got)
	}
	if string(body) != `{"n":1}` || req.Header.Get("Content-Type") != "application/json" || req.Header.Get("Accept") != "application/json" {
		t.Errorf("body %s, headers %v", body, req.Header)
	}
	req, err = NewJSONRequest(t.Context(), http.MethodGet, "https://api.example/x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.Body != nil || req.Header.Get("Content-Type") != "" || req.URL.RawQuery != "" {
		t.Errorf("a GET without body or query: body %v, headers %v, query %q", req.Body, req.Header, req.URL.RawQuery)
	}
}
