package steps

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// A sandbox config copied away from its folder (a fleet folder) has the sandbox stand in for its
// console-only steps; inside the folder, or for a real tenant's config, it does not.
func TestMovedSandboxConfig(t *testing.T) {
	dir := t.TempDir()
	withMeta := filepath.Join(dir, "sandbox")
	if err := os.MkdirAll(withMeta, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withMeta, "sandbox.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sandbox, path string
		want                bool
	}{
		{"in its folder", "id1", filepath.Join(withMeta, "flowsctl.yaml"), false},
		{"copied away", "id1", filepath.Join(dir, "tenant-a.yaml"), true},
		{"a real tenant", "", filepath.Join(dir, "tenant-b.yaml"), false},
		{"in memory", "id1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := movedSandboxConfig(&config.Config{Sandbox: tt.sandbox, Path: tt.path}); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
