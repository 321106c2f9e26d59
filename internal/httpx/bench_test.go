package httpx

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// tokenResponse is a typical OAuth answer, the body every traced sign-in carries.
const tokenResponse = `{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln","token_type":"Bearer","expires_in":3599,` +
	`"scope":"admin","user":{"name":"x","roles":["a","b"],"credentials":[{"secret":"s","hint":"h"}]}}`

func BenchmarkRedactBody(b *testing.B) {
	big := `{"items":[` + strings.Repeat(tokenResponse+",", 100) + tokenResponse + `]}`
	for _, bc := range []struct{ name, body string }{{"token", tokenResponse}, {"100-items", big}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				RedactBody("application/json", []byte(bc.body))
			}
		})
	}
}

// BenchmarkDo measures a GET on loopback with and without the --debug trace.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, tokenResponse)
	}))
	defer srv.Close()
	for _, traced := range []bool{false, true} {
		name := "plain"
		o := Options{}
		if traced {
			name, o.Debug = "traced", io.Discard
		}
		b.Run(name, func(b *testing.B) {
			c, err := New(o)
			if err != nil {
				b.Fatal(err)
			}
			c.AddSecret("known-secret-value")
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/token?client_secret=x", nil)
				resp, err := c.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ReadBody(resp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzRedactJSON: redaction never panics, keeps valid JSON valid, and hides every value under
// a secret-named key.
func FuzzRedactJSON(f *testing.F) {
	f.Add(`{"a":1}`, "hunter22")
	f.Add(`[{"password":"x"},{"n":[1,2,{"token":"y"}]}]`, "value!")
	f.Add(`{"path":"password","value":"v"}`, "v\"quoted")
	f.Fuzz(func(t *testing.T, doc, secret string) {
		out := RedactBody("application/json", []byte(doc))
		if !json.Valid([]byte(doc)) {
			return
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("redacting valid JSON gave invalid JSON: %s -> %s", doc, out)
		}
		if len(secret) < 8 || strings.ContainsAny(secret, "[]REDACT") {
			return
		}
		wrapped, _ := json.Marshal(map[string]any{"wrap": json.RawMessage(doc), "client_secret": secret,
			"list": []any{map[string]any{"password": []string{secret}}}})
		red := RedactBody("application/json", wrapped)
		var check map[string]any
		if err := json.Unmarshal([]byte(red), &check); err != nil {
			t.Fatal(err)
		}
		if check["client_secret"] != Redacted {
			t.Fatalf("client_secret not redacted: %s", red)
		}
		list, _ := check["list"].([]any)
		pw := list[0].(map[string]any)["password"].([]any)
		if pw[0] != Redacted {
			t.Fatalf("password array not redacted: %s", red)
		}
	})
}
