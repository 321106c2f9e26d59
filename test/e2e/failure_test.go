package e2e

import (
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// TestFailureStopsOnlyDependants: Graph answers 500 to every application write, so azure.app
// fails (exit 1, with the object and a fix); uem.connectors, which needs its client id, is
// skipped with the reason; every other step converges. Once Graph recovers, a re-run resumes.
func TestFailureStopsOnlyDependants(t *testing.T) {
	e := sandboxWith(t, "graph", "no Graph emulator")
	if err := e.SB.SetFaults("graph", sandbox.FaultSpec{Rules: []sandbox.FaultRule{{Method: "PATCH", Path: "/v1.0/applications*", Kind: "500"}}}); err != nil {
		t.Fatal(err)
	}
	r := e.Run(t, "apply", "-o", "json")
	if r.Code != 1 {
		t.Fatalf("apply with Graph failing: exit %d, want 1\n%s", r.Code, r.Err)
	}
	for _, s := range decodeSteps(t, r) {
		switch s.ID {
		case "azure.app":
			if s.Status != "failed" || !strings.Contains(s.Error, "ws1-mobile-flows-teams") || s.Fix == "" {
				t.Errorf("azure.app: %s %q fix %q", s.Status, s.Error, s.Fix)
			}
		case "uem.connectors":
			if s.Status != "skipped" || !strings.Contains(s.Reason, "azure.app, which failed") {
				t.Errorf("uem.connectors: %s %q", s.Status, s.Reason)
			}
		case "uem.integrations":
		default:
			if s.Status != "done" && s.Status != "unchanged" && s.Status != "skipped" {
				t.Errorf("%s: %s %s (an independent step must not be stopped)", s.ID, s.Status, s.Error)
			}
		}
	}
	if err := e.SB.SetFaults("graph", sandbox.FaultSpec{}); err != nil {
		t.Fatal(err)
	}
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("re-run after Graph recovered: exit %d\n%s", r.Code, r.Err)
	}
	if r := e.Run(t, "plan"); r.Code != 0 {
		t.Fatalf("plan after the resumed apply: exit %d\n%s", r.Code, r.Out)
	}
}
