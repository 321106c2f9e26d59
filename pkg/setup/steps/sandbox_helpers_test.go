package steps

// Helpers the sandbox tests of this package share (the external steps_test files reach them
// as steps.X: they exist only in test builds).

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// EmulatorOf is the emulator of type T among emus, for a test that changes how it answers or
// reads what it holds.
func EmulatorOf[T sandbox.Emulator](t testing.TB, emus []sandbox.Emulator) T {
	t.Helper()
	for _, e := range emus {
		if x, ok := e.(T); ok {
			return x
		}
	}
	var none T
	t.Fatalf("no %T emulator in the sandbox", none)
	return none
}

// SandboxConfig is the flowsctl.yaml the sandbox wrote.
func SandboxConfig(t testing.TB, sb *sandbox.Sandbox) *config.Config {
	t.Helper()
	cfg, err := config.Load(sb.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// UnattendedDeps are the Deps of a run no one answers: operator steps stay pending, output is dropped.
func UnattendedDeps(cfg *config.Config, hc *httpx.Client) Deps {
	return Deps{Config: cfg, HTTP: hc, ErrOut: io.Discard, NoInput: true, Prompter: prompt.NoInput{Reason: "test"}}
}

// RunGraph runs the step graph of d in mode, failing the test when it cannot be built or run.
func RunGraph(t testing.TB, d Deps, mode setup.Mode, opts setup.Options) []setup.Result {
	t.Helper()
	g, err := Graph(d)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.Run(context.Background(), mode, setup.NewOutputs(d.Config), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// RunGraphSlowing is RunGraph with one step's Plan, Apply and Verify held back by delay before
// they start, as when that step's service answers late: a step that acts on its effects, or reads
// what its check recorded, without needing it then runs first.
func RunGraphSlowing(t testing.TB, d Deps, mode setup.Mode, slow string, delay time.Duration) []setup.Result {
	t.Helper()
	ss, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, s := range ss {
		if s.ID() == slow {
			ss[i], found = slowStep{s.(*rowStep), delay}, true
		}
	}
	if !found {
		t.Fatalf("no step %s", slow)
	}
	g, err := setup.NewGraph(ss...)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.Run(context.Background(), mode, setup.NewOutputs(d.Config), setup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// slowStep is a step whose Plan, Apply and Verify start late.
type slowStep struct {
	*rowStep
	delay time.Duration
}

func (s slowStep) Plan(ctx context.Context, o *setup.Outputs) ([]plan.Change, error) {
	if err := httpx.Sleep(ctx, s.delay); err != nil {
		return nil, err
	}
	return s.rowStep.Plan(ctx, o)
}

func (s slowStep) Apply(ctx context.Context, o *setup.Outputs) (setup.Applied, error) {
	if err := httpx.Sleep(ctx, s.delay); err != nil {
		return setup.Applied{}, err
	}
	return s.rowStep.Apply(ctx, o)
}

func (s slowStep) Verify(ctx context.Context, o *setup.Outputs) []doctor.Check {
	if httpx.Sleep(ctx, s.delay) != nil {
		return nil
	}
	return s.rowStep.Verify(ctx, o)
}

// ByID indexes results by step id.
func ByID(rs []setup.Result) map[string]setup.Result {
	out := make(map[string]setup.Result, len(rs))
	for _, r := range rs {
		out[r.ID] = r
	}
	return out
}
