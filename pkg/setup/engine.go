package setup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Mode is what a run does with each step.
type Mode string

const (
	ModePlan   Mode = "plan"
	ModeApply  Mode = "apply"
	ModeVerify Mode = "verify"
)

// Status is the outcome of one step in one run.
type Status string

const (
	Unchanged Status = "unchanged" // nothing to do (plan) / nothing written (apply)
	Pending   Status = "pending"   // plan: changes pending
	Done      Status = "done"      // apply: changes made
	Operator  Status = "operator"  // a person must act (checklist printed)
	Failed    Status = "failed"
	Skipped   Status = "skipped" // Reason says why
	Cancelled Status = "cancelled"
	Read      Status = "read"    // --only: a dependency whose outputs were read, not applied
	Checked   Status = "checked" // verify: Checks hold the outcome
)

// Result is one step's outcome, in the shape `apply -o json` prints.
type Result struct {
	ID         string         `json:"id" yaml:"id"`
	Status     Status         `json:"status" yaml:"status"`
	Objects    []Object       `json:"objects,omitempty" yaml:"objects,omitempty"`
	Changes    []plan.Change  `json:"changes,omitempty" yaml:"changes,omitempty"`
	Checks     []doctor.Check `json:"checks,omitempty" yaml:"checks,omitempty"`
	DurationMs int64          `json:"durationMs" yaml:"durationMs"`
	Requests   int64          `json:"requests" yaml:"requests"`
	Error      string         `json:"error,omitempty" yaml:"error,omitempty"`
	// Auth marks a failure because a credential was missing or refused (the command exits 4).
	Auth     bool     `json:"auth,omitempty" yaml:"auth,omitempty"`
	Fix      string   `json:"fix,omitempty" yaml:"fix,omitempty"`
	Reason   string   `json:"reason,omitempty" yaml:"reason,omitempty"`
	Operator string   `json:"operator,omitempty" yaml:"operator,omitempty"`
	Needs    []string `json:"needs,omitempty" yaml:"needs,omitempty"`

	// blocked is set when dependants must not run (failure, cancellation, pending operator, or
	// itself skipped because a dependency blocked).
	blocked bool
}

// EventKind tells a progress listener what happened.
type EventKind string

const (
	EventStart EventKind = "start"
	EventDone  EventKind = "done"
)

// Event is sent to Options.OnEvent. Calls come from several goroutines, serialised by the engine.
type Event struct {
	Kind   EventKind
	Step   string
	Mode   Mode // the mode the step runs in (ModePlan for --only dependencies read during apply)
	Result Result
}

// Options bound a run.
type Options struct {
	// Concurrency is the number of steps running at once (default 4).
	Concurrency int
	// Only restricts the run to these step IDs. Their dependencies (transitively) are not applied:
	// their Plan runs (read-only) so that their outputs are available.
	Only []string
	// OnEvent receives start/done events (progress display).
	OnEvent func(Event)
}

// Graph is a validated set of steps.
type Graph struct {
	steps []Step
	byID  map[string]int
}

