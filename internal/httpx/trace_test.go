package httpx

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// syncBuffer is a Debug writer safe for concurrent traces.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func fakeJWT(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+sub+`"}`)) + "." + enc([]byte("signature-"+sub))
}

func TestRedactHeader(t *testing.T) {
	tests := []struct{ k, v, want string }{
		{"Authorization", "Bearer abc.def", "Bearer [REDACTED]"},
		{"Authorization", "Basic dXNlcjpwYXNz", "Basic [REDACTED]"},
		{"Authorization", "opaque-token-without-scheme", "[REDACTED]"},
		{"Proxy-Authorization", "Negotiate abc", "Negotiate [REDACTED]"},
		{"aw-tenant-code", "AbCdEf123456", "[REDACTED]"},
		{"AW-Tenant-Code", "key with space", "[REDACTED]"},
		{"Cookie", "sid=abc; csrf=def", "sid=[REDACTED]; csrf=[REDACTED]"},
		{"Cookie", "a=secret; b=x", "a=[REDACTED]; b=[REDACTED]"},
		{"Set-Cookie", "sid=abc; Path=/; HttpOnly", "sid=[REDACTED]; Path=/; HttpOnly"},
		{"X-Api-Key", "k-123", "[REDACTED]"},
		{"X-Auth-Token", "t-123", "[REDACTED]"},
		{"Ocp-Apim-Subscription-Key", "k-123", "[REDACTED]"},
		{"Content-Type", "application/json", "application/json"},
		{"WWW-Authenticate", `Bearer error="invalid_token"`, `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		if got := RedactHeader(tt.k, tt.v); got != tt.want {
			t.Errorf("RedactHeader(%q, %q) = %q, want %q", tt.k, tt.v, got, tt.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/p?a=1&b=2", "https://h/p?a=1&b=2"},
		{"https://h/p?client_secret=s&x=1", "https://h/p?client_secret=[REDACTED]&x=1"},
		{"https://h/cb?code=abc&state=xyz", "https://h/cb?code=[REDACTED]&state=xyz"},
		{"https://h/p?access_token=a&refresh_token=b&apiKey=c&password=d", "https://h/p?access_token=[REDACTED]&refresh_token=[REDACTED]&apiKey=[REDACTED]&password=[REDACTED]"},
		{"https://h/p?filter=userName+eq+%22bob%22", "https://h/p?filter=userName+eq+%22bob%22"},
		{"https://user:pw@h/p", "https://[REDACTED]@h/p"},
		{"https://h/cb#access_token=abc&token_type=Bearer", "https://h/cb#access_token=[REDACTED]&token_type=Bearer"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := RedactURL(u); got != tt.want {
			t.Errorf("RedactURL(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestRedactBody(t *testing.T) {
	jwt := fakeJWT("bob")
	tests := []struct {
		name, ct, in, want string
	}{
		{"flat", "application/json", `{"name":"app","client_secret":"s1"}`, `{"name":"app","client_secret":"[REDACTED]"}`},
		{"order kept", "application/json", `{"z":1,"password":"p","a":2}`, `{"z":1,"password":"[REDACTED]","a":2}`},
		{"deep", "application/json", `{"a":{"b":{"c":[{"secretText":"s"}]}}}`, `{"a":{"b":{"c":[{"secretText":"[REDACTED]"}]}}}`},
		{"array under secret name", "application/json", `{"credentials":["a","b",{"x":"c","n":5,"ok":true}]}`,
			`{"credentials":["[REDACTED]","[REDACTED]",{"x":"[REDACTED]","n":"[REDACTED]","ok":true}]}`},
		{"case-insensitive names", "application/json", `{"Access_Token":"a","REFRESH_TOKEN":"b","Id_Token":"c","APIKEY":"d","Assertion":"e","clientSecret":"f"}`,
			`{"Access_Token":"[REDACTED]","REFRESH_TOKEN":"[REDACTED]","Id_Token":"[REDACTED]","APIKEY":"[REDACTED]","Assertion":"[REDACTED]","clientSecret":"[REDACTED]"}`},
		{"SCIM PATCH of a password", "application/scim+json",
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"p1"},{"op":"replace","path":"active","value":false},{"value":"p2","path":"userPassword"}]}`,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"[REDACTED]"},{"op":"replace","path":"active","value":false},{"value":"[REDACTED]","path":"userPassword"}]}`},
		{"name/value settings", "application/json", `[{"name":"apiKey","value":"k"},{"name":"region","value":"eu"}]`,
			`[{"name":"apiKey","value":"[REDACTED]"},{"name":"region","value":"eu"}]`},
		{"descriptive names kept", "application/json", `{"accessTokenTTL":3600,"refreshTokenTTL":7200,"tokenType":"Bearer","secretExpiry":"2027-01-01","token_endpoint":"https://h/token","passwordPolicy":"strong"}`,
			`{"accessTokenTTL":3600,"refreshTokenTTL":7200,"tokenType":"Bearer","secretExpiry":"2027-01-01","token_endpoint":"https://h/token","passwordPolicy":"strong"}`},
		{"token_type kept", "application/json", `{"token_type":"Bearer","expires_in":3599}`, `{"token_type":"Bearer","expires_in":3599}`},
		{"JSON code kept", "application/json", `{"code":"Request_BadRequest"}`, `{"code":"Request_BadRequest"}`},
		{"top-level array", "application/scim+json", `[{"password":"p"},{"userName":"u"}]`, `[{"password":"[REDACTED]"},{"userName":"u"}]`},
		{"vendor json", "application/vnd.vmware.horizon.manager.oauth2client+json;charset=UTF-8", `{"secret":"s","clientId":"c"}`, `{"secret":"[REDACTED]","clientId":"c"}`},
		{"untyped JSON", "", `{"token":"t"}`, `{"token":"[REDACTED]"}`},
		{"unicode and escapes kept", "application/json", `{"n":"a\"b<é>"}`, `{"n":"a\"b<é>"}`},
		{"JWT in a harmless field", "application/json", `{"note":"` + jwt + `"}`, `{"note":"[REDACTED JWT]"}`},
		{"form", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=abc&client_secret=s%2B1&scope=admin",
			"grant_type=client_credentials&client_id=abc&client_secret=[REDACTED]&scope=admin"},
		{"form oauth names", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=c1&device_code=d1&client_assertion=x&code_verifier=v",
			"grant_type=authorization_code&code=[REDACTED]&device_code=[REDACTED]&client_assertion=[REDACTED]&code_verifier=[REDACTED]"},
		{"text summarised", "text/plain", "password is hunter2", "[19 bytes text/plain]"},
		{"html summarised", "text/html; charset=utf-8", "<html>token</html>", "[18 bytes text/html]"},
		{"binary summarised", "", "\x00\x01\x02", "[3 bytes of unknown type]"},
		{"broken JSON summarised", "application/json", `{"password":"p"`, "[15 bytes application/json, not valid JSON]"},
		{"empty", "application/json", "", ""},
	}
	for _, tt := range tests {
		if got := RedactBody(tt.ct, []byte(tt.in)); got != tt.want {
			t.Errorf("%s: got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestTraceBlocks(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1) == 1 {
			w.WriteHeader(503)
			io.WriteString(w, `{"error":"try later"}`)
			return
		}
		io.WriteString(w, `{"id":"42","name":"flows"}`)
	}))
	defer srv.Close()
	var trace syncBuffer
	c, _ := fastClient(t, Options{Debug: &trace})
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v1/apps/42?expand=all", strings.NewReader(`{"name":"flows"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBody(resp)
	if err != nil || string(b) != `{"id":"42","name":"flows"}` {
		t.Fatalf("caller's body after tracing: %q %v", b, err)
	}
	out := trace.String()
	if got := strings.Count(out, "--> PUT "+srv.URL+"/v1/apps/42?expand=all"); got != 2 {
		t.Errorf("want one block per attempt (2), got %d:\n%s", got, out)
	}
	for _, want := range []string{
		"(attempt 1)", "(attempt 2)", "> Accept: application/json", "> User-Agent: flowsctl/dev",
		`> {"name":"flows"}`, "<-- 503 Service Unavailable in ", `< {"error":"try later"}`,
		"<-- 200 OK in ", "< Content-Type: application/json", `< {"id":"42","name":"flows"}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestTraceCapsLargeBodies(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"name":"item"},`, 2000) + `{"name":"last"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, big)
	}))
	defer srv.Close()
	var trace syncBuffer
	c, _ := fastClient(t, Options{Debug: &trace})
	resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadBody(resp)
	if err != nil || string(b) != big {
		t.Fatalf("caller got %d of %d bytes: %v", len(b), len(big), err)
	}
	out := trace.String()
	if len(out) > TraceBodyMax+2048 {
		t.Errorf("trace is %d bytes, want it capped near %d", len(out), TraceBodyMax)
	}
	if !strings.Contains(out, fmt.Sprintf("[trace cut at %d of %d bytes]", TraceBodyMax, len(big))) {
		t.Errorf("trace does not say it was cut:\n%s", out[len(out)-200:])
	}
}

func TestTraceErrorAttempt(t *testing.T) {
	srv, _ := resetting(t, 1)
	var trace syncBuffer
	c, _ := fastClient(t, Options{Debug: &trace})
	resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL+"/x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := trace.String()
	if !strings.Contains(out, "<-- error after") || !strings.Contains(out, "<-- 200 OK") {
		t.Errorf("trace:\n%s", out)
	}
}

// TestTraceLeak sends secrets in every position a request or response can carry them and
// checks that none of them reaches the --debug trace.
func TestTraceLeak(t *testing.T) {
	secrets := map[string]string{
		"bearer":        "bearer-secret-0001",
		"tenantCode":    "tenantcode-secret-0002",
		"cookie":        "cookie-secret-0003",
		"nestedJSON":    "nested-secret-0004",
		"arrayJSON":     "array-secret-0005",
		"arrayObjJSON":  "arrayobj-secret-0006",
		"form":          "form-secret-0007",
		"formCode":      "formcode-secret-0008",
		"query":         "query-secret-0009",
		"queryCode":     "querycode-secret-0010",
		"respAccess":    "resp-access-secret-0011",
		"respRefresh":   "resp-refresh-secret-0012",
		"setCookie":     "setcookie-secret-0013",
		"known":         "known+secret/0014=~x",
		"optionSecret":  "option-secret-0015",
		"respPassword":  "resp-password-secret-0016",
		"customHeader":  "custom-header-secret-0017",
		"assertionForm": "assertion-secret-0018",
	}
	jwtReq, jwtResp := fakeJWT("request-user"), fakeJWT("response-user")
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Set-Cookie", "sid="+secrets["setCookie"]+"; Path=/; HttpOnly")
		w.Header().Set("Content-Type", "application/json")
		if n.Add(1)%2 == 1 {
			w.WriteHeader(503) // every request is traced twice: once failing, once answered
			return
		}
		fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"id_token":%q,"token_type":"Bearer",`+
			`"user":{"profile":{"password":%q}},"echo":%q,"list":[{"note":%q}]}`,
			secrets["respAccess"], secrets["respRefresh"], jwtResp, secrets["respPassword"], secrets["known"], jwtResp)
	}))
	defer srv.Close()

	var trace syncBuffer
	c, _ := fastClient(t, Options{Debug: &trace, Secrets: []string{secrets["optionSecret"]}})
	c.AddSecret(secrets["known"])

	q := url.Values{}
	q.Set("access_token", secrets["query"])
	q.Set("code", secrets["queryCode"])
	q.Set("echo", secrets["known"]) // a harmless name carrying a known secret, URL-escaped
	jsonBody := fmt.Sprintf(`{"app":{"settings":{"auth":{"client_secret":%q}}},"tokens":[%q,%q],`+
		`"passwordCredentials":[{"displayName":"ci","secretText":%q}],"note":%q,"jwt":%q,"opt":%q}`,
		secrets["nestedJSON"], secrets["arrayJSON"], secrets["arrayJSON"], secrets["arrayObjJSON"],
		secrets["known"], jwtReq, secrets["optionSecret"])
	form := url.Values{}
	form.Set("grant_type", "client_credentials")
	form.Set("client_secret", secrets["form"])
	form.Set("code", secrets["formCode"])
	form.Set("client_assertion", secrets["assertionForm"])
	form.Set("state", secrets["known"])

	requests := []struct {
		method, path, ct, body string
	}{
		{http.MethodPost, "/json", "application/json", jsonBody},
		{http.MethodPost, "/token", "application/x-www-form-urlencoded", form.Encode()},
		{http.MethodPost, "/text", "text/plain", "password=" + secrets["known"]},
		{http.MethodGet, "/query?" + q.Encode(), "", ""},
		{http.MethodGet, "/path/" + url.PathEscape(secrets["known"]), "", ""},
	}
	for _, rq := range requests {
		var body io.Reader
		if rq.body != "" {
			body = strings.NewReader(rq.body)
		}
		req, err := http.NewRequest(rq.method, srv.URL+rq.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if rq.ct != "" {
			req.Header.Set("Content-Type", rq.ct)
		}
		req.Header.Set("Authorization", "Bearer "+secrets["bearer"])
		req.Header.Set("aw-tenant-code", secrets["tenantCode"])
		req.Header.Set("Cookie", "sid="+secrets["cookie"]+"; theme=dark")
		req.Header.Set("X-Correlation", secrets["customHeader"]+" "+secrets["optionSecret"])
		c.AddSecret(secrets["customHeader"])
		resp, err := c.Do(RetrySafe(req))
		if err != nil {
			t.Fatal(err)
		}
		b, err := ReadBody(resp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(secrets["respAccess"])) {
			t.Fatalf("the caller no longer gets the real response body: %s", b)
		}
	}

	out := trace.String()
	for name, v := range secrets {
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			if strings.Contains(out, form) {
				t.Errorf("secret %s leaked into the trace as %q", name, form)
			}
		}
	}
	for _, jwt := range []string{jwtReq, jwtResp} {
		for _, part := range strings.Split(jwt, ".") {
			if strings.Contains(out, part) {
				t.Errorf("a JWT segment leaked into the trace: %s", part)
			}
		}
	}
	// The trace stays useful: structure and harmless values are visible.
	for _, want := range []string{
		"Bearer [REDACTED]", "Aw-Tenant-Code: [REDACTED]", "sid=[REDACTED]; theme=[REDACTED]",
		`"client_secret":"[REDACTED]"`, `"displayName":"[REDACTED]"`, "grant_type=client_credentials",
		`"token_type":"Bearer"`, "[REDACTED JWT]", "[29 bytes text/plain]", "<-- 503 Service Unavailable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	if strings.Count(out, "--> ") != 2*len(requests) {
		t.Errorf("want %d trace blocks, got %d", 2*len(requests), strings.Count(out, "--> "))
	}
	if t.Failed() {
		t.Logf("trace:\n%s", out)
	}
}

func TestAddSecretConcurrent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"value":"`+r.URL.Query().Get("v")+`"}`)
	}))
	defer srv.Close()
	var trace syncBuffer
	c, _ := fastClient(t, Options{Debug: &trace})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := fmt.Sprintf("generated-secret-%04d", i)
			c.AddSecret(v)
			resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL+"/?v="+v))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	out := trace.String()
	if strings.Contains(out, "generated-secret-") {
		t.Errorf("a secret added concurrently leaked:\n%s", out)
	}
	if strings.Count(out, "--> GET") != 8 {
		t.Errorf("want 8 intact blocks:\n%s", out)
	}
}
