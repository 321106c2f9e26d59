package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/flowsctl/flowsctl/internal/safefile"
)

// StatePath is the file name of flowsctl's own records for the config at configPath: the
// .flowsctl folder next to it (the working folder for a config built in memory).
func StatePath(configPath, name string) string {
	dir := "."
	if configPath != "" {
		dir = filepath.Dir(configPath)
	}
	return filepath.Join(dir, ".flowsctl", name)
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
