package steps

import (
	"context"
	"sync"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// step adapts a service package's Plan/Ensure/Verify to setup.Step. The service objects are built
// lazily (once) so that a missing secret fails this step only, when it runs, not the whole graph.
type step struct {
	id       string
	needs    []string
	skip     string
	verifyAO bool // Verify after needs (reads their outputs)

	plan   func(ctx context.Context, o *setup.Outputs) ([]plan.Change, error)
	apply  func(ctx context.Context, o *setup.Outputs) (setup.Applied, error)
	verify func(ctx context.Context, o *setup.Outputs) []doctor.Check
	// fix is shown when construction fails.
	fix string
}

func (s *step) ID() string             { return s.id }
func (s *step) Needs() []string        { return s.needs }
func (s *step) SkipReason() string     { return s.skip }
func (s *step) VerifyAfterNeeds() bool { return s.verifyAO }

func (s *step) Plan(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
	return s.plan(ctx, o)
}

func (s *step) Apply(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
	return s.apply(ctx, o)
}

func (s *step) Verify(ctx context.Context, o *setup.Outputs) []doctor.Check {
	return s.verify(ctx, o)
}

// lazy builds a value once and remembers the error.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
	fn   func() (T, error)
}

func newLazy[T any](fn func() (T, error)) *lazy[T] { return &lazy[T]{fn: fn} }

func (l *lazy[T]) get() (T, error) {
	l.once.Do(func() { l.v, l.err = l.fn() })
	return l.v, l.err
}

// failCheck is the single failing check a step reports when it cannot even start verifying.
func failCheck(id, title string, err error, fix string) []doctor.Check {
	if f := setup.FixOf(err); f != "" {
		fix = f
	}
	return []doctor.Check{{ID: id, Title: title, Status: doctor.Fail, Detail: err.Error(), Fix: fix}}
}

// changed keeps the changes that did something.
func changed(cs ...plan.Change) []plan.Change {
	var out []plan.Change
	for _, c := range cs {
		if c.Action != plan.NoOp && c.Action != "" {
			out = append(out, c)
		}
	}
	return out
}

// skipped is a step that is inactive for this config.
func skipped(id string, needs []string, reason string) setup.Step {
	noPlan := func(context.Context, *setup.Outputs) ([]plan.Change, error) { return nil, nil }
	return &step{id: id, needs: needs, skip: reason, plan: noPlan,
		apply:  func(context.Context, *setup.Outputs) (setup.Applied, error) { return setup.Applied{}, nil },
		verify: func(context.Context, *setup.Outputs) []doctor.Check { return nil }}
}
