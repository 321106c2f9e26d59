package setup

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// fakeStep records its calls; behaviour is set per test.
type fakeStep struct {
	id       string
	needs    []string
	skip     string
	changes  []plan.Change
	err      error
	operator string
	block    chan struct{} // when set, Apply waits for it (or ctx)
	onApply  func(o *Outputs)
	checks   []doctor.Check

	mu      sync.Mutex
	applied int
	planned int
	order   *[]string
	orderMu *sync.Mutex
	running *atomic.Int32
	peak    *atomic.Int32
}

func (f *fakeStep) ID() string         { return f.id }
func (f *fakeStep) Needs() []string    { return f.needs }
func (f *fakeStep) SkipReason() string { return f.skip }
func (f *fakeStep) Plan(ctx context.Context, o *Outputs) ([]plan.Change, error) {
	f.mu.Lock()
	f.planned++
	f.mu.Unlock()
	return f.changes, f.err
}
func (f *fakeStep) Apply(ctx context.Context, o *Outputs) (Applied, error) {
	if f.running != nil {
		n := f.running.Add(1)
		for {
			p := f.peak.Load()
			if n <= p || f.peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer f.running.Add(-1)
	}
	f.mu.Lock()
	f.applied++
	f.mu.Unlock()
	if f.order != nil {
		f.orderMu.Lock()
		*f.order = append(*f.order, f.id)
		f.orderMu.Unlock()
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return Applied{}, ctx.Err()
		}
	}
	if f.onApply != nil {
		f.onApply(o)
	}
	if f.err != nil {
		return Applied{}, f.err
	}
	return Applied{Changes: f.changes, Operator: f.operator, Objects: []Object{{Kind: "fake", Key: f.id, ID: "id-" + f.id}}}, nil
}
func (f *fakeStep) Verify(ctx context.Context, o *Outputs) []doctor.Check { return f.checks }

func byID(rs []Result) map[string]Result {
	m := map[string]Result{}
	for _, r := range rs {
		m[r.ID] = r
	}
	return m
}

