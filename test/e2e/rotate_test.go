package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// graphSecrets reads the Entra app's secrets (display name and hint) from the Graph emulator.
func graphSecrets(t *testing.T, e *env) []struct{ DisplayName, Hint string } {
	t.Helper()
	var st struct {
		Applications []struct {
			PasswordCredentials []struct{ DisplayName, Hint string } `json:"passwordCredentials"`
		} `json:"applications"`
	}
	sandboxtest.Admin(t, e.SB, "graph", "GET", "/state", "", &st)
	if len(st.Applications) != 1 {
		t.Fatalf("%d applications in Graph, want 1", len(st.Applications))
	}
	return st.Applications[0].PasswordCredentials
}

// TestRotateTeamsSecretAPIResumes: rotate teams-secret adds the new Entra secret, updates the
// connector and only then removes the old one. A connector update that fails (a fault in the
// mobile flows API) leaves both secrets in place, doctor points at the rotation, and running
// the command again completes it.
func TestRotateTeamsSecretAPIResumes(t *testing.T) {
	e := sandboxWith(t, "mobileflows", "no mobileflows emulator")
	if !e.Has("graph") {
		t.Skip("no Graph emulator")
	}
	apiModeConfig(t, e)
	run := func(a ...string) result { return flowsctl(t, append(a, e.Args...)...) }
	if r := run("apply"); r.Code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
	}
	before := graphSecrets(t, e)
	sink := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "secrets", "teams-client-secret")
	old, _ := os.ReadFile(sink)

	sandboxtest.Admin(t, e.SB, "mobileflows", "POST", "/faults", `{"rules":[{"method":"PUT","kind":"500"}]}`, nil)
	r := run("rotate", "teams-secret")
	if r.Code != 1 {
		t.Fatalf("rotate with a failing connector update: exit %d, want 1\n%s%s", r.Code, r.Out, r.Err)
	}
	if got := graphSecrets(t, e); len(got) != len(before)+1 {
		t.Fatalf("after the interrupted rotation Graph holds %d secrets, want %d (the old one kept)", len(got), len(before)+1)
	}
	progress := filepath.Join(filepath.Dir(e.SB.ConfigPath()), ".flowsctl", "rotate-teams-secret.json")
	if st, err := os.Stat(progress); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("progress file %s: %v", progress, err)
	}
	sandboxtest.Admin(t, e.SB, "mobileflows", "DELETE", "/faults", "", nil)
	d := run("doctor", "-o", "json")
	if d.Code != 2 || !strings.Contains(d.Out, "flowsctl rotate teams-secret") {
		t.Fatalf("doctor while the connector holds the old secret: exit %d, want 2 naming rotate teams-secret\n%s", d.Code, d.Out)
	}

	r = run("rotate", "teams-secret")
	if r.Code != 0 {
		t.Fatalf("resumed rotate: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	if !strings.Contains(r.Out, "removed client secret") {
		t.Errorf("rotate did not name the secret it removed:\n%s", r.Out)
	}
	now, _ := os.ReadFile(sink)
	after := graphSecrets(t, e)
	if string(now) == string(old) || len(after) != len(before) || !strings.HasPrefix(strings.TrimSpace(string(now)), after[len(after)-1].Hint) {
		t.Fatalf("after the rotation: %d secrets (want %d), sink changed %v", len(after), len(before), string(now) != string(old))
	}
	for _, s := range [][]byte{old, now} {
		if v := strings.TrimSpace(string(s)); v != "" && strings.Contains(r.Out+r.Err+d.Out+d.Err, v) {
			t.Fatal("a secret value appeared in the output")
		}
	}
	if _, err := os.Stat(progress); !os.IsNotExist(err) {
		t.Errorf("the progress file is still there after the rotation completed: %v", err)
	}
	if d := run("doctor"); d.Code != 0 {
		t.Fatalf("doctor after the rotation: exit %d\n%s", d.Code, d.Out)
	}
}

// TestRotateTeamsSecretGuided: in guided mode the rotation prints the console step with where
// the new value is (never the value), exits 3 and keeps the old secret; after --confirm it
// removes the old one.
func TestRotateTeamsSecretGuided(t *testing.T) {
	e := sandboxWith(t, "mobileflows", "no mobileflows emulator")
	if !e.Has("graph") {
		t.Skip("no Graph emulator")
	}
	args := guidedArgs(t, e)
	run := func(a ...string) result { return flowsctl(t, append(a, args...)...) }
	run("apply")
	if r := run("uem", "mobileflows", "register", "--confirm"); r.Code != 0 {
		t.Logf("register --confirm: exit %d %s", r.Code, r.Err)
	}
	if r := run("uem", "connector", "add", "teams", "--confirm"); r.Code != 0 {
		t.Fatalf("connector add --confirm: exit %d\n%s", r.Code, r.Err)
	}
	before := graphSecrets(t, e)
	r := run("rotate", "teams-secret")
	if r.Code != 3 {
		t.Fatalf("guided rotate: exit %d, want 3 (console step pending)\n%s%s", r.Code, r.Out, r.Err)
	}
	if !strings.Contains(r.Out+r.Err, "teams-client-secret") {
		t.Errorf("the console step does not say where the new value is:\n%s%s", r.Out, r.Err)
	}
	sink := filepath.Join(filepath.Dir(e.SB.ConfigPath()), "secrets", "teams-client-secret")
	v, _ := os.ReadFile(sink)
	if s := strings.TrimSpace(string(v)); s != "" && strings.Contains(r.Out+r.Err, s) {
		t.Fatal("the new secret value appeared in the output")
	}
	if got := graphSecrets(t, e); len(got) != len(before)+1 {
		t.Fatalf("%d secrets while the console step is pending, want %d (the old one kept)", len(got), len(before)+1)
	}
	d := run("doctor", "-o", "json")
	if !strings.Contains(d.Out, "rotate teams-secret") {
		t.Errorf("doctor does not flag the stale confirmation:\n%s", d.Out)
	}
	r = run("rotate", "teams-secret", "--confirm")
	if r.Code != 0 {
		t.Fatalf("rotate --confirm: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	if got := graphSecrets(t, e); len(got) != len(before) {
		t.Fatalf("%d secrets after the confirmed rotation, want %d", len(got), len(before))
	}
}

// TestAzureRemoveOldDoesNotStrandConnector: `azure secret rotate --remove-old` used to remove
// the secret the Teams connector still held. With connectors configured it now refuses and
// names rotate teams-secret, removing nothing.
func TestAzureRemoveOldDoesNotStrandConnector(t *testing.T) {
	e := sandboxWith(t, "mobileflows", "no mobileflows emulator")
	if !e.Has("graph") {
		t.Skip("no Graph emulator")
	}
	run := func(a ...string) result { return flowsctl(t, append(a, e.Args...)...) }
	if r := run("apply"); r.Code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
	}
	before := graphSecrets(t, e)
	r := run("azure", "secret", "rotate", "--remove-old")
	if r.Code != 1 || !strings.Contains(r.Err, "flowsctl rotate teams-secret") {
		t.Fatalf("azure secret rotate --remove-old: exit %d, want 1 naming rotate teams-secret\n%s", r.Code, r.Err)
	}
	if got := graphSecrets(t, e); len(got) != len(before) {
		t.Fatalf("Graph holds %d secrets, want %d (nothing added or removed)", len(got), len(before))
	}
	if d := run("doctor"); d.Code != 0 {
		t.Fatalf("doctor after the refused rotation: exit %d\n%s", d.Code, d.Out)
	}
}
