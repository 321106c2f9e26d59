package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// sandbox.json decides who stands in for the operator: beside the config it wrote, consoleTodo
// false stands in on the console-only steps and true leaves them to do; a copy away from its
// folder (no sandbox.json, or another sandbox's) stands in on every operator step; a real
// tenant's config never has a stand-in.
func TestSandboxStandIn(t *testing.T) {
	dir := t.TempDir()
	folder := func(name, meta string) string {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "sandbox.json"), []byte(meta), 0o600); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, "flowsctl.yaml")
	}
	upCfg := folder("up", `{"id":"id1","consoleTodo":false}`)
	todoCfg := folder("todo", `{"id":"id1","consoleTodo":true}`)
	otherCfg := folder("other", `{"id":"id2","consoleTodo":true}`)
	tests := []struct {
		name, sandbox, path, step string
		want                      string // "" none, else a word of the stand-in
	}{
		{"sandbox up, console-only", "id1", upCfg, "identity.services", "--console-todo leaves it to do"},
		{"sandbox up, observable step", "id1", upCfg, "users.teamsActivation", ""},
		{"console-todo", "id1", todoCfg, "hub.clientVersions", ""},
		{"copied away", "id1", filepath.Join(dir, "tenant-a.yaml"), "hub.clientVersions", "away from its sandbox folder"},
		{"copied away, observable step", "id1", filepath.Join(dir, "tenant-a.yaml"), "users.teamsActivation", "away from its sandbox folder"},
		{"beside another sandbox", "id1", otherCfg, "identity.services", "away from its sandbox folder"},
		{"a real tenant", "", upCfg, "identity.services", ""},
		{"in memory", "id1", "", "identity.services", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sandboxStandIn(&config.Config{Sandbox: tt.sandbox, Path: tt.path}, tt.step)
			if (got == "") != (tt.want == "") || !strings.Contains(got, tt.want) {
				t.Errorf("stand-in %q, want one saying %q", got, tt.want)
			}
		})
	}
}
