package sandboxtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTB records how a helper ended the test instead of ending it.
type fakeTB struct {
	testing.TB
	failed, skipped string
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }
func (f *fakeTB) Skipf(format string, a ...any)  { f.skipped = fmt.Sprintf(format, a...) }

func TestContractsDir(t *testing.T) {
	tests := []struct {
		name      string
		ci        bool
		contracts bool // ../shared/contracts exists beside the module
		gomod     bool // the start folder is inside a module
		want      string
	}{
		{name: "present, local", contracts: true, gomod: true, want: "dir"},
		{name: "present, CI", ci: true, contracts: true, gomod: true, want: "dir"},
		{name: "absent, local", gomod: true, want: "skip"},
		{name: "absent, CI", ci: true, gomod: true, want: "fail"},
		{name: "no module, local", contracts: true, want: "skip"},
		{name: "no module, CI", ci: true, contracts: true, want: "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			mod := filepath.Join(base, "repo")
			start := filepath.Join(mod, "pkg", "thing")
			if err := os.MkdirAll(start, 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.gomod {
				if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := filepath.Join(base, "shared", "contracts")
			if tt.contracts {
				if err := os.MkdirAll(want, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			f := &fakeTB{}
			got := contractsDir(f, start, tt.ci)
			switch tt.want {
			case "dir":
				if got != want || f.failed != "" || f.skipped != "" {
					t.Fatalf("got %q (failed %q, skipped %q), want %q", got, f.failed, f.skipped, want)
				}
			case "skip":
				if got != "" || f.failed != "" || !strings.Contains(f.skipped, "skipping the contract test") {
					t.Fatalf("want a skip: got %q, failed %q, skipped %q", got, f.failed, f.skipped)
				}
			case "fail":
				if got != "" || f.skipped != "" || !strings.Contains(f.failed, "CI=true") {
					t.Fatalf("want a failure: got %q, failed %q, skipped %q", got, f.failed, f.skipped)
				}
			}
		})
	}
}
