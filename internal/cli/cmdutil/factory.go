// Package cmdutil holds what every command needs: the Factory, output formatting and exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// GlobalFlags are the persistent flags of the root command.
type GlobalFlags struct {
	File string
	// Files is every -f given (File is the first); see ConfigFiles.
	Files   []string
	Output  string // text | json | yaml (| junit for commands that print checks)
	NoInput bool
	Debug   bool
	Timeout time.Duration
	CAFile  string
}

// Factory hands commands their dependencies lazily, so tests can swap any of them.
type Factory struct {
	IO    *iostreams.IOStreams
	Build BuildInfo
	Flags *GlobalFlags
	// Config loads the file named by -f (env FLOWSCTL_FILE), with FLOWSCTL_* overrides.
	Config func() (*config.Config, error)
	// HTTPClient is the one HTTP stack, with --ca-file, the config's CA and --debug applied.
	HTTPClient func() (*httpx.Client, error)
	// HTTPOptions are the options of that stack from the global flags (user agent, --ca-file,
	// --debug), for code that builds a second client (a dedicated CA, the demo's sandbox).
	HTTPOptions func() httpx.Options
	// Redactor masks every secret the run resolved or received, in output, errors and traces.
	Redactor *httpx.Redactor
	// Prompter asks questions; it fails naming the flag to use when input is not possible.
	Prompter func() prompt.Prompter
	// ForFile is a new, independent Factory for one tenant of a fleet: the same global flags
	// but config file, with its own config, HTTP client, redactor and streams. loaded is the
	// file's config when the fleet has loaded it already (nil: loaded on first use).
	ForFile func(file string, loaded *config.Config, io *iostreams.IOStreams) *Factory
}

// Exit codes (docs/exit-codes.md).
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitPending  = 2 // plan has pending changes / doctor found failures
	ExitOperator = 3 // an operator step is pending
	ExitAuth     = 4 // authentication missing or rejected
)

// ExitError carries an exit code other than 1. Err may be nil when the output already said everything.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Exit wraps err with code.
func Exit(code int, err error) error { return &ExitError{Code: code, Err: err} }

// Silent is an exit with a code and nothing more to print.
func Silent(code int) error { return &ExitError{Code: code} }

// CodeOf maps an error to the process exit code: the code an ExitError carries, 4 for an
// authentication or authorization failure (httpx.IsAuth) — the one place that mapping lives —
// else 1.
func CodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if httpx.IsAuth(err) {
		return ExitAuth
	}
	return ExitFailure
}
