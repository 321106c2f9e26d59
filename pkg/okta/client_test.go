package okta

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

func TestParseError(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   []string
		auth   bool
	}{
		{"validation with causes", 400, nil, `{"errorCode":"E0000001","errorSummary":"Api validation failed: label","errorId":"oae123","errorCauses":[{"errorSummary":"label: The field cannot be left blank"}]}`,
			[]string{"okta:", "400 Bad Request", "Api validation failed: label; label: The field cannot be left blank [E0000001]", "request id oae123"}, false},
		{"missing scope", 403, http.Header{"Www-Authenticate": {`Bearer authorization_uri="x", realm="IdpError", scope="okta.apps.manage", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`}},
			`{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}`, []string{"lacks the scope okta.apps.manage", "API Services"}, true},
		{"invalid token", 401, nil, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`, []string{"Invalid token provided", "check okta.auth"}, true},
		{"html from a proxy", 502, http.Header{"Content-Type": {"text/html"}}, `<html>bad gateway</html>`, []string{"502 Bad Gateway"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{"Content-Type": {"application/json"}}
			}
			req, _ := http.NewRequest(http.MethodGet, "https://acme.okta.com/api/v1/apps", nil)
			e := ParseError(&http.Response{StatusCode: tt.status, Header: h, Request: req}, []byte(tt.body))
			for _, w := range tt.want {
				if !strings.Contains(e.Error(), w) {
					t.Errorf("%q lacks %q", e.Error(), w)
				}
			}
			if httpx.IsAuth(e) != tt.auth {
				t.Errorf("IsAuth = %v", !tt.auth)
			}
			if strings.Contains(e.Error(), "<html") {
				t.Error("HTML in the error")
			}
		})
	}
}

func TestClientAssertion(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, p := range []*pem.Block{
		{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)},
		{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(key))},
	} {
		k, err := ParsePrivateKey(pem.EncodeToMemory(p))
		if err != nil || !k.Equal(key) {
			t.Fatalf("%s: %v", p.Type, err)
		}
	}
	if _, err := ParsePrivateKey([]byte("not pem")); err == nil {
		t.Error("garbage accepted")
	}
	jwt, err := ClientAssertion(key, "kid1", "0oa1", "https://acme.okta.com/oauth2/v1/token")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	claims := httpx.JWTClaims(jwt)
	if claims["iss"] != "0oa1" || claims["sub"] != "0oa1" || claims["aud"] != "https://acme.okta.com/oauth2/v1/token" || claims["jti"] == "" {
		t.Errorf("claims %v", claims)
	}
	var hdr map[string]string
	b, _ := base64.RawURLEncoding.DecodeString(parts[0])
	json.Unmarshal(b, &hdr)
	if hdr["kid"] != "kid1" || hdr["alg"] != "RS256" {
		t.Errorf("header %v", hdr)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPaging: Link rel="next" is followed on the same origin, refused to another host, and a
// server that pages forever is cut off.
func TestPaging(t *testing.T) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		switch r.URL.Path {
		case "/three":
			if after := r.URL.Query().Get("after"); after != "2" {
				next := "1"
				if after == "1" {
					next = "2"
				}
				w.Header().Add("Link", fmt.Sprintf(`<%s/three?after=%s&limit=1>; rel="next"`, srv.URL, next))
			}
			fmt.Fprintf(w, `[{"id":"g%d","profile":{"name":"x"}}]`, n)
		case "/forever":
			w.Header().Add("Link", fmt.Sprintf(`<%s/forever?after=%d>; rel="self", <%s/forever?after=%d>; rel="next"`, srv.URL, n, srv.URL, n+1))
			w.Write([]byte(`[]`))
		case "/elsewhere":
			w.Header().Add("Link", `<https://evil.example/steal>; rel="next"`)
			w.Write([]byte(`[]`))
		}
	}))
	defer srv.Close()
	hc, _ := httpx.New(httpx.Options{MaxRetries: -1})
	c := &Client{hc: hc, base: srv.URL, authz: func(context.Context) (string, error) { return "SSWS t0k3n-value", nil }}
	gs, err := list[Group](context.Background(), c, "/three", nil)
	if err != nil || len(gs) != 3 {
		t.Fatalf("three pages: %d %v", len(gs), err)
	}
	hits.Store(0)
	if _, err := list[Group](context.Background(), c, "/forever", nil); err == nil || !strings.Contains(err.Error(), "more pages after") || hits.Load() != MaxPages {
		t.Errorf("forever: %v after %d pages", err, hits.Load())
	}
	if _, err := list[Group](context.Background(), c, "/elsewhere", nil); err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("elsewhere: %v", err)
	}
}

