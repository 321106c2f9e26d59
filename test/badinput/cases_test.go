package badinput

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// answers are hostile server behaviours; tls says which certificate the server presents.
type answer struct {
	name string
	tls  string // "good" (trusted), "expired", "untrusted"
	h    http.HandlerFunc
}

func body(status int, ctype, b string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		w.Write([]byte(b))
	}
}

func huge(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"message":"`))
		chunk := []byte(strings.Repeat("A", 64<<10))
		for i := 0; i < 512; i++ { // 32 MiB unless the client stops reading
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

var answers = []answer{
	{"truncated-json", "good", body(200, "application/json", `{"access_token":"abc","value":[{"id":`)},
	{"html-error-page", "good", body(500, "text/html", "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1><script>x()</script></body></html>")},
	{"html-200-login-page", "good", body(200, "text/html; charset=utf-8", "<html><body><form action=/login>Sign in</form></body></html>")},
	{"huge-body-200", "good", huge(200)},
	{"huge-body-500", "good", huge(500)},
	{"wrong-content-type", "good", body(200, "text/plain", "OK")},
	{"empty-200", "good", body(200, "application/json", "")},
	{"json-wrong-types", "good", body(200, "application/json", `{"access_token":12,"expires_in":"soon","value":"x","Groups":7,"resources":{},"Resources":"x","totalResults":"many"}`)},
	{"redirect-to-http", "good", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:9/"+strings.TrimPrefix(r.URL.Path, "/"), http.StatusFound)
	}},
	{"401-challenge", "good", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
	}},
	{"connection-closed", "good", func(w http.ResponseWriter, r *http.Request) {
		if hj, ok := w.(http.Hijacker); ok {
			c, _, _ := hj.Hijack()
			c.Close()
		}
	}},
	{"expired-certificate", "expired", body(200, "application/json", "{}")},
	{"wrong-ca", "untrusted", body(200, "application/json", "{}")},
}

// service is one API flowsctl talks to, the config key of its URL and a command that calls it.
type service struct {
	name     string
	endpoint []string // besides host:port, what names the endpoint in an error
	key      string   // dotted config path of the base URL
	args     func(w *world, srvURL, dir string) []string
}

var services = []service{
	{"access", []string{"/SAAS/", "Access rejected"}, "access.url", func(*world, string, string) []string {
		return []string{"access", "token", "--client", "flowsctl-admin"}
	}},
	{"identity", []string{"identityServices.url"}, "identityServices.url", func(*world, string, string) []string { return []string{"identity", "token", "generate"} }},
	{"uem", []string{"/api/system/groups"}, "uem.url", func(*world, string, string) []string { return []string{"uem", "groups"} }},
	{"graph", []string{"Graph", "azure.graphUrl"}, "azure.graphUrl", func(*world, string, string) []string { return []string{"azure", "show"} }},
	{"scim", []string{"/scim/v2"}, "", func(w *world, srv, dir string) []string {
		tok := filepath.Join(dir, "token")
		os.WriteFile(tok, []byte("not-a-real-token-0123456789\n"), 0o600)
		users := filepath.Join(dir, "users.csv")
		os.WriteFile(users, []byte("userName,givenName,familyName,email\nada@example.com,Ada,Lovelace,ada@example.com\n"), 0o600)
		return []string{"scim", "sync", "--url", srv + "/scim/v2", "--token-file", tok, "--from", users}
	}},
}

