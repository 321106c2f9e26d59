package cmdutil

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestConfigFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.yaml", "a.yml", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "a.yml"), filepath.Join(dir, "b.yaml")
	tests := []struct {
		in    []string
		want  []string
		fleet bool
	}{
		{[]string{b}, []string{b}, false},
		{[]string{dir}, []string{a, b}, true},
		{[]string{filepath.Join(dir, "*.yaml")}, []string{b}, true},
		{[]string{b, a, b}, []string{b, a}, true},
	}
	for _, tt := range tests {
		got, fleet, err := ConfigFiles(tt.in)
		if err != nil || fleet != tt.fleet || !slices.Equal(got, tt.want) {
			t.Errorf("ConfigFiles(%v) = %v, %v, %v; want %v, %v", tt.in, got, fleet, err, tt.want, tt.fleet)
		}
	}
	if _, _, err := ConfigFiles([]string{filepath.Join(dir, "*.json")}); err == nil {
		t.Error("a glob matching nothing is not an error")
	}
	if _, _, err := ConfigFiles([]string{t.TempDir()}); err == nil {
		t.Error("an empty folder is not an error")
	}
}
