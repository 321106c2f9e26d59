// Package operator records the console steps a person did for flowsctl where no API exists
// (registering the mobile flows tenant, adding a connector in the UEM console, Okta's
// provisioning settings): which step, for which object, with a fingerprint of the values it
// was done with, and when. Doctor reports such a step as confirmed, never as an observed pass.
package operator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// Confirmation records that an operator completed a console step. It holds no secret.
type Confirmation struct {
	Step        string    `json:"step"`
	Key         string    `json:"key"`
	Fingerprint string    `json:"fingerprint"`
	ConfirmedAt time.Time `json:"confirmedAt"`
	// Values are the non-secret values the operator entered (for lists such as `uem connector list`).
	Values map[string]string `json:"values,omitempty"`
}

// Store keeps confirmations in a small JSON file (.flowsctl/operator-steps.json next to
// the config), mode 0600. It is a record for reports, never the source of truth.
type Store struct {
	Path string
	mu   sync.Mutex
}

// PathFor is the store next to a config file.
func PathFor(configPath string) string { return config.StatePath(configPath, "operator-steps.json") }

type storeFile struct {
	Version       int            `json:"version"`
	Confirmations []Confirmation `json:"confirmations"`
}

func (s *Store) load() (storeFile, error) {
	var f storeFile
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return storeFile{Version: 1}, nil
	}
	if err != nil {
		return f, fmt.Errorf("operator step record %s: %w", s.Path, err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("operator step record %s is not valid JSON (delete it and confirm the steps again): %w", s.Path, err)
	}
	return f, nil
}

// Get returns the confirmation of step/key, if any.
func (s *Store) Get(step, key string) (Confirmation, bool, error) {
	if s == nil {
		return Confirmation{}, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.load()
	if err != nil {
		return Confirmation{}, false, err
	}
	for _, c := range f.Confirmations {
		if c.Step == step && strings.EqualFold(c.Key, key) {
			return c, true, nil
		}
	}
	return Confirmation{}, false, nil
}

// All returns every confirmation of a step.
func (s *Store) All(step string) ([]Confirmation, error) {
	if s == nil {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.load()
	if err != nil {
		return nil, err
	}
	var out []Confirmation
	for _, c := range f.Confirmations {
		if c.Step == step {
			out = append(out, c)
		}
	}
	return out, nil
}

// Record stores (or replaces) a confirmation.
func (s *Store) Record(c Confirmation) error {
	if s == nil {
		return errors.New("no place to record the confirmation (no config path)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.load()
	if err != nil {
		return err
	}
	out := f.Confirmations[:0]
	for _, x := range f.Confirmations {
		if !(x.Step == c.Step && strings.EqualFold(x.Key, c.Key)) {
			out = append(out, x)
		}
	}
	f.Confirmations = append(out, c)
	f.Version = 1
	sort.Slice(f.Confirmations, func(i, j int) bool {
		if f.Confirmations[i].Step != f.Confirmations[j].Step {
			return f.Confirmations[i].Step < f.Confirmations[j].Step
		}
		return f.Confirmations[i].Key < f.Confirmations[j].Key
	})
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(s.Path, append(b, '\n'), 0o600)
}
