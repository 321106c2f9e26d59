package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSandboxUpRunsUntilInterrupted drives the real `sandbox up` with every registered emulator:
// the default --timeout must not apply, the files appear, and an interrupt ends it with exit 0.
func TestSandboxUpRunsUntilInterrupted(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "sb")
	f := testFactory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var meta struct {
		CA       string                       `json:"ca"`
		Services map[string]map[string]string `json:"services"`
	}
	go func() {
		defer cancel()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if b, err := os.ReadFile(filepath.Join(dir, "sandbox.json")); err == nil && json.Unmarshal(b, &meta) == nil {
				return
			}
		}
	}()
	code := run(ctx, f, []string{"sandbox", "up", "--dir", dir})
	stderr := stderrOf(f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if meta.CA != filepath.Join(dir, "ca.pem") {
		t.Fatalf("sandbox.json ca %q", meta.CA)
	}
	for name, s := range meta.Services {
		if !strings.Contains(stderr, s["url"]) || !strings.HasSuffix(s["admin"], "/_sandbox") {
			t.Errorf("service %s %v not printed or malformed", name, s)
		}
	}
	if !strings.Contains(stderr, "sandbox ready\n") || !strings.Contains(stderr, "sandbox stopped") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "flowsctl.yaml")); err != nil {
		t.Error(err)
	}
	// The generated config is valid and trusts the sandbox CA.
	f2 := testFactory()
	f2.Flags.File = filepath.Join(dir, "flowsctl.yaml")
	cfg, err := f2.Config()
	if err != nil {
		t.Fatalf("generated config: %v", err)
	}
	if cfg.Sandbox == "" || len(f2.HTTPOptions().LoopbackCAPEM) == 0 {
		t.Errorf("generated config is not bound to its sandbox (sandbox %q)", cfg.Sandbox)
	}
}
