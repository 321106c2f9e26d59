// Package prompt keeps questions out of command logic: a Prompter interface, a survey/v2
// implementation for terminals and a non-interactive one that names the flag to use instead.
package prompt

import "fmt"

// Prompter asks the user. Each method's flag argument names the flag or env var that
// answers the question without a prompt (used by the non-interactive implementation).
type Prompter interface {
	Input(message, def, flag string, validate func(string) error) (string, error)
	Password(message, flag string) (string, error)
	Select(message string, options []string, def, flag string) (string, error)
	MultiSelect(message string, options, defs []string, flag string) ([]string, error)
	Confirm(message string, def bool, flag string) (bool, error)
}

// NoInput answers nothing: every question is an error naming what to set instead.
type NoInput struct{ Reason string }

func (n NoInput) err(message, flag string) error {
	why := n.Reason
	if why == "" {
		why = "input is disabled"
	}
	if flag == "" {
		return fmt.Errorf("%s: cannot ask %q; give the value with a flag or environment variable instead (see --help)", why, message)
	}
	return fmt.Errorf("%s: cannot ask %q; set %s instead", why, message, flag)
}

func (n NoInput) Input(m, _, flag string, _ func(string) error) (string, error) {
	return "", n.err(m, flag)
}
func (n NoInput) Password(m, flag string) (string, error) { return "", n.err(m, flag) }
func (n NoInput) Select(m string, _ []string, _, flag string) (string, error) {
	return "", n.err(m, flag)
}
func (n NoInput) MultiSelect(m string, _, _ []string, flag string) ([]string, error) {
	return nil, n.err(m, flag)
}
func (n NoInput) Confirm(m string, _ bool, flag string) (bool, error) { return false, n.err(m, flag) }
