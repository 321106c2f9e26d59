package e2e

import (
	"testing"
)

// TestApplyOnlyReadsDependencies: `apply --only uem.connectors` after the Teams connector was
// deleted re-creates it with the Entra client id read from azure.app (status read, no write to
// Graph), and touches no other step.
func TestApplyOnlyReadsDependencies(t *testing.T) {
	e := startSandbox(t)
	var del *drift
	for i := range drifts {
		if drifts[i].name == "Teams connector deleted" {
			del = &drifts[i]
		}
	}
	if del == nil || !e.Has("mobileflows") || !e.Has("graph") {
		t.Skip("needs the Entra and mobile flows emulators")
	}
	if r := e.Run(t, "apply"); r.Code != 0 {
		t.Fatalf("apply: exit %d\n%s", r.Code, r.Err)
	}
	del.make(t, e)
	e.ClearLogs()
	r := e.Run(t, "apply", "--only", "uem.connectors", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("apply --only uem.connectors: exit %d\n%s%s", r.Code, r.Out, r.Err)
	}
	got := map[string]string{}
	for _, s := range decodeSteps(t, r) {
		got[s.ID] = s.Status
	}
	if got["azure.app"] != "read" || got["uem.connectors"] != "done" {
		t.Fatalf("statuses %v: want azure.app read, uem.connectors done", got)
	}
	if _, ok := got["access.directory"]; ok {
		t.Fatalf("an unrelated step ran: %v", got)
	}
	if ws := e.Writes()["graph"]; len(ws) != 0 {
		t.Fatalf("--only uem.connectors wrote to Graph: %v", ws)
	}
	if r := e.Run(t, "doctor", "--only", "uem.connectors"); r.Code != 0 {
		t.Fatalf("doctor after the repair: exit %d\n%s", r.Code, r.Out)
	}
}
