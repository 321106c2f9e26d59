package setupcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// Two tenants of a folder that keep the default relative sinks would write their secrets to
// the same files: both are refused, by name; a tenant with sinks of its own runs.
func TestSinkClashes(t *testing.T) {
	dir := t.TempDir()
	doc := func(sink string) string {
		d := "apiVersion: flowsctl/v1\nazure:\n  tenantId: 11111111-2222-3333-4444-555555555555\n" +
			"  signIn: {method: clientsecret, clientId: 22222222-3333-4444-5555-666666666666, clientSecret: env:FLOWSCTL_TEST_SECRET}\n"
		if sink != "" {
			d += "  app: {secret: {sink: " + sink + "}}\n"
		}
		return d
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{
		write("acme.yaml", doc("")),
		write("globex.yaml", doc("")),
		write("initech.yaml", doc("file:.flowsctl/secrets/initech/teams-client-secret")),
		write("broken.yaml", "apiVersion: nonsense/v9\n"),
	}
	cfgs := make([]*config.Config, len(files))
	for i, f := range files {
		cfgs[i], _ = config.Load(f)
	}
	if cfgs[3] != nil {
		t.Fatal("the broken config loaded")
	}
	clash := sinkClashes(cfgs, []string{"acme", "globex", "initech", "broken"})
	if len(clash) != 2 {
		t.Fatalf("clashes %v, want acme and globex", clash)
	}
	for i, other := range map[int]string{0: "globex", 1: "acme"} {
		if !strings.Contains(clash[i], "azure.app.secret.sink") || !strings.Contains(clash[i], "tenant "+other) ||
			!strings.Contains(clash[i], filepath.Join(dir, ".flowsctl", "secrets", "teams-client-secret")) {
			t.Errorf("tenant %d: %q; want the key, the path and tenant %s", i, clash[i], other)
		}
	}
}
