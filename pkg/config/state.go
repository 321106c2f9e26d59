package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowsctl/flowsctl/internal/safefile"
)

// DefaultFile is the config file flowsctl reads when -f is not given.
const DefaultFile = "flowsctl.yaml"

// StatePath is the file name of flowsctl's own records for the config at configPath, in the
// .flowsctl folder next to it (the working folder for a config built in memory):
// .flowsctl/NAME for flowsctl.yaml, .flowsctl/STEM/NAME for any other file, so the tenants of a
// fleet folder (tenants/acme.yaml, tenants/globex.yaml) never read or overwrite each other's
// confirmations and rotation progress. A record written at .flowsctl/NAME before this scheme
// still belongs to a config that is alone in its folder and has no record of its own yet.
func StatePath(configPath, name string) string {
	if configPath == "" {
		return filepath.Join(".", ".flowsctl", name)
	}
	dir, base := filepath.Split(configPath)
	shared := filepath.Join(dir, ".flowsctl", name)
	if base == DefaultFile {
		return shared
	}
	own := filepath.Join(dir, ".flowsctl", strings.TrimSuffix(base, filepath.Ext(base)), name)
	if _, err := os.Lstat(own); err != nil && aloneWithRecord(dir, base, shared) {
		return shared
	}
	return own
}

// aloneWithRecord: the folder's only config is base, and a record exists at the shared path.
func aloneWithRecord(dir, base, shared string) bool {
	if _, err := os.Lstat(shared); err != nil {
		return false
	}
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, f := range m {
			if filepath.Base(f) != base {
				return false
			}
		}
	}
	return true
}

// ReadState decodes the JSON record at path into v; false (and no error) when there is none.
// Records hold no secrets, so the cap is the secret one.
func ReadState(path string, v any) (bool, error) {
	b, err := safefile.Read(path, safefile.MaxSecret)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// WriteState writes v as the JSON record at path (0600, atomically).
func WriteState(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'), 0o600)
}
