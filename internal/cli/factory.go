package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/internal/safefile"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// NewFactory wires the real dependencies. Each is built on first use, once.
func NewFactory(io *iostreams.IOStreams, build cmdutil.BuildInfo) *cmdutil.Factory {
	return newFactory(io, build, nil)
}

// newFactory is NewFactory with the config already loaded (a fleet's tenant), or nil.
func newFactory(io *iostreams.IOStreams, build cmdutil.BuildInfo, loaded *config.Config) *cmdutil.Factory {
	f := &cmdutil.Factory{IO: io, Build: build, Flags: &cmdutil.GlobalFlags{}}
	// One redactor for the run: the config registers every secret it resolves, the HTTP client
	// every credential it sends or receives, and Execute masks output and errors with it.
	redactor := &httpx.Redactor{}
	f.Redactor = redactor

	var cfgOnce sync.Once
	var cfg *config.Config
	var cfgErr error
	// Precedence: flags > FLOWSCTL_* environment > file. The root applies the environment to
	// flags that were not given (FLOWSCTL_CA_FILE arrives as --ca-file); config.Load applies the
	// FLOWSCTL_* overrides of file keys.
	f.Config = func() (*config.Config, error) {
		cfgOnce.Do(func() {
			if cfg = loaded; cfg == nil {
				cfg, cfgErr = config.Load(f.Flags.File)
			}
			if cfg == nil {
				return
			}
			if f.Flags.CAFile != "" {
				cfg.CAFile = f.Flags.CAFile
			}
			// Every secret the config resolves is masked in output, errors and traces.
			cfg.OnSecret = redactor.Add
		})
		return cfg, cfgErr
	}

	// The sandbox CA: trusted for loopback hosts only, and only for a config written by
	// `sandbox up` (its sandbox: id matches the sandbox.json beside it); said once on stderr.
	var sbOnce sync.Once
	var sbCA []byte
	sandboxPEM := func() []byte {
		sbOnce.Do(func() {
			c, err := f.Config()
			if err != nil || c == nil || f.Flags.CAFile != "" {
				return
			}
			if path, pem := sandboxCA(f.Flags.File, c.Sandbox); pem != nil {
				sbCA = pem
				fmt.Fprintf(io.ErrOut, "flowsctl: trusting the sandbox CA %s for loopback hosts only (sandbox.json next to the config)\n", path)
			}
		})
		return sbCA
	}

	f.HTTPOptions = func() httpx.Options {
		o := httpx.Options{UserAgent: "flowsctl/" + build.Version, CAFile: f.Flags.CAFile, Redactor: redactor,
			Notices: io.Messages(io.ErrOut), LoopbackCAPEM: sandboxPEM()}
		if f.Flags.Debug {
			o.Debug = io.Messages(io.ErrOut)
		}
		return o
	}

	var hcOnce sync.Once
	var hc *httpx.Client
	var hcErr error
	f.HTTPClient = func() (*httpx.Client, error) {
		hcOnce.Do(func() {
			hc, hcErr = httpx.New(f.HTTPOptions())
		})
		return hc, hcErr
	}

	f.Prompter = func() prompt.Prompter {
		if f.Flags.NoInput || !io.CanPrompt() {
			return prompt.NoInput{Reason: "no terminal for input (or --no-input / CI=true)"}
		}
		return prompt.NewSurvey(io.In, os.Stdout, io.ErrOut)
	}
	f.ForFile = func(file string, loaded *config.Config, tio *iostreams.IOStreams) *cmdutil.Factory {
		tf := newFactory(tio, build, loaded)
		flags := *f.Flags
		flags.File, flags.Files = file, []string{file}
		tf.Flags = &flags
		tio.MaskWith(tf.Redactor.Writer) // this tenant's secrets, masked in what it prints
		return tf
	}
	return f
}

// sandboxCA is the CA of the sandbox whose directory holds the config file, when the config
// is bound to it (its sandbox: id is the id in sandbox.json) and ca.pem lies in that directory:
// its path and PEM, or "" and nil.
func sandboxCA(configPath, id string) (string, []byte) {
	if id == "" {
		return "", nil
	}
	dir := filepath.Dir(configPath)
	meta, err := sandbox.ReadMeta(dir)
	if err != nil || meta.ID != id || meta.CA == "" {
		return "", nil
	}
	if abs, err := filepath.Abs(dir); err != nil || filepath.Dir(meta.CA) != abs {
		return "", nil
	}
	pem, err := safefile.Read(meta.CA, safefile.MaxCA)
	if err != nil {
		return "", nil
	}
	return meta.CA, pem
}
