//go:build unix

// These tests make FIFOs, read /dev and /proc and check Unix permission bits.

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFiles: secrets and configs are read only from regular files of bounded size; a
// FIFO does not hang, a device or /proc file is refused, and the chmod hint is not offered
// for them. (At 322035c a FIFO hung forever and /proc/self/environ was sent as credentials.)
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 100<<10), 0o600)
	for _, tt := range []struct {
		name string
		ref  SecretRef
		want string
	}{
		{"fifo", SecretRef("file:" + fifo), "FIFO, not a regular file"},
		{"device", "file:/dev/zero", "character device, not a regular file"},
		{"proc", "file:/proc/self/environ", "kernel or device file"},
		{"huge", SecretRef("file:" + big), "too large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := tt.ref.Resolve(); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "chmod") {
					t.Errorf("err = %v, want %q and no chmod hint", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Resolve hung")
			}
		})
	}
	for _, p := range []string{"/dev/zero", fifo} {
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "regular file") {
			t.Errorf("Load(%s): %v", p, err)
		}
	}
}

// TestSinkSafety: a sink never replaces a file flowsctl did not write, nor lives in a folder
// other users can write to. (At 322035c an absolute sink pointing at an unrelated file
// replaced it.)
func TestSinkSafety(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, "bashrc")
	os.WriteFile(rc, []byte("export A=1\nexport B=2\n"), 0o600)
	shared := filepath.Join(dir, "shared")
	os.Mkdir(shared, 0o777)
	os.Chmod(shared, 0o777)
	old := filepath.Join(dir, "old.secret")
	os.WriteFile(old, []byte("previous-secret\n"), 0o600)
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte("x\n"), 0o644)
	os.Chmod(open, 0o644)
	for _, tt := range []struct {
		name string
		path string
		want string // "" = allowed
	}{
		{"new file", filepath.Join(dir, "new.secret"), ""},
		{"earlier sink", old, ""},
		{"unrelated multi-line file", rc, "several lines"},
		{"readable by others", open, "mode 0644"},
		{"world-writable folder", filepath.Join(shared, "s"), "writable by every user"},
		{"directory", dir, "directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := SecretRef("file:" + tt.path).Write("new-secret-value")
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(rc); string(b) != "export A=1\nexport B=2\n" {
		t.Errorf("unrelated file changed: %q", b)
	}
}

// TestSecretsReachTheRedactor: every value Secret reads or WriteSecret stores is handed to
// OnSecret, so the run's redactor can mask it in output and errors.
func TestSecretsReachTheRedactor(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Path: filepath.Join(dir, "flowsctl.yaml")}
	var seen []string
	c.OnSecret = func(v string) { seen = append(seen, v) }
	t.Setenv("FLOWSCTL_TEST_SECRET", "from-the-environment")
	if _, err := c.Secret("env:FLOWSCTL_TEST_SECRET"); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteSecret("file:s/new", "freshly-generated"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Secret("file:s/new"); err != nil || v != "freshly-generated" {
		t.Fatalf("read back %q %v", v, err)
	}
	if strings.Join(seen, ",") != "from-the-environment,freshly-generated,freshly-generated" {
		t.Errorf("OnSecret saw %v", seen)
	}
}
