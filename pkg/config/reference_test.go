package config

import (
	"flag"
	"maps"
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
	for p := range allDocs() {
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

// TestLoadMakesPathsAbsolute: after Load every file: reference and file path is absolute
// ("~/" expanded, relative joined to the config's folder), so validation and use agree.
func TestLoadMakesPathsAbsolute(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "ca"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca/uem.pem"), []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := okAccess + "  scimClient:\n    secretSink: file:~/okta-scim.secret\nuem:\n  url: https://as1506.awmdm.com\n  caFile: ca/uem.pem\n  auth:\n    basic:\n      username: api\n      password: file:secrets/uem\n    apiKey: env:UEM_KEY\n"
	c, err := Parse(filepath.Join(dir, "flowsctl.yaml"), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ got, want string }{
		{string(c.Access.SCIMClient.SecretSink), "file:" + filepath.Join(home, "okta-scim.secret")},
		{string(c.Access.Auth.ClientSecret), "env:FLOWSCTL_ACCESS_SECRET"},
		{c.UEM.CAFile, filepath.Join(dir, "ca/uem.pem")},
		{string(c.UEM.Auth.Basic.Password), "file:" + filepath.Join(dir, "secrets/uem")},
		{string(c.UEM.Auth.APIKey), "env:UEM_KEY"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	// The sink is written where validation looked: under $HOME, not under the config's folder.
	if err := c.WriteSecret(c.Access.SCIMClient.SecretSink, "s3cret-value"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(home, "okta-scim.secret")); err != nil || strings.TrimSpace(string(b)) != "s3cret-value" {
		t.Errorf("sink not written under $HOME: %q %v", b, err)
	}
}

func allDocs() map[string]fieldDoc {
	m := map[string]fieldDoc{}
	maps.Copy(m, fieldDocs)
	maps.Copy(m, oktaDocs)
	return m
}
