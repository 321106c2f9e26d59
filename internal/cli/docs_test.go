package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/docscmd"
)

// TestCommandReferenceIsCurrent fails when docs/cli no longer matches the command tree.
func TestCommandReferenceIsCurrent(t *testing.T) {
	clearEnv(t)
	t.Setenv("SOURCE_DATE_EPOCH", "")
	os.Unsetenv("SOURCE_DATE_EPOCH")
	committed := filepath.Join("..", "..", "docs", "cli")
	fresh := t.TempDir()
	if err := docscmd.Generate(NewCmdRoot(testFactory()), fresh, filepath.Join(fresh, "man")); err != nil {
		t.Fatal(err)
	}
	want, got := files(t, fresh), files(t, committed)
	var stale []string
	for name, b := range want {
		if c, ok := got[name]; !ok {
			stale = append(stale, "missing "+name)
		} else if !bytes.Equal(b, c) {
			stale = append(stale, "outdated "+name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			stale = append(stale, "extra "+name)
		}
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		if len(stale) > 15 {
			stale = append(stale[:15], "...")
		}
		t.Fatalf("docs/cli is stale (%v); regenerate it from the repository root with:\n\t%s", stale, docscmd.RegenerateCommand)
	}
}

// files maps the generated pages under dir (relative path -> content).
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"flowsctl*.md", filepath.Join("man", "flowsctl*.1")} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range matches {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = b
		}
	}
	return out
}
