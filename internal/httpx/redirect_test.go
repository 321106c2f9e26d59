package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestRedirectsDropCredentials: a redirect to another origin (here: another port on the same
// host) drops every credential header and never re-sends a body; token requests are not
// redirected at all. At 322035c aw-tenant-code crossed hosts and same-host-other-port
// redirects forwarded everything, and a 307 re-POSTed the Entra client_secret form.
func TestRedirectsDropCredentials(t *testing.T) {
	var mu sync.Mutex
	var seen http.Header
	var seenBody bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		seenBody = r.ContentLength > 0
		mu.Unlock()
	}))
	defer other.Close()
	origin := redirectServer(t, httptest.NewServer, map[string]hop{
		"/away":     {other.URL + "/landed", http.StatusFound},
		"/away-307": {other.URL + "/landed", http.StatusTemporaryRedirect},
		"/here":     {"/landed", http.StatusFound},
		"/here-307": {"/landed", http.StatusTemporaryRedirect},
	}, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/landed" {
			mu.Lock()
			seen = r.Header.Clone()
			mu.Unlock()
		}
	})
	c, err := New(Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"Authorization": "Bearer tok-123456", "aw-tenant-code": "api-key-123456", "Cookie": "sid=abc123", "X-Api-Key": "k-123456"}
	for _, tt := range []struct {
		name, method, path string
		token              bool
		wantErr            string
		wantCreds          bool
	}{
		{"GET to another origin drops credentials", http.MethodGet, "/away", false, "", false},
		{"POST 307 to another origin is refused", http.MethodPost, "/away-307", false, "another origin", false},
		{"same origin keeps credentials", http.MethodGet, "/here", false, "", true},
		{"token request is never redirected", http.MethodPost, "/here-307", true, "never redirected", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			seen, seenBody = nil, false
			mu.Unlock()
			var body *strings.Reader
			if tt.method == http.MethodPost {
				body = strings.NewReader("grant_type=client_credentials&client_secret=s3cret-value")
			}
			var req *http.Request
			if body != nil {
				req, _ = http.NewRequest(tt.method, origin.URL+tt.path, body)
			} else {
				req, _ = http.NewRequest(tt.method, origin.URL+tt.path, nil)
			}
			for k, v := range creds {
				req.Header.Set(k, v)
			}
			if tt.token {
				req = NoRedirect(req)
			}
			resp, err := c.Do(req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret-value") {
					t.Error("error shows the body")
				}
				mu.Lock()
				defer mu.Unlock()
				if seenBody {
					t.Error("the body reached the other origin")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if seen == nil {
				t.Fatal("redirect target not reached")
			}
			for k := range creds {
				if got := seen.Get(k) != ""; got != tt.wantCreds {
					t.Errorf("header %s forwarded = %v, want %v", k, got, tt.wantCreds)
				}
			}
		})
	}
}
