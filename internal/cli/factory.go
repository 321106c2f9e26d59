package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// NewFactory wires the real dependencies. Each is built on first use, once.
func NewFactory(io *iostreams.IOStreams, build cmdutil.BuildInfo) *cmdutil.Factory {
	f := &cmdutil.Factory{IO: io, Build: build, Flags: &cmdutil.GlobalFlags{}}

	var cfgOnce sync.Once
	var cfg *config.Config
	var cfgErr error
	// Precedence: flags > FLOWSCTL_* environment > file. The root applies the environment to
	// flags that were not given (FLOWSCTL_CA_FILE arrives as --ca-file); config.Load applies the
	// FLOWSCTL_* overrides of file keys.
	f.Config = func() (*config.Config, error) {
		cfgOnce.Do(func() {
			cfg, cfgErr = config.Load(f.Flags.File)
			if cfg == nil {
				return
			}
			switch {
			case f.Flags.CAFile != "":
				cfg.CAFile = f.Flags.CAFile
			case cfg.CAFile == "":
				cfg.CAFile = sandboxCA(f.Flags.File)
			}
		})
		return cfg, cfgErr
	}

	f.HTTPOptions = func() httpx.Options {
		o := httpx.Options{UserAgent: "flowsctl/" + build.Version, CAFile: f.Flags.CAFile}
		if f.Flags.Debug {
			o.Debug = io.ErrOut
		}
		return o
	}

	var hcOnce sync.Once
	var hc *httpx.Client
	var hcErr error
	f.HTTPClient = func() (*httpx.Client, error) {
		hcOnce.Do(func() {
			o := f.HTTPOptions()
			if o.CAFile == "" {
				if c, err := f.Config(); err == nil && c != nil {
					o.CAFile = c.CAFile
				} else {
					o.CAFile = sandboxCA(f.Flags.File)
				}
			}
			hc, hcErr = httpx.New(o)
		})
		return hc, hcErr
	}

	f.Prompter = func() prompt.Prompter {
		if f.Flags.NoInput || !io.CanPrompt() {
			return prompt.NoInput{Reason: "no terminal for input (or --no-input / CI=true)"}
		}
		return prompt.NewSurvey(io.In, os.Stdout, io.ErrOut)
	}
	return f
}

// sandboxCA is the CA of a sandbox whose directory holds the config file: `flowsctl sandbox up`
// writes flowsctl.yaml next to sandbox.json, so `-f sandbox/flowsctl.yaml` works without --ca-file.
// It returns "" when there is no such sandbox.
func sandboxCA(configPath string) string {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(configPath), "sandbox.json"))
	if err != nil {
		return ""
	}
	var meta struct {
		CA string `json:"ca"`
	}
	if json.Unmarshal(b, &meta) != nil || meta.CA == "" {
		return ""
	}
	if _, err := os.Stat(meta.CA); err != nil {
		return ""
	}
	return meta.CA
}
