package cli

import (
	"os"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// NewFactory wires the real dependencies. Each is built on first use.
func NewFactory(io *iostreams.IOStreams, build cmdutil.BuildInfo) *cmdutil.Factory {
	f := &cmdutil.Factory{IO: io, Build: build, Flags: &cmdutil.GlobalFlags{}}
	var cfg *config.Config
	var cfgErr error
	f.Config = func() (*config.Config, error) {
		if cfg == nil && cfgErr == nil {
			cfg, cfgErr = config.Load(f.Flags.File)
			if cfg != nil && cfg.CAFile == "" {
				cfg.CAFile = f.Flags.CAFile
			}
		}
		return cfg, cfgErr
	}
	var hc *httpx.Client
	f.HTTPClient = func() (*httpx.Client, error) {
		if hc != nil {
			return hc, nil
		}
		o := httpx.Options{UserAgent: "flowsctl/" + build.Version, CAFile: f.Flags.CAFile}
		if o.CAFile == "" {
			if c, err := f.Config(); err == nil && c.CAFile != "" {
				o.CAFile = c.CAFile
			}
		}
		if f.Flags.Debug {
			o.Debug = io.ErrOut
		}
		var err error
		hc, err = httpx.New(o)
		return hc, err
	}
	f.Prompter = func() prompt.Prompter {
		if f.Flags.NoInput || !io.CanPrompt() {
			return prompt.NoInput{Reason: "no terminal for input (or --no-input / CI=true)"}
		}
		return prompt.NewSurvey(io.In, os.Stdout, io.ErrOut)
	}
	return f
}
