package setupcmd

import (
	"context"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
)

// TestDemoEndsWithTheToDoList: the demo, like apply, ends with "Still to do by hand": the
// console-only steps (Identity Services' service selection, the Hub and Boxer releases) with
// their console paths; they do not fail the demo, and doctor reports them as to do, not passed.
func TestDemoEndsWithTheToDoList(t *testing.T) {
	if len(emulators.All()) == 0 {
		t.Skip("no emulators")
	}
	io, _, out, errOut := iostreams.Test()
	o := &DemoOptions{Common: common(io, "", true), Dir: t.TempDir()}
	o.Ctx = context.Background()
	if err := demoRun(o); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out, errOut)
	}
	text := out.String()
	i := strings.Index(text, "Still to do by hand (")
	if i < 0 {
		t.Fatalf("no to-do list:\n%s", text)
	}
	for _, want := range []string{"identity.services", "Integrations > Identity Services", "hub.clientVersions", "record it: flowsctl confirm identity.services -f "} {
		if !strings.Contains(text[i:], want) {
			t.Errorf("to-do list lacks %q:\n%s", want, text[i:])
		}
	}
	if !strings.Contains(text, "2 to do by hand") {
		t.Errorf("doctor summary does not count the steps to do:\n%s", text)
	}
}
