package prompt

import (
	"errors"
	"io"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// Survey asks through survey/v2. Only build it when stdin and stderr are terminals.
type Survey struct {
	stdio survey.AskOpt
}

// NewSurvey binds survey to the given streams; in must be a terminal file in production.
func NewSurvey(in io.Reader, out *os.File, errOut io.Writer) *Survey {
	fin, _ := in.(terminal.FileReader)
	fout, _ := errOut.(terminal.FileWriter)
	if fin == nil || fout == nil {
		return &Survey{}
	}
	return &Survey{stdio: survey.WithStdio(fin, fout, errOut)}
}

func (s *Survey) opts() []survey.AskOpt {
	if s.stdio == nil {
		return nil
	}
	return []survey.AskOpt{s.stdio}
}

var errNoTTY = errors.New("prompt needs a terminal")

func (s *Survey) Input(m, def, _ string, validate func(string) error) (string, error) {
	var v string
	opts := s.opts()
	if validate != nil {
		opts = append(opts, survey.WithValidator(func(a any) error { return validate(a.(string)) }))
	}
	err := survey.AskOne(&survey.Input{Message: m, Default: def}, &v, opts...)
	return v, err
}

func (s *Survey) Password(m, _ string) (string, error) {
	var v string
	err := survey.AskOne(&survey.Password{Message: m}, &v, s.opts()...)
	return v, err
}

func (s *Survey) Select(m string, options []string, def, _ string) (string, error) {
	var v string
	q := &survey.Select{Message: m, Options: options}
	if def != "" {
		q.Default = def
	}
	err := survey.AskOne(q, &v, s.opts()...)
	return v, err
}

func (s *Survey) MultiSelect(m string, options, defs []string, _ string) ([]string, error) {
	var v []string
	q := &survey.MultiSelect{Message: m, Options: options}
	if len(defs) > 0 {
		q.Default = defs
	}
	err := survey.AskOne(q, &v, s.opts()...)
	return v, err
}

func (s *Survey) Confirm(m string, def bool, _ string) (bool, error) {
	var v bool
	err := survey.AskOne(&survey.Confirm{Message: m, Default: def}, &v, s.opts()...)
	return v, err
}
