// Package setup is the end-to-end step graph behind plan, apply and doctor: every object flowsctl
// manages is one Step with Plan (read-only), Apply (idempotent, by natural key) and Verify. Steps
// declare what they need; the engine runs independent steps concurrently and passes typed outputs
// (the Entra client id, where its secret went, the Access URL) from a step to its dependants.
package setup

import (
	"context"
	"errors"
	"sync"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Step is one object (or a small family of objects) flowsctl converges.
type Step interface {
	// ID is the stable name used by --only, in reports and in dependencies ("azure.app").
	ID() string
	// Needs lists the IDs whose outputs this step reads. Unknown IDs are ignored, so a step
	// whose dependency is not registered (its package is absent) still runs.
	Needs() []string
	// Plan looks up the step's objects and reports what Apply would change. It never writes.
	// It records what it learned (e.g. an existing app's client id) in out, so dependants can
	// plan precisely and `apply --only` can read a dependency's outputs without applying it.
	Plan(ctx context.Context, out *Outputs) ([]plan.Change, error)
	// Apply converges the step's objects and records its outputs. Re-running it is safe.
	Apply(ctx context.Context, out *Outputs) (Applied, error)
	// Verify checks the step's objects as doctor does; outputs of dependencies are available
	// when the engine verified them first (they may be empty: Verify must cope).
	Verify(ctx context.Context, out *Outputs) []doctor.Check
}

// Skipper is implemented by steps that may be inactive for a config (their section is absent,
// or a feature is switched off). A non-empty reason skips the step in every mode.
type Skipper interface {
	SkipReason() string
}

// ReadAheader is implemented by steps whose look-ups need only some of their dependencies,
// ReadAfter (each a dependency, direct or not); the rest are needed by their writes. In apply
// the engine runs ReadAhead as soon as ReadAfter have finished (none failed, cancelled or
// waiting for an operator), while the step still waits for its other needs, so the step's
// reads leave apply's longest chain of dependent requests; Apply then uses what was read
// instead of asking again. ReadAhead must not read the outputs of needs outside ReadAfter.
// Its requests count as the step's.
type ReadAheader interface {
	ReadAfter() []string
	ReadAhead(ctx context.Context, out *Outputs)
}

// Applied is what Apply reports.
type Applied struct {
	// Objects are the objects the step manages, with their ids.
	Objects []Object
	// Changes are the changes Apply made (create/update/...); empty when nothing was written.
	Changes []plan.Change
	// Operator, when set, means a person must act before the step is done: it is the
	// checklist (already printed or to be printed) and the step's status is "operator".
	Operator string
}

// Object names one managed object by its natural key and, when known, the service's id.
type Object struct {
	Kind string `json:"kind" yaml:"kind"`
	Key  string `json:"key" yaml:"key"`
	ID   string `json:"id,omitempty" yaml:"id,omitempty"`
}

// Fixer is implemented by errors that know the exact command or console path that fixes them.
type Fixer interface {
	Fix() string
}

// StepError is a failure of one step's object, with the fix to show the user.
type StepError struct {
	Object string
	Err    error
	FixMsg string
}

func (e *StepError) Error() string {
	if e.Object == "" {
		return e.Err.Error()
	}
	return e.Object + ": " + e.Err.Error()
}
func (e *StepError) Unwrap() error { return e.Err }
func (e *StepError) Fix() string   { return e.FixMsg }

// Errorf wraps err for object with a fix.
func Errorf(object string, err error, fix string) error {
	return &StepError{Object: object, Err: err, FixMsg: fix}
}

// FixOf returns the fix an error carries (anywhere in its chain), or "".
func FixOf(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if f, ok := e.(Fixer); ok && f.Fix() != "" {
			return f.Fix()
		}
	}
	return ""
}

// Values are the typed outputs steps hand to each other. A zero field means "not known yet".
type Values struct {
	Azure struct {
		TenantID string
		// ClientID is the Entra application (client) id of the Teams app.
		ClientID string
		// ObjectID is the application object id.
		ObjectID string
		// SecretSink is where the app's client secret value was written (never the value).
		SecretSink config.SecretRef
		// Authority is the sign-in authority (https://login.microsoftonline.com unless overridden).
		Authority string
	}
	Access struct {
		URL          string
		TemplateID   string
		SCIMClientID string
		SCIMSink     config.SecretRef
		DirectoryID  string
	}
	Identity struct {
		DirectoryID string
		SCIMURL     string
		TokenSink   config.SecretRef
		IdPID       string
	}
	UEM struct {
		Version string
	}
	Okta struct {
		SCIMAppID string
		// OIDCClientID and Issuer are what the Identity Services IdP uses.
		OIDCClientID string
		Issuer       string
	}
	MobileFlows struct {
		TenantRegistered bool
	}
}

// Outputs is the concurrency-safe holder of Values shared by one run.
type Outputs struct {
	mu sync.RWMutex
	v  Values
}

// NewOutputs seeds outputs that the config alone determines.
func NewOutputs(cfg *config.Config) *Outputs {
	o := &Outputs{}
	if cfg == nil {
		return o
	}
	if cfg.Access != nil {
		o.v.Access.URL = string(cfg.Access.URL)
		o.v.Access.TemplateID = cfg.Access.MobileFlowsTemplate.TemplateID
	}
	if cfg.Azure != nil {
		o.v.Azure.TenantID = cfg.Azure.TenantID
		o.v.Azure.SecretSink = cfg.Azure.App.Secret.Sink
		o.v.Azure.Authority = cfg.Azure.Authority
		if o.v.Azure.Authority == "" {
			o.v.Azure.Authority = "https://login.microsoftonline.com"
		}
	}
	return o
}

// Get returns a copy of the current values.
func (o *Outputs) Get() Values {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.v
}

// Set changes values under the lock.
func (o *Outputs) Set(fn func(v *Values)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fn(&o.v)
}