func TestRefused(t *testing.T) {
	mk := func(status int, hdr string) error {
		h := http.Header{}
		if hdr != "" {
			h.Set("WWW-Authenticate", hdr)
		}
		return ParseError(&http.Response{StatusCode: status, Header: h}, []byte(`{"errorCode":"E","errorSummary":"no"}`))
	}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{mk(400, ""), true}, {mk(404, ""), true}, {mk(501, ""), true}, {mk(403, ""), true},
		{mk(403, `Bearer error="insufficient_scope", scope="okta.apps.manage"`), false},
		{mk(401, ""), false}, {mk(500, ""), false}, {mk(429, ""), false},
	} {
		if got := Refused(tt.err); got != tt.want {
			t.Errorf("Refused(%v) = %v", tt.err, got)
		}
	}
}

// TestFailureReasons: the causes of the failed users come from the newest System Log event of
// each, grouped with a count; users the log does not name are counted apart; the text for
// flowsctl explain is the first cause, safe inside double quotes in a shell.
func TestFailureReasons(t *testing.T) {
	event := func(user, reason string) string {
		return fmt.Sprintf(`{"eventType":"application.provision.user.push","outcome":{"result":"FAILURE","reason":%q},"target":[{"id":%q,"type":"User"},{"id":"0oaApp","type":"AppInstance"}]}`, reason, user)
	}
	const domain = "ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY."
	for _, tt := range []struct {
		name        string
		logs        bool
		events      []string // newest first
		bad         []string
		why         []string
		explain     string
		noRequests  bool
		statusOfLog int
	}{
		{name: "one cause", logs: true, bad: []string{"u1", "u2"},
			events:  []string{event("u1", "Automatic provisioning of user Ann to app WS1 failed: "+domain), event("u2", "Automatic provisioning of user Bob to app WS1 failed: "+domain)},
			why:     []string{`Okta's System Log: "` + domain + `" (2 users)`},
			explain: domain},
		{name: "the newest event of a user counts", logs: true, bad: []string{"u1"},
			events:  []string{event("u1", "Automatic provisioning of user Ann to app WS1 failed: now"), event("u1", "Automatic provisioning of user Ann to app WS1 failed: before")},
			why:     []string{`"now" (1 user)`},
			explain: "now"},
		{name: "two causes and a user the log does not name", logs: true, bad: []string{"u1", "u2", "u3"},
			events:  []string{event("u1", "x failed: first"), event("u2", "x failed: second"), event("u9", "x failed: other app user")},
			why:     []string{`"first" (1 user); "second" (1 user); no failure in the System Log of the last week for 1 user`},
			explain: "first"},
		{name: "a reason without Okta's prefix, with shell characters", logs: true, bad: []string{"u1"},
			events:  []string{event("u1", "User \"a$b\" or `c` is taken.")},
			why:     []string{`"User \"a$b\" or ` + "`c`" + ` is taken." (1 user)`},
			explain: "User ab or c is taken."},
		{name: "no scope", logs: false, bad: []string{"u1"}, noRequests: true,
			why: []string{"add okta.logs.read to okta.auth.scopes"}, explain: "<the error shown in Okta>"},
		{name: "log unreadable", logs: true, bad: []string{"u1"}, statusOfLog: 403,
			why: []string{"Okta's System Log could not be read: HTTP 403 You do not have permission"}, explain: "<the error shown in Okta>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				f := r.URL.Query().Get("filter")
				if r.URL.Path != "/api/v1/logs" || !strings.Contains(f, `target.id eq "0oaApp"`) || !strings.Contains(f, `outcome.result eq "FAILURE"`) || r.URL.Query().Get("sortOrder") != "DESCENDING" {
					t.Errorf("request %s", r.URL)
				}
				w.Header().Set("Content-Type", "application/json")
				if tt.statusOfLog != 0 {
					w.WriteHeader(tt.statusOfLog)
					w.Write([]byte(`{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}`))
					return
				}
				w.Write([]byte("[" + strings.Join(tt.events, ",") + "]"))
			}))
			defer srv.Close()
			hc, _ := httpx.New(httpx.Options{MaxRetries: -1})
			c := &Client{hc: hc, base: srv.URL, logs: tt.logs, authz: func(context.Context) (string, error) { return "SSWS t0k3n-value", nil }}
			var bad []AppUser
			for _, id := range tt.bad {
				bad = append(bad, AppUser{ID: id, SyncState: "ERROR"})
			}
			why, explain := (&Provisioning{c: c}).failureReasons(context.Background(), "0oaApp", bad)
			for _, w := range tt.why {
				if !strings.Contains(why, w) {
					t.Errorf("why %q\nwants %q", why, w)
				}
			}
			if explain != tt.explain {
				t.Errorf("explain %q, want %q", explain, tt.explain)
			}
			if (requests.Load() == 0) != tt.noRequests {
				t.Errorf("%d requests to the System Log", requests.Load())
			}
		})
	}
}
