package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md from the schema")

// moduleRoot walks up from the package directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
}

func TestConfigurationDocIsCurrent(t *testing.T) {
	path := filepath.Join(moduleRoot(t), "docs", "configuration.md")
	want := Reference()
	if *update || os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it: UPDATE_DOCS=1 go test ./pkg/config -run TestConfigurationDocIsCurrent)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/configuration.md is out of date with the schema; regenerate it: UPDATE_DOCS=1 go test ./pkg/config -run TestConfigurationDocIsCurrent")
	}
}

func TestEveryKeyDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range schemaRows() {
		seen[r.Path] = true
		if r.Doc.Desc == "" {
			t.Errorf("%s has no description in fieldDocs (schema.go)", r.Path)
		}
	}
	for p := range fieldDocs {
		if !seen[p] {
			t.Errorf("fieldDocs has %q, which is not a key of the schema", p)
		}
	}
	ref := Reference()
	for _, s := range []string{"`azure.app.secret.lifetime` | duration | `12mo` | 1d to 2y", "FLOWSCTL_ACCESS_URL", "`uem.integrations[].deviceSyncInterval` | duration | `60m` | multiple of 10m from 10m to 1440m"} {
		if !strings.Contains(ref, s) {
			t.Errorf("reference lacks %q", s)
		}
	}
}
