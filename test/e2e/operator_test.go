package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGuidedModeIsAnOperatorStep: with uem.mobileFlows.mode guided (no admin API), the tenant
// registration and the connectors are console steps: plan shows them as operator (exit 2),
// apply --no-input prints the checklist with the Entra client id filled in and exits 3, never
// printing a secret; `apply --only` of an unrelated step still exits 0.
func TestGuidedModeIsAnOperatorStep(t *testing.T) {
	e := sandboxWith(t, "mobileflows", "no mobileflows emulator")
	args := guidedArgs(t, e)
	run := func(a ...string) result { return flowsctl(t, append(a, args...)...) }

	r := run("plan")
	if r.Code != 2 || !strings.Contains(r.Out, "operator") {
		t.Fatalf("plan: exit %d, want 2 with operator steps\n%s%s", r.Code, r.Out, r.Err)
	}
	r = run("apply")
	if r.Code != 3 {
		t.Fatalf("apply: exit %d, want 3 (operator step pending)\n%s%s", r.Code, r.Out, r.Err)
	}
	all := r.Out + r.Err
	for _, want := range []string{"Mobile Flows", "Begin", "Still to do by hand", "Hub Services"} {
		if !strings.Contains(all, want) {
			t.Errorf("apply output lacks the checklist item %q", want)
		}
	}
	secret, _ := os.ReadFile(filepath.Join(filepath.Dir(e.SB.ConfigPath()), "secrets", "teams-client-secret"))
	if s := strings.TrimSpace(string(secret)); s != "" && strings.Contains(all, s) {
		t.Fatal("the Entra client secret appeared in apply's output")
	}
	// Everything else converged; a second run is still pending only on the operator steps.
	r = run("apply", "-o", "json")
	if r.Code != 3 {
		t.Fatalf("second apply: exit %d, want 3", r.Code)
	}
	for _, s := range decodeSteps(t, r) {
		switch {
		case s.ID == "uem.mobileflows.tenant", s.ID == "hub.mobileflows":
			// Both are console steps in guided mode: Hub Services' switch is listed to do by hand
			// even while the tenant registration is pending.
			if s.Status != "operator" {
				t.Errorf("%s is %s, want operator", s.ID, s.Status)
			}
		case s.ID == "uem.connectors":
			if s.Status != "skipped" || !strings.Contains(s.Reason, "operator") {
				t.Errorf("%s is %s (%s), want skipped waiting for the operator", s.ID, s.Status, s.Reason)
			}
		case s.Status != "unchanged" && s.Status != "skipped":
			t.Errorf("%s is %s, want unchanged", s.ID, s.Status)
		}
	}
	if r := run("apply", "--only", "access.template"); r.Code != 0 {
		t.Fatalf("apply --only access.template: exit %d\n%s", r.Code, r.Err)
	}
}
