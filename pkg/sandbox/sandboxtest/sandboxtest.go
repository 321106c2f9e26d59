// Package sandboxtest starts emulators for tests and hands back clients that trust the sandbox CA.
package sandboxtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Start serves emus in a sandbox writing its files to a temp dir; it is closed when the test ends.
func Start(t testing.TB, emus ...sandbox.Emulator) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(t.TempDir(), emus...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	t.Cleanup(sb.Close)
	if err := sb.WriteFiles(); err != nil {
		t.Fatalf("sandbox files: %v", err)
	}
	return sb
}

// Client is an httpx client trusting the sandbox CA, with quick retries.
func Client(t testing.TB, sb *sandbox.Sandbox) *httpx.Client {
	t.Helper()
	c, err := httpx.New(httpx.Options{CAPEM: sb.CA.CertPEM, UserAgent: "flowsctl/test", BaseDelay: 10_000_000, MaxDelay: 200_000_000})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Requests returns the request log of a service.
func Requests(t testing.TB, sb *sandbox.Sandbox, name string) []sandbox.LogEntry {
	t.Helper()
	var out []sandbox.LogEntry
	adminJSON(t, sb, name, "GET", "/requests", "", &out)
	return out
}

// Writes returns the non-GET/HEAD/OPTIONS entries of a service's request log.
func Writes(t testing.TB, sb *sandbox.Sandbox, name string) []sandbox.LogEntry {
	var w []sandbox.LogEntry
	for _, e := range Requests(t, sb, name) {
		switch e.Method {
		case "GET", "HEAD", "OPTIONS":
		default:
			w = append(w, e)
		}
	}
	return w
}

// Admin calls an admin endpoint (e.g. POST /faults with a JSON body) and decodes the answer into out (may be nil).
func Admin(t testing.TB, sb *sandbox.Sandbox, name, method, path, body string, out any) {
	t.Helper()
	adminJSON(t, sb, name, method, path, body, out)
}

func adminJSON(t testing.TB, sb *sandbox.Sandbox, name, method, path, body string, out any) {
	t.Helper()
	s := sb.Services[name]
	if s == nil {
		t.Fatalf("sandbox has no service %q", name)
	}
	c := Client(t, sb)
	req, _ := http.NewRequest(method, s.Admin+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("admin %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("admin %s %s: %v", method, path, err)
		}
	}
}
