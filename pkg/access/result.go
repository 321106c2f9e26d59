package access

import (
	"fmt"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Result is what Ensure did to one object.
type Result struct {
	Object string             `json:"object" yaml:"object"`
	Action plan.Action        `json:"action" yaml:"action"`
	Fields []plan.FieldChange `json:"fields,omitempty" yaml:"fields,omitempty"`
	// ID is the server's id of the object when it has one (directory id).
	ID string `json:"id,omitempty" yaml:"id,omitempty"`
	// SecretSink names where a generated secret was written (never the value).
	SecretSink string `json:"secretSink,omitempty" yaml:"secretSink,omitempty"`
	Note       string `json:"note,omitempty" yaml:"note,omitempty"`
}

// Change is the result as a plan change (for printing with the same renderer).
func (r Result) Change() plan.Change {
	return plan.Change{Object: r.Object, Action: r.Action, Fields: r.Fields, Note: r.Note}
}

// String renders the result like a plan line, in the past tense.
func (r Result) String() string {
	verb := map[plan.Action]string{plan.Create: "created", plan.Update: "updated", plan.Delete: "deleted", plan.NoOp: "unchanged", plan.Operator: "needs an operator"}[r.Action]
	if verb == "" {
		verb = string(r.Action)
	}
	s := r.Change().String()
	s = verb + strings.TrimPrefix(s, fmt.Sprintf("%-8s", r.Action))
	if r.SecretSink != "" {
		s += "\n    secret written to " + r.SecretSink + " (0600)"
	}
	return s
}
