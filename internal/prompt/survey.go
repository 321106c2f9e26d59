package prompt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/term"
)

// Survey asks through survey/v2 on a terminal. When it was built without one it never starts
// survey (which would read the process's stdin behind the caller's back); every question then
// fails like NoInput, naming the flag to use.
type Survey struct {
	stdio    survey.AskOpt
	fallback *NoInput // set when there is no terminal to ask on
}

// NewSurvey binds survey to the given streams. in must be a terminal, and so must errOut (where
// questions are drawn, keeping stdout for data) or, failing that, out. Otherwise the returned
// Survey answers every question with the NoInput error. out may be nil.
func NewSurvey(in io.Reader, out *os.File, errOut io.Writer) *Survey {
	fin, ok := in.(terminal.FileReader)
	if !ok || !isTerminal(fin) {
		return noTTY()
	}
	if fw, ok := errOut.(terminal.FileWriter); ok && isTerminal(fw) {
		return &Survey{stdio: survey.WithStdio(fin, fw, errOut)}
	}
	if out != nil && isTerminal(out) {
		return &Survey{stdio: survey.WithStdio(fin, out, errOut)}
	}
	return noTTY()
}

// NewSurveyStdio binds survey to explicit terminal streams (a pty in tests); it is an error
// when in or out is not a terminal.
func NewSurveyStdio(in terminal.FileReader, out terminal.FileWriter, errOut io.Writer) (*Survey, error) {
	if !isTerminal(in) || !isTerminal(out) {
		return nil, errNoTTY
	}
	return &Survey{stdio: survey.WithStdio(in, out, errOut)}, nil
}

func noTTY() *Survey {
	return &Survey{fallback: &NoInput{Reason: "no terminal for input"}}
}

// Interactive reports whether questions reach a person.
func (s *Survey) Interactive() bool { return s.fallback == nil }

type fdHolder interface{ Fd() uintptr }

func isTerminal(f fdHolder) bool {
	if f == nil {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

var errNoTTY = errors.New("prompt needs a terminal on stdin and stderr")

// ask runs one survey question; an interrupt (Ctrl-C) is reported as such.
func (s *Survey) ask(p survey.Prompt, v any, message string, opts ...survey.AskOpt) error {
	err := survey.AskOne(p, v, append([]survey.AskOpt{s.stdio}, opts...)...)
	if errors.Is(err, terminal.InterruptErr) {
		return fmt.Errorf("%q: %w", message, err)
	}
	if err != nil {
		return fmt.Errorf("asking %q: %w", message, err)
	}
	return nil
}

func (s *Survey) Input(m, def, flag string, validate func(string) error) (string, error) {
	if s.fallback != nil {
		return s.fallback.Input(m, def, flag, validate)
	}
	var v string
	var opts []survey.AskOpt
	if validate != nil {
		opts = append(opts, survey.WithValidator(func(a any) error {
			str, _ := a.(string)
			return validate(str)
		}))
	}
	err := s.ask(&survey.Input{Message: m, Default: def}, &v, m, opts...)
	return v, err
}

func (s *Survey) Password(m, flag string) (string, error) {
	if s.fallback != nil {
		return s.fallback.Password(m, flag)
	}
	var v string
	err := s.ask(&survey.Password{Message: m}, &v, m)
	return v, err
}

func (s *Survey) Select(m string, options []string, def, flag string) (string, error) {
	if s.fallback != nil {
		return s.fallback.Select(m, options, def, flag)
	}
	if len(options) == 0 {
		return "", fmt.Errorf("asking %q: no options to choose from", m)
	}
	var v string
	q := &survey.Select{Message: m, Options: options}
	if def != "" && slices.Contains(options, def) {
		q.Default = def
	}
	err := s.ask(q, &v, m)
	return v, err
}

func (s *Survey) MultiSelect(m string, options, defs []string, flag string) ([]string, error) {
	if s.fallback != nil {
		return s.fallback.MultiSelect(m, options, defs, flag)
	}
	if len(options) == 0 {
		return nil, fmt.Errorf("asking %q: no options to choose from", m)
	}
	var v []string
	q := &survey.MultiSelect{Message: m, Options: options}
	var valid []string
	for _, d := range defs {
		if slices.Contains(options, d) {
			valid = append(valid, d)
		}
	}
	if len(valid) > 0 {
		q.Default = valid
	}
	err := s.ask(q, &v, m)
	return v, err
}

func (s *Survey) Confirm(m string, def bool, flag string) (bool, error) {
	if s.fallback != nil {
		return s.fallback.Confirm(m, def, flag)
	}
	var v bool
	err := s.ask(&survey.Confirm{Message: m, Default: def}, &v, m)
	return v, err
}
