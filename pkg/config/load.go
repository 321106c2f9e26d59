package config

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Load reads and decodes path, applies defaults and FLOWSCTL_* overrides, and validates.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w (create one with: flowsctl init)", err)
	}
	c, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes a document; name is used in error positions.
func Parse(name string, b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	c.Path = name
	ApplyDefaults(&c)
	return &c, nil
}

// ApplyDefaults fills unset values with the seed defaults.
func ApplyDefaults(c *Config) {
	if c.APIVersion == "" {
		c.APIVersion = "flowsctl/v1"
	}
}
