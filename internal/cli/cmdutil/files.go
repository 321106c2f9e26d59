package cmdutil

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// FileFlag is the value of -f: repeatable, each value a config file, a folder of them or a
// glob. File keeps the first value, the one a single-tenant command loads.
type FileFlag struct {
	Flags *GlobalFlags
	set   bool
}

// String is the first -f.
func (v *FileFlag) String() string { return v.Flags.File }

// Type names the value in --help.
func (v *FileFlag) Type() string { return "path" }

// Set records one -f; the first replaces the default.
func (v *FileFlag) Set(s string) error {
	if !v.set {
		v.Flags.Files, v.set = nil, true
		v.Flags.File = s
	}
	v.Flags.Files = append(v.Flags.Files, s)
	return nil
}

// ConfigFiles expands -f into config files, sorted within each value: a folder gives its
// *.yaml and *.yml files (not recursive), a glob its matches. fleet is true when there is
// more than one -f, or one names a folder or a glob: the command then runs once per file.
func ConfigFiles(values []string) (files []string, fleet bool, err error) {
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	fleet = len(values) > 1
	for _, v := range values {
		switch st, statErr := os.Stat(v); {
		case statErr == nil && st.IsDir():
			fleet = true
			var found []string
			for _, pat := range []string{"*.yaml", "*.yml"} {
				m, _ := filepath.Glob(filepath.Join(v, pat))
				found = append(found, m...)
			}
			slices.Sort(found)
			if len(found) == 0 {
				return nil, true, fmt.Errorf("folder %s holds no config file (*.yaml, *.yml): put one file per tenant there, or name files with -f", v)
			}
			for _, p := range found {
				add(p)
			}
		case statErr != nil && strings.ContainsAny(v, "*?["):
			fleet = true
			m, gerr := filepath.Glob(v)
			if gerr != nil {
				return nil, true, fmt.Errorf("-f %s: %v", v, gerr)
			}
			if len(m) == 0 {
				return nil, true, fmt.Errorf("-f %s matches no file", v)
			}
			slices.Sort(m)
			for _, p := range m {
				add(p)
			}
		default:
			add(v)
		}
	}
	return files, fleet, nil
}
