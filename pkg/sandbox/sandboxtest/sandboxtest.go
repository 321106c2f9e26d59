// Package sandboxtest starts emulators for tests and hands back clients that trust the sandbox CA.
package sandboxtest

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// Client is an httpx client trusting the sandbox CA, with quick retries (10ms base, 200ms cap).
func Client(t testing.TB, sb *sandbox.Sandbox) *httpx.Client {
	t.Helper()
	c, err := httpx.New(httpx.Options{CAPEM: sb.CA.CertPEM, UserAgent: "flowsctl/test",
		BaseDelay: 10 * time.Millisecond, MaxDelay: 200 * time.Millisecond, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Requests returns the request log of a service, oldest first.
func Requests(t testing.TB, sb *sandbox.Sandbox, name string) []sandbox.LogEntry {
	t.Helper()
	mustHave(t, sb, name)
	return sb.Requests(name)
}

// Writes returns the non-GET/HEAD/OPTIONS entries of a service's request log.
func Writes(t testing.TB, sb *sandbox.Sandbox, name string) []sandbox.LogEntry {
	t.Helper()
	mustHave(t, sb, name)
	return sb.Writes(name)
}

func mustHave(t testing.TB, sb *sandbox.Sandbox, name string) {
	t.Helper()
	if sb.Services[name] == nil {
		t.Fatalf("sandbox has no service %q (has %v)", name, sb.Names())
	}
}

// admin clients are kept per sandbox so repeated Admin calls reuse connections.
var admins sync.Map // *sandbox.Sandbox -> *httpx.Client

// Admin calls an admin endpoint over HTTPS (e.g. POST /faults with a JSON body) and decodes
// the answer into out (may be nil). A status >= 300 fails the test.
func Admin(t testing.TB, sb *sandbox.Sandbox, name, method, path, body string, out any) {
	t.Helper()
	mustHave(t, sb, name)
	var c *httpx.Client
	if v, ok := admins.Load(sb); ok {
		c = v.(*httpx.Client)
	} else {
		c = Client(t, sb)
		if v, loaded := admins.LoadOrStore(sb, c); loaded {
			c = v.(*httpx.Client)
		} else {
			t.Cleanup(func() { admins.Delete(sb) })
		}
	}
	req, err := http.NewRequest(method, sb.Services[name].Admin+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		t.Fatalf("admin %s %s: %v", method, path, err)
	}
	if resp.StatusCode >= 300 {
		t.Fatalf("admin %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("admin %s %s: decode answer: %v", method, path, err)
		}
	}
}

// SourceFiles returns the non-test Go files of the package folder dir (relative to the test's
// package, e.g. "../../uem"), base name -> text, so that a test can check what a client calls
// against what an emulator serves. It fails the test when the folder has none.
func SourceFiles(t testing.TB, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.FromSlash(dir), "*.go"))
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(b)
	}
	if err != nil || len(out) == 0 {
		t.Fatalf("no Go sources in %s (%v)", dir, err)
	}
	return out
}
