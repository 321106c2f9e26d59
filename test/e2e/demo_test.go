package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
)

// TestDemo runs `flowsctl demo` through the command tree: plan -> apply -> doctor on an
// in-process sandbox, exit 0, and the output says what was created and how to look at it.
func TestDemo(t *testing.T) {
	if len(emulators.All()) == 0 {
		t.Skip("no emulators registered")
	}
	r := flowsctl(t, "demo", "--no-input")
	if r.Code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", r.Code, r.Out, r.Err)
	}
	for _, want := range []string{"Created or converged", "flowsctl sandbox up --dir ./sandbox", "doctor:"} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.Out)
		}
	}
	r = flowsctl(t, "demo", "--no-input", "-o", "json")
	var rep struct {
		OK    bool `json:"ok"`
		Apply struct {
			Steps []stepJSON `json:"steps"`
		} `json:"apply"`
	}
	if err := json.Unmarshal([]byte(r.Out), &rep); err != nil || !rep.OK || len(rep.Apply.Steps) == 0 {
		t.Fatalf("demo -o json: %v ok=%v steps=%d\n%s", err, rep.OK, len(rep.Apply.Steps), r.Out)
	}
}
