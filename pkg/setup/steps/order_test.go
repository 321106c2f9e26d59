package steps_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// TestResultsDoNotDependOnWhichStepIsSlow: plan, apply and doctor run independent steps at once,
// so a step that acts on another's effects, or reads what another recorded, must need it;
// otherwise it works only while that step happens to be fast. For each step, on the Identity
// Services path and on the Access path, a plan, a fresh apply and a verify with that step held
// back must end exactly as they do when nothing is held back: every step's status (and plan's
// change count), every check's.
func TestResultsDoNotDependOnWhichStepIsSlow(t *testing.T) {
	const delay = 300 * time.Millisecond
	for _, path := range []string{"identity", "access"} {
		t.Run(path, func(t *testing.T) {
			want, _, ran := applyAndVerify(t, path, "", 0)
			if len(ran) < 8 {
				t.Fatalf("apply ran only %v", ran)
			}
			for _, id := range ran {
				t.Run(id, func(t *testing.T) {
					t.Parallel()
					got, detail, _ := applyAndVerify(t, path, id, delay)
					for _, k := range sortedKeys(want, got) {
						if want[k] != got[k] {
							t.Errorf("with %s %v late, %s: %q (%s), %q when no step is late", id, delay, k, got[k], detail[k], want[k])
						}
					}
				})
			}
		})
	}
}

// applyAndVerify plans and applies a fresh sandbox tenant, then verifies it, with the step slow (if
// named) held back by delay each time. It returns each step's status and each check's, the
// checks' details (which name ids and dates, so they are not compared), and the steps apply ran.
func applyAndVerify(t *testing.T, path, slow string, delay time.Duration) (status, detail map[string]string, ran []string) {
	t.Helper()
	sb := sandboxtest.Start(t, emulators.All()...)
	file := filepath.Join(sb.Env.Dir, "flowsctl.yaml")
	if path == "access" {
		oktaToAccess(t, file)
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	d := steps.UnattendedDeps(cfg, sandboxtest.Client(t, sb))
	run := func(mode setup.Mode) []setup.Result {
		if slow == "" {
			return steps.RunGraph(t, d, mode, setup.Options{})
		}
		return steps.RunGraphSlowing(t, d, mode, slow, delay)
	}
	status, detail = map[string]string{}, map[string]string{}
	for _, r := range run(setup.ModePlan) {
		status["plan "+r.ID], detail["plan "+r.ID] = fmt.Sprintf("%s, %d changes", r.Status, len(r.Changes)), r.Error
	}
	for _, r := range run(setup.ModeApply) {
		status["apply "+r.ID], detail["apply "+r.ID] = string(r.Status), r.Error
		if r.Status != setup.Skipped {
			ran = append(ran, r.ID)
		}
	}
	for _, r := range run(setup.ModeVerify) {
		for _, c := range r.Checks {
			status["check "+c.ID], detail["check "+c.ID] = string(c.Status), c.Detail
		}
	}
	return status, detail, ran
}

func sortedKeys(ms ...map[string]string) []string {
	var ks []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(ks, k) {
				ks = append(ks, k)
			}
		}
	}
	slices.Sort(ks)
	return ks
}
