// Package object is the one contract every object flowsctl manages implements: the Entra app
// and its secret, the Access template, OAuth clients and directory, the Identity Services
// directory, SCIM token and identity provider, the UEM Boxer settings, mobile flows tenant,
// connectors and integrations, and the Okta apps.
//
// An Object is built for one config by its service package, found by its natural key, and
// driven by one runner (pkg/setup) whether a noun command or plan/apply/doctor runs it, so a
// noun's verify and doctor can never disagree.
package object

import (
	"context"
	"fmt"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Object is one managed object (or a small family that converges together).
type Object interface {
	// Plan looks the object up by its natural key and reports what Apply would change. It never
	// writes and never puts a secret value in a change.
	Plan(ctx context.Context) ([]plan.Change, error)
	// Apply converges the object: look up, diff, create or patch. Running it again writes
	// nothing. An object whose console work has no API returns a Result with Operator set.
	Apply(ctx context.Context) (Result, error)
	// Verify returns the object's doctor checks, each failing one with its fix.
	Verify(ctx context.Context) []doctor.Check
}

// Result is what Apply did to one object.
type Result struct {
	// Object names the object as plan lines do ("oauth2client OktaSCIM").
	Object string `json:"object" yaml:"object"`
	// Kind and Key are the object's type and natural key; ID is the service's id when known.
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty"`
	Key  string `json:"key,omitempty" yaml:"key,omitempty"`
	ID   string `json:"id,omitempty" yaml:"id,omitempty"`

	Action plan.Action        `json:"action" yaml:"action"`
	Fields []plan.FieldChange `json:"fields,omitempty" yaml:"fields,omitempty"`
	// SecretSink names where a generated secret was written (never the value).
	SecretSink string `json:"secretSink,omitempty" yaml:"secretSink,omitempty"`
	Note       string `json:"note,omitempty" yaml:"note,omitempty"`
	// Operator, when set, is the checklist a person must follow before the object is done.
	Operator string `json:"operator,omitempty" yaml:"operator,omitempty"`
	// Changes holds further changes made by a family object (one per member), beyond Action.
	Changes []plan.Change `json:"changes,omitempty" yaml:"changes,omitempty"`
}

// Change is the result as a plan change (for printing with the same renderer).
func (r Result) Change() plan.Change {
	return plan.Change{Object: r.Object, Action: r.Action, Fields: r.Fields, Note: r.Note}
}

// AllChanges is every change the result records that did something: its own and its members'.
func (r Result) AllChanges() []plan.Change {
	var out []plan.Change
	for _, c := range append([]plan.Change{r.Change()}, r.Changes...) {
		if c.Action != plan.NoOp && c.Action != "" {
			out = append(out, c)
		}
	}
	return out
}

// Wrote reports whether Apply changed anything.
func (r Result) Wrote() bool { return len(r.AllChanges()) > 0 && r.Action != plan.Operator }

// String renders the result like a plan line, in the past tense.
func (r Result) String() string {
	verb := map[plan.Action]string{plan.Create: "created", plan.Update: "updated", plan.Delete: "deleted", plan.NoOp: "unchanged", plan.Operator: "needs an operator", plan.Rotate: "rotated"}[r.Action]
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