// TestServerAnswers: every hostile answer from every service's endpoint fails the command
// with an error naming the endpoint (host:port), bounded output, no panic, no secret.
func TestServerAnswers(t *testing.T) {
	w := newWorld(t)
	p := newPKI(t)
	bundle := filepath.Join(t.TempDir(), "ca-bundle.pem")
	if err := os.WriteFile(bundle, append(append([]byte(nil), w.sb.CA.CertPEM...), p.caPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range answers {
		for _, s := range services {
			n++
			t.Run(s.name+"/"+a.name, func(t *testing.T) {
				t.Parallel() // most of the time is the client's retry back-off, not CPU
				var cert = &p.good
				switch a.tls {
				case "expired":
					cert = &p.expired
				case "untrusted":
					cert = nil
				}
				if why, ok := knownServer[s.name+"/"+a.name]; ok && !*strict {
					t.Skipf("KNOWN (reported, run with -badinput.strict to fail): %s", why)
				}
				srv := serve(t, cert, a.h)
				host := strings.TrimPrefix(srv.URL, "https://")
				cfg := w.config(t, func(m map[string]any) {
					if s.key != "" {
						set(m, s.key, srv.URL)
					}
				})
				args := append(s.args(w, srv.URL, t.TempDir()), "-f", cfg, "--ca-file", bundle)
				out, errs, code := run(t, args...)
				want := append([]string{host}, s.endpoint...)
				switch a.name {
				case "expired-certificate":
					want = append(want, "expired")
				case "wrong-ca":
					want = append(want, "unknown authority", "certificate")
				case "redirect-to-http":
					want = append(want, "http://127.0.0.1:9")
				}
				w.check(t, out, errs, code, want...)
			})
		}
	}
	t.Logf("%d server-answer cases", n)
}

// TestConfigsAndFlags: wrong configs and flags fail with an error naming the field or flag.
func TestConfigsAndFlags(t *testing.T) {
	w := newWorld(t)
	ca := w.sb.CAPath()
	dir := t.TempDir()
	raw := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	edit := func(fn func(m map[string]any)) func(t *testing.T) string {
		return func(t *testing.T) string { return w.config(t, fn) }
	}
	fixed := func(p string) func(t *testing.T) string { return func(*testing.T) string { return p } }
	cases := []struct {
		name string
		cfg  func(t *testing.T) string
		args []string
		want []string
	}{
		{"missing config file", fixed(filepath.Join(dir, "nope.yaml")), []string{"plan"}, []string{"nope.yaml"}},
		{"empty config", fixed(raw("empty.yaml", "")), []string{"plan"}, []string{"empty.yaml"}},
		{"not YAML", fixed(raw("bad.yaml", "azure: [unclosed\n  x: {")), []string{"config", "validate"}, []string{"bad.yaml"}},
		{"YAML alias bomb", fixed(raw("bomb.yaml", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n")), []string{"config", "validate"}, []string{"bomb.yaml"}},
		{"binary garbage", fixed(raw("bin.yaml", "\x00\x01\x02\xff\xfe")), []string{"config", "validate"}, []string{"bin.yaml"}},
		{"unknown top-level key", edit(func(m map[string]any) { m["azrue"] = map[string]any{"x": 1} }), []string{"config", "validate"}, []string{"azrue"}},
		{"unknown nested key", edit(func(m map[string]any) { set(m, "access.scimClient.clientld", "x") }), []string{"config", "validate"}, []string{"clientld"}},
		{"wrong apiVersion", edit(func(m map[string]any) { m["apiVersion"] = "flowsctl/v9" }), []string{"config", "validate"}, []string{"apiVersion"}},
		{"access url http", edit(func(m map[string]any) { set(m, "access.url", "http://access.example.com") }), []string{"config", "validate"}, []string{"access.url"}},
		{"access url not a URL", edit(func(m map[string]any) { set(m, "access.url", "::not a url") }), []string{"config", "validate"}, []string{"access.url"}},
		{"uem url with userinfo", edit(func(m map[string]any) { set(m, "uem.url", "https://user:hunter2-password@uem.example.com") }), []string{"config", "validate"}, []string{"uem.url"}},
		{"graphUrl ftp", edit(func(m map[string]any) { set(m, "azure.graphUrl", "ftp://graph.example.com") }), []string{"config", "validate"}, []string{"azure.graphUrl"}},
		{"bad duration", edit(func(m map[string]any) { set(m, "access.mobileFlowsTemplate.accessTokenTTL", "forever") }), []string{"config", "validate"}, []string{"accessTokenTTL"}},
		{"negative duration", edit(func(m map[string]any) { set(m, "access.mobileFlowsTemplate.refreshTokenTTL", "-5d") }), []string{"config", "validate"}, []string{"refreshTokenTTL"}},
		{"duration overflow", edit(func(m map[string]any) { set(m, "azure.app.secret.lifetime", "99999999999999999999y") }), []string{"config", "validate"}, []string{"lifetime"}},
		{"secret ref without scheme", edit(func(m map[string]any) { set(m, "access.auth.clientSecret", "hunter2-literal-secret") }), []string{"config", "validate"}, []string{"access.auth.clientSecret"}},
		{"secret ref unknown scheme", edit(func(m map[string]any) { set(m, "access.auth.clientSecret", "vault:kv/x") }), []string{"config", "validate"}, []string{"access.auth.clientSecret"}},
		{"secret file missing", edit(func(m map[string]any) {
			set(m, "access.auth.clientSecret", "file:"+filepath.Join(dir, "missing-secret"))
		}), []string{"access", "token", "--client", "flowsctl-admin"}, []string{"missing-secret", "access.auth.clientSecret"}},
		{"secret env unset", edit(func(m map[string]any) { set(m, "access.auth.clientSecret", "env:FLOWSCTL_BADINPUT_UNSET") }), []string{"access", "token", "--client", "flowsctl-admin"}, []string{"FLOWSCTL_BADINPUT_UNSET"}},
		{"tokenLength wrong type", edit(func(m map[string]any) { set(m, "access.mobileFlowsTemplate.tokenLength", "long") }), []string{"config", "validate"}, []string{"tokenLength"}},
		{"scope not a list", edit(func(m map[string]any) { set(m, "access.mobileFlowsTemplate.scope", map[string]any{"a": 1}) }), []string{"config", "validate"}, []string{"scope"}},
		{"tenantId not a GUID", edit(func(m map[string]any) { set(m, "azure.tenantId", "contoso; DROP TABLE") }), []string{"config", "validate"}, []string{"azure.tenantId", "tenantId"}},
		{"sign-in method unknown", edit(func(m map[string]any) { set(m, "azure.signIn.method", "magic") }), []string{"config", "validate"}, []string{"azure.signIn.method", "method"}},
		{"connector discoveryUrl http", edit(func(m map[string]any) {
			set(m, "uem.mobileFlows.connectors", []any{map[string]any{"name": "X", "discoveryUrl": "http://c.example.com/"}})
		}), []string{"config", "validate"}, []string{"discoveryUrl"}},
		{"integration interval nonsense", edit(func(m map[string]any) {
			set(m, "uem.integrations", []any{map[string]any{"name": "H", "deviceSyncInterval": "often"}})
		}), []string{"config", "validate"}, []string{"deviceSyncInterval"}},
		{"scim token lifespan too long", edit(func(m map[string]any) { set(m, "identityServices.scimToken.lifespan", "99mo") }), []string{"config", "validate"}, []string{"lifespan"}},
		{"caFile at the top level", edit(func(m map[string]any) { m["caFile"] = filepath.Join(dir, "no-ca.pem") }), []string{"access", "token"}, []string{"caFile"}},
		// flags
		{"unknown flag", edit(nil), []string{"plan", "--frobnicate"}, []string{"--frobnicate"}},
		{"bad output format", edit(nil), []string{"plan", "-o", "xml"}, []string{"xml"}},
		{"bad timeout", edit(nil), []string{"plan", "--timeout", "soon"}, []string{"timeout"}},
		{"unknown step for --only", edit(nil), []string{"apply", "--only", "azure.nope"}, []string{"azure.nope"}},
		{"ca-file not PEM", edit(nil), []string{"access", "token", "--ca-file", raw("notpem.pem", "hello")}, []string{"notpem.pem"}},
		{"ca-file missing", edit(nil), []string{"access", "token", "--ca-file", filepath.Join(dir, "nope-ca.pem")}, []string{"nope-ca.pem"}},
		{"scim sync without --from", edit(nil), []string{"scim", "sync"}, []string{"--from", "from"}},
		{"scim sync file missing", edit(nil), []string{"scim", "sync", "--from", filepath.Join(dir, "nousers.csv")}, []string{"nousers.csv"}},
		{"scim sync bad concurrency", edit(nil), []string{"scim", "sync", "--from", raw("u.csv", "userName\nx@example.com\n"), "--concurrency", "-3"}, []string{"concurrency"}},
		{"scim sync CSV without header", edit(nil), []string{"scim", "sync", "--from", raw("nohdr.csv", "ada@example.com,Ada\n"), "--dry-run"}, []string{"nohdr.csv", "userName", "header"}},
		{"scim sync truncated JSON", edit(nil), []string{"scim", "sync", "--from", raw("users.json", `[{"userName":"a@example.com"`), "--dry-run", "--url", "https://127.0.0.1:1/scim/v2", "--token-file", raw("tok", "not-a-token-0123456789")}, []string{"users.json"}},
		{"scim sync bad dialect", edit(nil), []string{"scim", "sync", "--from", raw("u2.csv", "userName\nx@example.com\n"), "--dialect", "scim3", "--url", "https://127.0.0.1:1/scim/v2", "--token-file", raw("tok2", "not-a-token-0123456789")}, []string{"dialect", "scim3"}},
		{"identity lifespan too long", edit(nil), []string{"identity", "token", "generate", "--lifespan", "30mo"}, []string{"lifespan", "30mo"}},
		{"identity lifespan garbage", edit(nil), []string{"identity", "token", "generate", "--lifespan", "a while"}, []string{"lifespan"}},
		{"access token unknown client", edit(nil), []string{"access", "token", "--client", "no-such-client"}, []string{"no-such-client"}},
		{"unknown command", edit(nil), []string{"aply"}, []string{"aply"}},
		{"extra argument", edit(nil), []string{"plan", "extra"}, []string{"extra"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := knownConfig[c.name]; ok && !*strict {
				t.Skipf("KNOWN (reported, run with -badinput.strict to fail): %s", why)
			}
			args := append(append([]string(nil), c.args...), "-f", c.cfg(t))
			if !slices.Contains(args, "--ca-file") {
				args = append(args, "--ca-file", ca)
			}
			out, errs, code := run(t, args...)
			w.check(t, out, errs, code, c.want...)
		})
	}
	t.Logf("%d config and flag cases", len(cases))
}

var _ = fmt.Sprint

var strict = flag.Bool("badinput.strict", false, "fail the cases listed as known findings instead of skipping them")

// knownServer and knownConfig are findings reported to the owners of the packages concerned;
// they are skipped with the reason (never silently) until fixed; -badinput.strict runs them.
var knownServer = map[string]string{}

var knownConfig = map[string]string{}