func TestGraphRejectsCyclesAndDuplicates(t *testing.T) {
	tests := []struct {
		name  string
		steps []Step
		want  string
	}{
		{"duplicate", []Step{&fakeStep{id: "a"}, &fakeStep{id: "a"}}, "two steps"},
		{"cycle", []Step{&fakeStep{id: "a", needs: []string{"b"}}, &fakeStep{id: "b", needs: []string{"a"}}}, "cycle"},
		{"unknown need is ignored", []Step{&fakeStep{id: "a", needs: []string{"absent.pkg"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGraph(tt.steps...)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestApplyDependencyOrderAndOutputs(t *testing.T) {
	var order []string
	var mu sync.Mutex
	create := []plan.Change{{Object: "x", Action: plan.Create}}
	app := &fakeStep{id: "azure.app", changes: create, order: &order, orderMu: &mu,
		onApply: func(o *Outputs) { o.Set(func(v *Values) { v.Azure.ClientID = "client-1" }) }}
	var seen string
	conn := &fakeStep{id: "uem.connectors", needs: []string{"azure.app"}, order: &order, orderMu: &mu,
		onApply: func(o *Outputs) { seen = o.Get().Azure.ClientID }}
	tmpl := &fakeStep{id: "access.template", order: &order, orderMu: &mu}
	g, err := NewGraph(conn, app, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.Run(context.Background(), ModeApply, &Outputs{}, Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if seen != "client-1" {
		t.Fatalf("connector saw client id %q, want client-1", seen)
	}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	if pos["azure.app"] > pos["uem.connectors"] {
		t.Fatalf("order %v: azure.app must run before uem.connectors", order)
	}
	m := byID(rs)
	if m["azure.app"].Status != Done || m["uem.connectors"].Status != Unchanged {
		t.Fatalf("statuses: %+v", rs)
	}
	if rs[0].ID != "uem.connectors" {
		t.Fatalf("results must keep registration order, got %s first", rs[0].ID)
	}
}

func TestConcurrencyBound(t *testing.T) {
	for _, bound := range []int{1, 2, 3} {
		t.Run("", func(t *testing.T) {
			var running, peak atomic.Int32
			release := make(chan struct{})
			var steps []Step
			for i := range 6 {
				steps = append(steps, &fakeStep{id: string(rune('a' + i)), running: &running, peak: &peak, block: release})
			}
			g, _ := NewGraph(steps...)
			done := make(chan []Result)
			go func() {
				rs, _ := g.Run(context.Background(), ModeApply, nil, Options{Concurrency: bound})
				done <- rs
			}()
			// Wait until the bound is reached, then release everything.
			for running.Load() < int32(bound) {
				time.Sleep(time.Millisecond)
			}
			close(release)
			rs := <-done
			if p := peak.Load(); p != int32(bound) {
				t.Fatalf("peak concurrency %d, want %d", p, bound)
			}
			if len(rs) != 6 {
				t.Fatalf("%d results", len(rs))
			}
		})
	}
}

func TestFailureStopsOnlyDependants(t *testing.T) {
	boom := Errorf(`application "x"`, errors.New("403 Forbidden"), "grant Cloud Application Administrator, then run: flowsctl apply --only azure.app")
	app := &fakeStep{id: "azure.app", err: boom}
	conn := &fakeStep{id: "uem.connectors", needs: []string{"azure.app"}}
	deeper := &fakeStep{id: "uem.integrations", needs: []string{"uem.connectors"}}
	tmpl := &fakeStep{id: "access.template", changes: []plan.Change{{Object: "t", Action: plan.Update}}}
	g, _ := NewGraph(app, conn, deeper, tmpl)
	rs, _ := g.Run(context.Background(), ModeApply, nil, Options{})
	m := byID(rs)
	if r := m["azure.app"]; r.Status != Failed || !strings.Contains(r.Error, `application "x"`) || !strings.Contains(r.Fix, "Cloud Application Administrator") {
		t.Fatalf("azure.app: %+v", r)
	}
	if r := m["uem.connectors"]; r.Status != Skipped || !strings.Contains(r.Reason, "azure.app, which failed") {
		t.Fatalf("uem.connectors: %+v", r)
	}
	if r := m["uem.integrations"]; r.Status != Skipped || !strings.Contains(r.Reason, "uem.connectors") {
		t.Fatalf("uem.integrations: %+v", r)
	}
	if conn.applied != 0 || deeper.applied != 0 {
		t.Fatal("dependants of a failed step must not run")
	}
	if r := m["access.template"]; r.Status != Done || tmpl.applied != 1 {
		t.Fatalf("independent step: %+v", r)
	}
}

func TestSkipReasonDoesNotBlockDependants(t *testing.T) {
	app := &fakeStep{id: "azure.app", skip: "no azure section in the config"}
	conn := &fakeStep{id: "uem.connectors", needs: []string{"azure.app"}}
	g, _ := NewGraph(app, conn)
	rs, _ := g.Run(context.Background(), ModePlan, nil, Options{})
	m := byID(rs)
	if m["azure.app"].Status != Skipped || m["azure.app"].Reason == "" || app.planned != 0 {
		t.Fatalf("azure.app: %+v", m["azure.app"])
	}
	if m["uem.connectors"].Status != Unchanged {
		t.Fatalf("uem.connectors: %+v", m["uem.connectors"])
	}
}

func TestOperatorStatus(t *testing.T) {
	tenant := &fakeStep{id: "uem.mobileflows.tenant", operator: "1. Open Mobile Flows > Begin", changes: []plan.Change{{Object: "tenant", Action: plan.Operator}}}
	conn := &fakeStep{id: "uem.connectors", needs: []string{"uem.mobileflows.tenant"}}
	g, _ := NewGraph(tenant, conn)
	rs, _ := g.Run(context.Background(), ModeApply, nil, Options{})
	m := byID(rs)
	if m["uem.mobileflows.tenant"].Status != Operator || m["uem.mobileflows.tenant"].Operator == "" {
		t.Fatalf("tenant: %+v", m["uem.mobileflows.tenant"])
	}
	if m["uem.connectors"].Status != Skipped || !strings.Contains(m["uem.connectors"].Reason, "operator") {
		t.Fatalf("connectors: %+v", m["uem.connectors"])
	}
	// In plan, an operator change is reported as such and does not block dependants.
	rs, _ = g.Run(context.Background(), ModePlan, nil, Options{})
	m = byID(rs)
	if m["uem.mobileflows.tenant"].Status != Operator || m["uem.connectors"].Status != Unchanged {
		t.Fatalf("plan: %+v", rs)
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	started := make(chan struct{})
	slow := &fakeStep{id: "access.template", block: block, onApply: nil}
	slow.running, slow.peak = new(atomic.Int32), new(atomic.Int32)
	after := &fakeStep{id: "access.scimClient", needs: []string{"access.template"}}
	g, _ := NewGraph(slow, after)
	done := make(chan []Result)
	go func() {
		rs, _ := g.Run(ctx, ModeApply, nil, Options{OnEvent: func(e Event) {
			if e.Kind == EventStart && e.Step == "access.template" {
				close(started)
			}
		}})
		done <- rs
	}()
	<-started
	cancel()
	rs := <-done
	m := byID(rs)
	if m["access.template"].Status != Cancelled || !strings.Contains(m["access.template"].Fix, "re-run") {
		t.Fatalf("running step: %+v", m["access.template"])
	}
	if m["access.scimClient"].Status != Cancelled && m["access.scimClient"].Status != Skipped {
		t.Fatalf("waiting step: %+v", m["access.scimClient"])
	}
	if after.applied != 0 {
		t.Fatal("a step must not start after cancellation")
	}
}

func TestOnlyReadsDependencies(t *testing.T) {
	app := &fakeStep{id: "azure.app", changes: []plan.Change{{Object: "app", Action: plan.NoOp}}}
	conn := &fakeStep{id: "uem.connectors", needs: []string{"azure.app"}}
	tmpl := &fakeStep{id: "access.template"}
	g, _ := NewGraph(app, conn, tmpl)
	rs, err := g.Run(context.Background(), ModeApply, nil, Options{Only: []string{"uem.connectors"}})
	if err != nil {
		t.Fatal(err)
	}
	m := byID(rs)
	if len(rs) != 2 || m["azure.app"].Status != Read || app.applied != 0 || app.planned != 1 || conn.applied != 1 || tmpl.applied != 0 {
		t.Fatalf("results %+v (app applied %d planned %d)", rs, app.applied, app.planned)
	}
	if _, err := g.Run(context.Background(), ModeApply, nil, Options{Only: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "azure.app") {
		t.Fatalf("unknown --only: %v", err)
	}
	// A prefix selects a family.
	rs, _ = g.Run(context.Background(), ModePlan, nil, Options{Only: []string{"uem"}})
	if len(rs) != 2 {
		t.Fatalf("--only uem: %+v", rs)
	}
}

func TestPanicBecomesFailure(t *testing.T) {
	p := &fakeStep{id: "x", onApply: func(*Outputs) { panic("boom") }}
	g, _ := NewGraph(p)
	rs, _ := g.Run(context.Background(), ModeApply, nil, Options{})
	if rs[0].Status != Failed || !strings.Contains(rs[0].Error, "boom") {
		t.Fatalf("%+v", rs[0])
	}
}

func TestVerifyCollectsChecks(t *testing.T) {
	ok := &fakeStep{id: "a", checks: []doctor.Check{{ID: "a.exists", Status: doctor.Pass}}}
	bad := &fakeStep{id: "b", needs: []string{"a"}, checks: []doctor.Check{{ID: "b.ttl", Status: doctor.Fail, Fix: "flowsctl apply --only b"}}}
	g, _ := NewGraph(ok, bad)
	rs, _ := g.Run(context.Background(), ModeVerify, nil, Options{})
	m := byID(rs)
	if m["a"].Status != Checked || m["b"].Status != Failed || len(m["b"].Checks) != 1 {
		t.Fatalf("%+v", rs)
	}
}

func TestSummaryLine(t *testing.T) {
	got := SummaryLine([]Result{{Status: Done}, {Status: Unchanged}, {Status: Unchanged}, {Status: Skipped}})
	if got != "1 done, 2 unchanged, 1 skipped" {
		t.Fatal(got)
	}
}

type orderedFake struct{ *fakeStep }

func (orderedFake) VerifyAfterNeeds() bool { return true }

func TestVerifyOnlyPullsDependenciesItReads(t *testing.T) {
	app := &fakeStep{id: "azure.app", checks: []doctor.Check{{ID: "azure.app", Status: doctor.Pass}}}
	conn := orderedFake{&fakeStep{id: "uem.connectors", needs: []string{"azure.app"}, checks: []doctor.Check{{ID: "uem.connector.x", Status: doctor.Pass}}}}
	boxer := &fakeStep{id: "uem.boxer", needs: []string{"azure.app"}}
	g, _ := NewGraph(app, conn, boxer)
	rs, _ := g.Run(context.Background(), ModeVerify, nil, Options{Only: []string{"uem.connectors"}})
	if m := byID(rs); len(rs) != 2 || m["azure.app"].Status != Checked {
		t.Fatalf("--only uem.connectors in verify: %+v", rs)
	}
	rs, _ = g.Run(context.Background(), ModeVerify, nil, Options{Only: []string{"uem.boxer"}})
	if len(rs) != 1 {
		t.Fatalf("--only uem.boxer (does not read outputs in verify): %+v", rs)
	}
}

func TestFailedCode(t *testing.T) {
	for _, tt := range []struct {
		rs   []Result
		want int
	}{
		{[]Result{{Status: Failed, Auth: true}, {Status: Done}}, 4},
		{[]Result{{Status: Failed, Auth: true}, {Status: Failed}}, 1},
		{[]Result{{Status: Failed}}, 1},
		{[]Result{{Status: Done}}, 1},
	} {
		if got := FailedCode(tt.rs); got != tt.want {
			t.Errorf("FailedCode(%+v) = %d, want %d", tt.rs, got, tt.want)
		}
	}
}

func TestWithDependants(t *testing.T) {
	g, err := NewGraph(
		&fakeStep{id: "a"}, &fakeStep{id: "b", needs: []string{"a"}},
		&fakeStep{id: "c", needs: []string{"b"}}, &fakeStep{id: "d"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(g.WithDependants([]string{"a", "nope"}), ","); got != "a,b,c" {
		t.Errorf("WithDependants(a) = %s, want a,b,c", got)
	}
	if got := strings.Join(g.WithDependants([]string{"d"}), ","); got != "d" {
		t.Errorf("WithDependants(d) = %s, want d", got)
	}
}

// aheadStep is a fakeStep that reads ahead once ReadAfter have finished.
type aheadStep struct {
	*fakeStep
	after   []string
	onAhead func()
	aheads  atomic.Int32
}

func (a *aheadStep) ReadAfter() []string { return a.after }
func (a *aheadStep) ReadAhead(ctx context.Context, o *Outputs) {
	a.aheads.Add(1)
	if a.onAhead != nil {
		a.onAhead()
	}
}

// TestReadAheadRunsBeforeOtherNeedsFinish: a step's look-ups start as soon as the needs they
// read have finished, while a need only its writes wait for is still running; its Apply
// still waits for every need. The slow need finishes only after the read-ahead has run, so the
// test would hang (and time out) if the engine waited for all needs first.
func TestReadAheadRunsBeforeOtherNeedsFinish(t *testing.T) {
	slowGate := make(chan struct{})
	slow := &fakeStep{id: "slow", block: slowGate}
	fast := &fakeStep{id: "fast"}
	var slowDone atomic.Bool
	slow.onApply = func(*Outputs) { slowDone.Store(true) }
	var appliedAfterSlow atomic.Bool
	dep := &aheadStep{fakeStep: &fakeStep{id: "dep", needs: []string{"slow", "fast"}}, after: []string{"fast"},
		onAhead: func() { close(slowGate) }}
	dep.fakeStep.onApply = func(*Outputs) { appliedAfterSlow.Store(slowDone.Load()) }
	g, err := NewGraph(slow, fast, dep)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rs, err := g.Run(ctx, ModeApply, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status == Failed || r.Status == Cancelled {
			t.Fatalf("%s: %s %s", r.ID, r.Status, r.Error)
		}
	}
	if n := dep.aheads.Load(); n != 1 {
		t.Errorf("read ahead %d times, want 1", n)
	}
	if !appliedAfterSlow.Load() {
		t.Error("dep applied before its slow need finished")
	}
}

// TestReadAheadSkippedWhenItsNeedBlocks: a failed ReadAfter dependency means no read-ahead
// (and the step is skipped as before); plan never reads ahead.
func TestReadAheadSkippedWhenItsNeedBlocks(t *testing.T) {
	bad := &fakeStep{id: "bad", err: errors.New("boom")}
	dep := &aheadStep{fakeStep: &fakeStep{id: "dep", needs: []string{"bad"}}, after: []string{"bad"}}
	g, err := NewGraph(bad, dep)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.Run(context.Background(), ModeApply, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rs[1].Status != Skipped || dep.aheads.Load() != 0 {
		t.Errorf("dep: %s, %d read-aheads; want skipped without reading ahead", rs[1].Status, dep.aheads.Load())
	}
	ok := &fakeStep{id: "ok"}
	dep2 := &aheadStep{fakeStep: &fakeStep{id: "dep2", needs: []string{"ok"}}, after: []string{"ok"}}
	g, _ = NewGraph(ok, dep2)
	if _, err := g.Run(context.Background(), ModePlan, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if dep2.aheads.Load() != 0 {
		t.Error("plan read ahead")
	}
}