// NewGraph checks that IDs are unique and that dependencies (among registered steps) have no cycle.
func NewGraph(steps ...Step) (*Graph, error) {
	g := &Graph{byID: map[string]int{}}
	for _, s := range steps {
		if s == nil {
			continue
		}
		if _, dup := g.byID[s.ID()]; dup {
			return nil, fmt.Errorf("setup: two steps named %q", s.ID())
		}
		g.byID[s.ID()] = len(g.steps)
		g.steps = append(g.steps, s)
	}
	// Cycle check: depth-first search with colours.
	colour := make([]int, len(g.steps))
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch colour[i] {
		case 1:
			return fmt.Errorf("setup: dependency cycle %s -> %s", strings.Join(path, " -> "), g.steps[i].ID())
		case 2:
			return nil
		}
		colour[i] = 1
		for _, d := range g.needs(i) {
			if err := visit(d, append(path, g.steps[i].ID())); err != nil {
				return err
			}
		}
		colour[i] = 2
		return nil
	}
	for i := range g.steps {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// IDs lists the step IDs in registration order.
func (g *Graph) IDs() []string {
	out := make([]string, len(g.steps))
	for i, s := range g.steps {
		out[i] = s.ID()
	}
	return out
}

// needs are the indexes of registered dependencies of step i.
func (g *Graph) needs(i int) []int {
	var out []int
	for _, id := range g.steps[i].Needs() {
		if j, ok := g.byID[id]; ok && j != i {
			out = append(out, j)
		}
	}
	return out
}

// Select resolves --only: the chosen steps and, separately, the dependencies to read.
// An unknown ID is an error listing the valid ones.
func (g *Graph) Select(only []string) (run, read map[int]bool, err error) {
	run, read = map[int]bool{}, map[int]bool{}
	if len(only) == 0 {
		for i := range g.steps {
			run[i] = true
		}
		return run, read, nil
	}
	for _, id := range only {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		i, ok := g.byID[id]
		if !ok {
			// A prefix selects a family: --only uem selects uem.boxer, uem.connectors, ...
			matched := false
			for j, s := range g.steps {
				if strings.HasPrefix(s.ID(), id+".") {
					run[j] = true
					matched = true
				}
			}
			if !matched {
				return nil, nil, fmt.Errorf("--only %s: no such step (steps: %s)", id, strings.Join(g.IDs(), ", "))
			}
			continue
		}
		run[i] = true
	}
	var mark func(i int)
	mark = func(i int) {
		for _, d := range g.needs(i) {
			if !run[d] && !read[d] {
				read[d] = true
				mark(d)
			}
		}
	}
	for i := range run {
		mark(i)
	}
	return run, read, nil
}

// Run executes mode over the graph. Results come back in registration order and cover the
// selected steps and the dependencies read for them. A step starts when its dependencies have
// finished; one that failed (or was cancelled, or awaits an operator in apply) makes its
// dependants skipped with the reason. Cancelling ctx stops scheduling: running steps see the
// cancellation through their context, steps not yet started are reported as cancelled.
func (g *Graph) Run(ctx context.Context, mode Mode, out *Outputs, o Options) ([]Result, error) {
	run, read, err := g.Select(o.Only)
	if err != nil {
		return nil, err
	}
	if mode == ModeVerify {
		// Verify checks what exists; it never needs a dependency's plan. A step that reads its
		// dependencies' outputs in Verify gets those dependencies verified too.
		read = map[int]bool{}
		var pull func(i int)
		pull = func(i int) {
			if !verifyAfterNeeds(g.steps[i]) {
				return
			}
			for _, d := range g.needs(i) {
				if !run[d] {
					run[d] = true
					pull(d)
				}
			}
		}
		for i := range g.steps {
			if run[i] {
				pull(i)
			}
		}
	}
	if out == nil {
		out = &Outputs{}
	}
	conc := o.Concurrency
	if conc <= 0 {
		conc = 4
	}
	var evMu sync.Mutex
	emit := func(e Event) {
		if o.OnEvent == nil {
			return
		}
		evMu.Lock()
		defer evMu.Unlock()
		o.OnEvent(e)
	}

	results := make([]Result, len(g.steps))
	done := make([]chan struct{}, len(g.steps))
	for i := range done {
		done[i] = make(chan struct{})
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, s := range g.steps {
		if !run[i] && !read[i] {
			close(done[i])
			continue
		}
		m := mode
		if read[i] {
			m = ModePlan
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			r := Result{ID: s.ID(), Needs: s.Needs()}
			var ahead int64
			if mode == ModeApply && run[i] {
				ahead = g.readAhead(ctx, s, done, results, out)
			}
			// Wait for every dependency, in any order. Verify waits only when the step asks to
			// (it reads a dependency's outputs), so doctor's checks run as concurrently as possible.
			for _, d := range g.needs(i) {
				if mode == ModeVerify && !verifyAfterNeeds(s) {
					break
				}
				select {
				case <-done[d]:
				case <-ctx.Done():
				}
			}
			if ctx.Err() != nil {
				r.Status, r.Reason, r.blocked = Cancelled, "interrupted before it started", true
				results[i] = r
				emit(Event{Kind: EventDone, Step: s.ID(), Mode: m, Result: r})
				return
			}
			if mode != ModeVerify {
				for _, d := range g.needs(i) {
					if (run[d] || read[d]) && results[d].blocked {
						r.Status, r.blocked = Skipped, true
						r.Reason = blockedReason(results[d])
						results[i] = r
						emit(Event{Kind: EventDone, Step: s.ID(), Mode: m, Result: r})
						return
					}
				}
			}
			if sk, ok := s.(Skipper); ok {
				if why := sk.SkipReason(); why != "" {
					r.Status, r.Reason = Skipped, why
					results[i] = r
					emit(Event{Kind: EventDone, Step: s.ID(), Mode: m, Result: r})
					return
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				r.Status, r.Reason, r.blocked = Cancelled, "interrupted before it started", true
				results[i] = r
				emit(Event{Kind: EventDone, Step: s.ID(), Mode: m, Result: r})
				return
			}
			emit(Event{Kind: EventStart, Step: s.ID(), Mode: m})
			r = runStep(ctx, s, m, read[i], out, r)
			r.Requests += ahead
			<-sem
			results[i] = r
			emit(Event{Kind: EventDone, Step: s.ID(), Mode: m, Result: r})
		}()
	}
	wg.Wait()
	var outR []Result
	for i := range g.steps {
		if run[i] || read[i] {
			outR = append(outR, results[i])
		}
	}
	return outR, nil
}

// readAhead runs a ReadAheader's look-ups once the dependencies they read have finished and
// none of them blocks the step; it returns the requests they made. It waits for nothing else
// and takes no concurrency slot: the step still waits for all its needs before it applies.
func (g *Graph) readAhead(ctx context.Context, s Step, done []chan struct{}, results []Result, out *Outputs) int64 {
	ra, ok := s.(ReadAheader)
	if !ok || len(ra.ReadAfter()) == 0 {
		return 0
	}
	if sk, ok := s.(Skipper); ok && sk.SkipReason() != "" {
		return 0
	}
	for _, id := range ra.ReadAfter() {
		d, ok := g.byID[id]
		if !ok {
			continue
		}
		select {
		case <-done[d]:
		case <-ctx.Done():
			return 0
		}
		if results[d].blocked {
			return 0
		}
	}
	cctx, n := httpx.WithCounter(ctx)
	ra.ReadAhead(cctx, out)
	return n.Load()
}

// VerifyOrderer is implemented by steps whose Verify reads outputs recorded by their
// dependencies' Verify; the engine then verifies them after those dependencies.
type VerifyOrderer interface {
	VerifyAfterNeeds() bool
}

func verifyAfterNeeds(s Step) bool {
	v, ok := s.(VerifyOrderer)
	return ok && v.VerifyAfterNeeds()
}

func blockedReason(dep Result) string {
	switch dep.Status {
	case Failed:
		return fmt.Sprintf("needs %s, which failed", dep.ID)
	case Cancelled:
		return fmt.Sprintf("needs %s, which was interrupted", dep.ID)
	case Operator:
		return fmt.Sprintf("needs %s, which waits for an operator (finish its checklist, then re-run)", dep.ID)
	case Skipped:
		return fmt.Sprintf("needs %s, which was skipped (%s)", dep.ID, dep.Reason)
	}
	return fmt.Sprintf("needs %s (%s)", dep.ID, dep.Status)
}

// runStep runs one step under a request counter, recovering from panics.
func runStep(ctx context.Context, s Step, m Mode, readOnly bool, out *Outputs, r Result) (res Result) {
	cctx, n := httpx.WithCounter(ctx)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res = r
			res.Status, res.blocked = Failed, true
			res.Error = fmt.Sprintf("internal error: %v", p)
			res.Fix = "report this at the flowsctl issue tracker with the output of --debug"
		}
		res.DurationMs = time.Since(start).Milliseconds()
		res.Requests = n.Load()
	}()
	fail := func(err error) Result {
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.Canceled)) {
			r.Status, r.blocked = Cancelled, true
			r.Error = "interrupted: " + err.Error()
			r.Fix = "re-run the same command to resume; every step looks up before it writes"
			return r
		}
		r.Status, r.blocked = Failed, true
		r.Error = err.Error()
		r.Auth = httpx.IsAuth(err)
		r.Fix = FixOf(err)
		if r.Fix == "" {
			r.Fix = fmt.Sprintf("fix the cause above, then run: flowsctl apply --only %s", s.ID())
		}
		return r
	}
	switch m {
	case ModePlan:
		cs, err := s.Plan(cctx, out)
		if err != nil {
			return fail(err)
		}
		r.Changes = cs
		switch {
		case readOnly:
			r.Status = Read
		case hasOperator(cs):
			r.Status = Operator
		case plan.Pending(cs):
			r.Status = Pending
		default:
			r.Status = Unchanged
		}
		return r
	case ModeApply:
		a, err := s.Apply(cctx, out)
		r.Objects, r.Changes = a.Objects, a.Changes
		if err != nil {
			return fail(err)
		}
		switch {
		case a.Operator != "":
			r.Status, r.Operator, r.blocked = Operator, a.Operator, true
		case plan.Pending(a.Changes):
			r.Status = Done
		default:
			r.Status = Unchanged
		}
		return r
	case ModeVerify:
		r.Checks = s.Verify(cctx, out)
		r.Status = Checked
		if doctor.Failed(r.Checks) {
			r.Status = Failed
		}
		return r
	}
	return fail(fmt.Errorf("unknown mode %q", m))
}

