// Package plan holds the change model every step reports: what plan shows and apply performs.
package plan

import (
	"fmt"
	"strings"
)

// Action is what apply would do to one object.
type Action string

const (
	Create   Action = "create"
	Update   Action = "update"
	Delete   Action = "delete"
	NoOp     Action = "no-op"
	Operator Action = "operator" // a person must act in a console; flowsctl prints the checklist
	// Rotate replaces a credential another system may hold (Okta's SCIM token, a client
	// secret): apply does it only when asked (--rotate), and says what must be re-pasted where.
	Rotate Action = "rotate"
)

// FieldChange is one differing field. Values are display strings; secrets are never put here.
type FieldChange struct {
	Path string `json:"path" yaml:"path"`
	Old  string `json:"old,omitempty" yaml:"old,omitempty"`
	New  string `json:"new,omitempty" yaml:"new,omitempty"`
	// Keep marks a value flowsctl leaves alone (e.g. an admin-added resource access entry), shown for context.
	Keep bool `json:"keep,omitempty" yaml:"keep,omitempty"`
}

// Change is the planned action for one object, found by its natural key.
type Change struct {
	Object string        `json:"object" yaml:"object"` // e.g. `application "ws1-mobile-flows-teams"`
	Action Action        `json:"action" yaml:"action"`
	Fields []FieldChange `json:"fields,omitempty" yaml:"fields,omitempty"`
	Note   string        `json:"note,omitempty" yaml:"note,omitempty"`
}

// Pending reports whether any change needs apply (anything but no-op).
func Pending(cs []Change) bool {
	for _, c := range cs {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// Field returns a FieldChange when old != new, for building diffs tersely.
func Field(path string, old, new any) (FieldChange, bool) {
	o, n := fmt.Sprint(old), fmt.Sprint(new)
	return FieldChange{Path: path, Old: o, New: n}, o != n
}

// Diff collects FieldChanges; Add records only differing pairs.
type Diff []FieldChange

func (d *Diff) Add(path string, old, new any) {
	if fc, ok := Field(path, old, new); ok {
		*d = append(*d, fc)
	}
}

// String renders one change as text, fields indented below it.
func (c Change) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s %s", c.Action, c.Object)
	if c.Note != "" {
		fmt.Fprintf(&b, " (%s)", c.Note)
	}
	for _, f := range c.Fields {
		switch {
		case f.Keep:
			fmt.Fprintf(&b, "\n    = %s: %s (kept)", f.Path, f.Old)
		case f.Old == "":
			fmt.Fprintf(&b, "\n    + %s: %s", f.Path, f.New)
		case f.New == "":
			fmt.Fprintf(&b, "\n    - %s: %s", f.Path, f.Old)
		default:
			fmt.Fprintf(&b, "\n    ~ %s: %s -> %s", f.Path, f.Old, f.New)
		}
	}
	return b.String()
}
