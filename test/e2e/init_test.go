package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitThroughTheCommandTree: without a terminal init asks nothing and names the flags;
// with every flag it writes a 0600 config that plan accepts, and refuses to overwrite it.
func TestInitThroughTheCommandTree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flowsctl.yaml")
	r := flowsctl(t, "init", "-f", path)
	if r.Code != 1 || !strings.Contains(r.Err, "no terminal") || !strings.Contains(r.Err, "--access-url") {
		t.Fatalf("init without a terminal: exit %d\n%s", r.Code, r.Err)
	}
	flags := []string{"init", "-f", path, "--no-input", "--access-url", "https://acme.vmwareidentity.com", "--uem-url", "https://as1234.awmdm.com",
		"--tenant-id", "acme.onmicrosoft.com", "--domain", "acme.com", "--secrets", "env", "--connectors", "teams"}
	if r := flowsctl(t, flags...); r.Code != 0 {
		t.Fatalf("init --no-input: exit %d\n%s", r.Code, r.Err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config: %v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "env:FLOWSCTL_ACCESS_SECRET") {
		t.Fatalf("no env: reference in the written config:\n%s", b)
	}
	if r := flowsctl(t, "config", "show", "-f", path); r.Code != 0 {
		t.Fatalf("config show on the written file: exit %d\n%s", r.Code, r.Err)
	}
	if r := flowsctl(t, flags...); r.Code != 1 || !strings.Contains(r.Err, "--force") {
		t.Fatalf("second init: exit %d, want a refusal naming --force\n%s", r.Code, r.Err)
	}
}
