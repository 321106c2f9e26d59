package e2e

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestEndToEnd: fresh apply; a second apply makes zero writes in every emulator; plan after
// apply exits 0; doctor exits 0 (text, json and junit); then each drift is caught by doctor
// (exit 2, naming the check and its fix), repaired by apply, and doctor passes again.
func TestEndToEnd(t *testing.T) {
	e := startSandbox(t)

	r := e.Run(t, "plan", "-o", "json")
	if r.Code != 2 {
		t.Fatalf("plan on a fresh tenant: exit %d, want 2 (changes pending)\n%s%s", r.Code, r.Out, r.Err)
	}

	r = e.Run(t, "apply", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("fresh apply: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	steps := decodeSteps(t, r)
	for _, s := range steps {
		switch s.Status {
		case "done", "unchanged", "skipped":
		default:
			t.Errorf("fresh apply: step %s is %s: %s %s", s.ID, s.Status, s.Error, s.Reason)
		}
	}

	e.ClearLogs()
	r = e.Run(t, "apply", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("second apply: exit %d\n%s", r.Code, r.Err)
	}
	for _, s := range decodeSteps(t, r) {
		if s.Status != "unchanged" && s.Status != "skipped" {
			t.Errorf("second apply: step %s is %s, want unchanged", s.ID, s.Status)
		}
	}
	for svc, ws := range e.Writes() {
		for _, w := range ws {
			t.Errorf("second apply wrote to %s: %s %s", svc, w.Method, w.Path)
		}
	}

	if r = e.Run(t, "plan"); r.Code != 0 {
		t.Fatalf("plan after apply: exit %d\n%s", r.Code, r.Out)
	}
	if r = e.Run(t, "doctor", "-o", "json"); r.Code != 0 {
		t.Fatalf("doctor after apply: exit %d\n%s", r.Code, dump(failed(decodeChecks(t, r))))
	}
	r = e.Run(t, "doctor", "-o", "junit")
	var suites struct {
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal([]byte(r.Out), &suites); err != nil {
		t.Fatalf("doctor -o junit is not XML: %v\n%s", err, r.Out)
	}
	if len(suites.Cases) < 10 {
		t.Fatalf("junit has %d testcases, want >= 10", len(suites.Cases))
	}

	for _, d := range drifts {
		t.Run(d.name, func(t *testing.T) {
			if !e.Has(d.service) {
				t.Skipf("no %s emulator registered", d.service)
			}
			d.make(t, e)
			r := e.Run(t, "doctor", "-o", "json")
			if r.Code != 2 {
				t.Fatalf("doctor after drift: exit %d, want 2\n%s", r.Code, r.Out)
			}
			bad := failed(decodeChecks(t, r))
			found := false
			for _, c := range bad {
				if strings.HasPrefix(c.ID, d.check) && strings.Contains(c.Fix, d.fix) {
					found = true
				}
			}
			if !found {
				t.Fatalf("doctor did not name %s with fix %q; failing checks:\n%s", d.check, d.fix, dump(bad))
			}
			text := e.Run(t, "doctor")
			if !strings.Contains(text.Out, d.check) || !strings.Contains(text.Out, d.fix) {
				t.Fatalf("doctor text output does not name %s and its fix:\n%s", d.check, text.Out)
			}
			if r := e.Run(t, "apply"); r.Code != 0 {
				t.Fatalf("repair apply: exit %d\n%s%s", r.Code, r.Out, r.Err)
			}
			if r := e.Run(t, "doctor", "-o", "json"); r.Code != 0 {
				t.Fatalf("doctor after repair: exit %d\n%s", r.Code, dump(failed(decodeChecks(t, r))))
			}
		})
	}
}
