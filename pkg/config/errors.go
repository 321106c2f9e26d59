package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config: where (file:line:col when known, or the
// environment variable that supplied the value), which field, and what is wrong.
type Problem struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Source names the environment variable the value came from, when it did not come from the file.
	Source string `json:"source,omitempty"`
	// Path is the field path, e.g. uem.integrations[0].deviceSyncInterval. For an unknown key it is
	// the path of the mapping that holds the key.
	Path string `json:"path"`
	// Key is set for an unknown key: the key as written.
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
}

// String is one line: "file:line:col: path: message" (or "file:line:col: message" for an unknown key).
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Source != "":
		b.WriteString(p.Source)
		b.WriteString(": ")
	case p.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", p.fileName(), p.Line, p.Column)
	case p.File != "":
		b.WriteString(p.File)
		b.WriteString(": ")
	}
	if p.Key == "" && p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

func (p Problem) fileName() string {
	if p.File == "" {
		return "flowsctl.yaml"
	}
	return p.File
}

// Errors is every problem found in a config. Load, Parse and Validate return it (as *Errors)
// so that `config validate` can list them all, one per line.
type Errors struct {
	Problems []Problem

	tooLarge bool // decoding stopped at the size limit: validation was skipped
}

func (e *Errors) Error() string {
	if e == nil || len(e.Problems) == 0 {
		return "no problems"
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Len is the number of problems (0 for nil).
func (e *Errors) Len() int {
	if e == nil {
		return 0
	}
	return len(e.Problems)
}

// Unwrap lets errors.As find each problem as an error.
func (e *Errors) Unwrap() []error {
	if e == nil {
		return nil
	}
	out := make([]error, len(e.Problems))
	for i := range e.Problems {
		out[i] = problemError{e.Problems[i]}
	}
	return out
}

type problemError struct{ p Problem }

func (pe problemError) Error() string { return pe.p.String() }

func (e *Errors) add(p Problem) { e.Problems = append(e.Problems, p) }

// sort orders problems by position; problems without a line keep their order after the others.
func (e *Errors) sort() {
	sort.SliceStable(e.Problems, func(i, j int) bool {
		a, b := e.Problems[i], e.Problems[j]
		if (a.Line > 0) != (b.Line > 0) {
			return a.Line > 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// orNil returns e as an error, or nil when it holds no problem.
func (e *Errors) orNil() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}
