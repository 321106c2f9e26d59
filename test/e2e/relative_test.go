package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRelativeSecretPathsFromAnotherDirectory: file: references relative to the config file
// (as `flowsctl init` writes them) resolve against the config's directory, not the working
// directory, in every step: apply converges, plan is clean and doctor passes when flowsctl
// runs from elsewhere. The secrets apply writes land beside the config.
func TestRelativeSecretPathsFromAnotherDirectory(t *testing.T) {
	e := startSandbox(t)
	dir := filepath.Dir(e.SB.ConfigPath())
	b, err := os.ReadFile(e.SB.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	abs := "file:" + dir + string(filepath.Separator)
	if !strings.Contains(string(b), abs) {
		t.Fatalf("the sandbox config has no file: reference under %s", dir)
	}
	rel := strings.ReplaceAll(string(b), abs, "file:")
	cfg := filepath.Join(dir, "relative.yaml")
	if err := os.WriteFile(cfg, []byte(rel), 0o600); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	args := func(cmd ...string) []string {
		return append(cmd, "-f", cfg, "--ca-file", e.SB.CAPath(), "--no-input")
	}
	if r := flowsctl(t, args("apply")...); r.Code != 0 {
		t.Fatalf("apply from another directory: exit %d\n%s", r.Code, r.Err)
	}
	if r := flowsctl(t, args("plan")...); r.Code != 0 {
		t.Fatalf("plan after apply: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	if r := flowsctl(t, args("doctor")...); r.Code != 0 {
		t.Fatalf("doctor: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	left, err := os.ReadDir(elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range left {
		t.Errorf("flowsctl wrote %s into the working directory; relative paths belong to the config's directory", de.Name())
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets", "teams-client-secret")); err != nil {
		t.Errorf("the Entra client secret was not written beside the config: %v", err)
	}
}