func hasOperator(cs []plan.Change) bool {
	for _, c := range cs {
		if c.Action == plan.Operator {
			return true
		}
	}
	return false
}

// Summary counts results by status, for exit codes and the summary line.
func Summary(rs []Result) map[Status]int {
	m := map[Status]int{}
	for _, r := range rs {
		m[r.Status]++
	}
	return m
}

// SummaryLine renders counts as "2 done, 5 unchanged, 1 skipped" in a fixed order.
func SummaryLine(rs []Result) string {
	m := Summary(rs)
	order := []Status{Done, Pending, Unchanged, Read, Operator, Failed, Skipped, Cancelled, Checked}
	var parts []string
	for _, s := range order {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
			delete(m, s)
		}
	}
	var rest []string
	for s, n := range m {
		rest = append(rest, fmt.Sprintf("%d %s", n, s))
	}
	sort.Strings(rest)
	return strings.Join(append(parts, rest...), ", ")
}

// FailedCode is the exit code of a run with failed steps: 4 when every failure was a refused
// or missing credential (fix the credentials first), else 1.
func FailedCode(rs []Result) int {
	auth, failed := true, false
	for _, r := range rs {
		if r.Status == Failed {
			failed = true
			auth = auth && r.Auth
		}
	}
	if failed && auth {
		return 4
	}
	return 1
}

// WithDependants is ids (exact step IDs; unknown ones are dropped) and every step that needs one
// of them, directly or through others, in registration order: what to re-apply when ids drift.
func (g *Graph) WithDependants(ids []string) []string {
	sel := make([]bool, len(g.steps))
	for _, id := range ids {
		if i, ok := g.byID[id]; ok {
			sel[i] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range g.steps {
			if sel[i] {
				continue
			}
			for _, j := range g.needs(i) {
				if sel[j] {
					sel[i], changed = true, true
					break
				}
			}
		}
	}
	var out []string
	for i, s := range g.steps {
		if sel[i] {
			out = append(out, s.ID())
		}
	}
	return out
}
