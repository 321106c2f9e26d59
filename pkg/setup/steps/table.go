package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// Row is one step of the graph as data: the objects of one family, what they need, and how
// their results reach the steps that depend on them. The service packages build the objects;
// this package only wires them, so a noun command and plan/apply/doctor run the same code.
type Row struct {
	ID    string
	Needs []string
	// Skip says why the step is inactive for this config ("" when it runs).
	Skip func(cfg *config.Config) string
	// Objects builds the step's objects from the config and the values its needs recorded.
	// It is called once per run, when the step first runs (its needs have run by then).
	Objects func(d Deps, v setup.Values) ([]object.Object, error)
	// Record copies what the objects learned (ids, where a secret went) into the values
	// dependants read. results is nil after Plan (the objects have only looked up).
	Record func(v *setup.Values, objs []object.Object, results []object.Result)
	// Fix is shown when the objects cannot be built (a missing secret, a rejected sign-in).
	Fix string
	// VerifyAfterNeeds makes doctor verify this step after its needs (it reads their outputs).
	VerifyAfterNeeds bool
	// Independent, when it says so for the config, lets plan and apply run the step's objects
	// at the same time: none reads another's result and none asks the operator anything.
	Independent func(cfg *config.Config) bool
}

// skipUnless is a row's Skip: base's reason (its service's section is absent), else why when has
// says the config lacks what the row itself needs.
func skipUnless(base func(*config.Config) string, has func(*config.Config) bool, why string) func(*config.Config) string {
	return func(cfg *config.Config) string {
		if s := base(cfg); s != "" {
			return s
		}
		if !has(cfg) {
			return why
		}
		return ""
	}
}

// rowStep runs a Row's objects as a setup.Step.
type rowStep struct {
	row  Row
	d    Deps
	skip string

	// The objects are built once per mode: a graph that runs plan, then apply (the demo) must not
	// apply objects built for plan (the connectors' placeholder client id).
	mu   sync.Mutex
	mode setup.Mode
	objs []object.Object
	err  error
}

func newRowStep(r Row, d Deps) *rowStep {
	s := &rowStep{row: r, d: d}
	if r.Skip != nil {
		s.skip = r.Skip(d.Config)
	}
	return s
}

func (s *rowStep) ID() string             { return s.row.ID }
func (s *rowStep) Needs() []string        { return s.row.Needs }
func (s *rowStep) SkipReason() string     { return s.skip }
func (s *rowStep) VerifyAfterNeeds() bool { return s.row.VerifyAfterNeeds }

func (s *rowStep) objects(o *setup.Outputs, m setup.Mode) ([]object.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mode != m {
		s.mode = m
		d := s.d
		d.Mode = m
		s.objs, s.err = s.row.Objects(d, o.Get())
		if s.err != nil && setup.FixOf(s.err) == "" && s.row.Fix != "" {
			s.err = setup.Errorf("", s.err, s.row.Fix)
		}
	}
	return s.objs, s.err
}

func (s *rowStep) record(o *setup.Outputs, objs []object.Object, rs []object.Result) {
	if s.row.Record != nil {
		o.Set(func(v *setup.Values) { s.row.Record(v, objs, rs) })
	}
}

func (s *rowStep) Plan(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
	objs, err := s.objects(o, setup.ModePlan)
	if err != nil {
		return nil, err
	}
	changes := make([][]plan.Change, len(objs))
	planErrs := make([]error, len(objs))
	s.each(objs, func(i int) { changes[i], planErrs[i] = objs[i].Plan(ctx) })
	var out []plan.Change
	var errs []error
	for i := range objs {
		out = append(out, changes[i]...)
		if planErrs[i] != nil {
			errs = append(errs, planErrs[i])
		}
	}
	if len(errs) == 0 {
		s.record(o, objs, nil)
	}
	return out, errors.Join(errs...)
}

func (s *rowStep) Apply(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
	objs, err := s.objects(o, setup.ModeApply)
	if err != nil {
		return setup.Applied{}, err
	}
	var a setup.Applied
	var rs []object.Result
	var errs []error
	var ops []string
	results := make([]object.Result, len(objs))
	applyErrs := make([]error, len(objs))
	s.each(objs, func(i int) { results[i], applyErrs[i] = objs[i].Apply(ctx) })
	for i := range objs {
		r, err := results[i], applyErrs[i]
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rs = append(rs, r)
		a.Objects = append(a.Objects, setup.Object{Kind: r.Kind, Key: r.Key, ID: r.ID})
		if r.Operator != "" {
			ops = append(ops, r.Operator)
			a.Changes = append(a.Changes, r.Change())
			continue
		}
		a.Changes = append(a.Changes, r.AllChanges()...)
	}
	a.Operator = strings.Join(ops, "\n")
	if len(errs) == 0 {
		s.record(o, objs, rs)
	}
	return a, errors.Join(errs...)
}

func (s *rowStep) Verify(ctx context.Context, o *setup.Outputs) []doctor.Check {
	objs, err := s.objects(o, setup.ModeVerify)
	if err != nil {
		fix := setup.FixOf(err)
		return []doctor.Check{{ID: s.row.ID, Title: s.row.ID + " can be checked", Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
	}
	var out []doctor.Check
	for _, ob := range objs {
		out = append(out, ob.Verify(ctx)...)
	}
	s.record(o, objs, nil)
	return out
}

// Objects builds the objects of one step as the graph would (with the values cfg alone
// determines), for commands that act on one object outside a run (confirm an operator step).
func Objects(d Deps, id string) ([]object.Object, error) {
	for _, r := range table {
		if r.ID != id {
			continue
		}
		if r.Skip != nil {
			if why := r.Skip(d.Config); why != "" {
				return nil, fmt.Errorf("step %s is not active for this config: %s", id, why)
			}
		}
		d = WithShared(d)
		d.Mode = setup.ModeApply
		objs, err := r.Objects(d, setup.NewOutputs(d.Config).Get())
		for i, o := range objs {
			objs[i] = unfix(o)
		}
		return objs, err
	}
	return nil, fmt.Errorf("no step %q (steps: %s)", id, strings.Join(IDs(), ", "))
}
