// Package iostreams carries stdin/stdout/stderr and decides colour, TTY and spinners.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// IOStreams: data goes to Out, messages and progress to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorEnabled                   bool
	ci                             bool

	mu      sync.Mutex // serialises drawing on ErrOut
	spinner *Spinner   // the active spinner, if any

	// spinEvery, when set, replaces spinnerInterval (tests draw frames quickly).
	spinEvery time.Duration

	// rawOut and rawErrOut are the streams before MaskWith wrapped them.
	rawOut, rawErrOut io.Writer
}

// MaskWith wraps Out and ErrOut (a redactor that masks every secret of the run). SecretOut and
// SecretErrOut keep the unmasked streams for the one thing that must print a secret: a value
// the user explicitly asked for (`access token`, `--show-secret`).
func (s *IOStreams) MaskWith(wrap func(io.Writer) io.Writer) {
	s.rawOut, s.rawErrOut = s.Out, s.ErrOut
	s.Out, s.ErrOut = wrap(s.Out), wrap(s.ErrOut)
}

// SecretOut is stdout for a secret the user asked to see (unmasked).
func (s *IOStreams) SecretOut() io.Writer {
	if s.rawOut != nil {
		return s.rawOut
	}
	return s.Out
}

// SecretErrOut is stderr for a checklist that shows a secret because the user asked (--show-secret).
func (s *IOStreams) SecretErrOut() io.Writer {
	if s.rawErrOut != nil {
		return s.rawErrOut
	}
	return s.ErrOut
}

// System returns streams bound to the process, with TTY and colour detected.
// NO_COLOR disables colour; CI=true disables colour, spinners and prompts.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.stdinTTY = isTerminal(os.Stdin)
	s.stdoutTTY = isTerminal(os.Stdout)
	s.stderrTTY = isTerminal(os.Stderr)
	s.ci, s.colorEnabled = detectEnv(os.Getenv, s.stdoutTTY)
	return s
}

// detectEnv reads CI and colour from the environment: CI is CI=true (or 1); colour needs a
// terminal, no NO_COLOR (any non-empty value, per no-color.org), not CI and not TERM=dumb.
func detectEnv(getenv func(string) string, stdoutTTY bool) (ci, color bool) {
	switch strings.ToLower(getenv("CI")) {
	case "true", "1", "yes":
		ci = true
	}
	color = stdoutTTY && getenv("NO_COLOR") == "" && !ci && getenv("TERM") != "dumb"
	return ci, color
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams on buffers: no TTY, no colour.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// CanPrompt is true when a person can answer: stdin and stderr are terminals and not in CI.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY && !s.ci }

// ShowProgress is true when spinners/progress bars may be drawn on stderr.
func (s *IOStreams) ShowProgress() bool { return s.stderrTTY && !s.ci }

// Detached returns streams for work that runs beside others (one tenant of a fleet): data to
// out, messages to errOut, no input, no terminal (so no spinner, prompt or colour).
func Detached(out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut}
}
