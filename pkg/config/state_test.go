package config

import (
	"os"
	"path/filepath"
	"testing"
)

// Each config of a folder keeps its own records; flowsctl.yaml keeps the folder's, and a
// record from before the per-config scheme stays with a config alone in its folder.
func TestStatePath(t *testing.T) {
	const name = "operator-steps.json"
	for _, tt := range []struct {
		test    string
		configs []string // files in the folder; the first is the one asked about
		records []string // records present, relative to the folder
		want    string   // relative to the folder
	}{
		{"the default config", []string{"flowsctl.yaml", "acme.yaml"}, nil, ".flowsctl/" + name},
		{"a tenant of a fleet folder", []string{"acme.yaml", "globex.yaml"}, nil, ".flowsctl/acme/" + name},
		{"a .yml tenant", []string{"globex.yml", "acme.yaml"}, nil, ".flowsctl/globex/" + name},
		{"alone, no record yet", []string{"prod.yaml"}, nil, ".flowsctl/prod/" + name},
		{"alone, with an older record", []string{"prod.yaml"}, []string{".flowsctl/" + name}, ".flowsctl/" + name},
		{"alone, with both records", []string{"prod.yaml"}, []string{".flowsctl/" + name, ".flowsctl/prod/" + name}, ".flowsctl/prod/" + name},
		{"not alone, with an older record", []string{"acme.yaml", "globex.yaml"}, []string{".flowsctl/" + name}, ".flowsctl/acme/" + name},
	} {
		t.Run(tt.test, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range append(append([]string(nil), tt.configs...), tt.records...) {
				p := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got := StatePath(filepath.Join(dir, tt.configs[0]), name)
			if want := filepath.Join(dir, filepath.FromSlash(tt.want)); got != want {
				t.Errorf("StatePath = %s, want %s", got, want)
			}
		})
	}
	if got := StatePath("", name); got != filepath.Join(".flowsctl", name) {
		t.Errorf("in memory: %s", got)
	}
}
