package soak

import (
	"encoding/json"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

// TestSecretOrphanAfterCommitThen500: Graph adds the client secret but the answer is lost
// (commit-then-500); apply (or its re-run) must not leave the first secret, whose value nobody
// holds, on the application. (Soak seed 69 still ends with two secrets when a second fault
// stops the first apply after the lost answer: see docs/reliability.md.)
func TestSecretOrphanAfterCommitThen500(t *testing.T) {
	sb := sandboxtest.Start(t, emulators.All()...)
	if sb.Services["graph"] == nil {
		t.Skip("no Graph emulator")
	}
	if err := sb.SetFaults("graph", sandbox.FaultSpec{Rules: []sandbox.FaultRule{
		{Method: "POST", Path: "/v1.0/applications/*/addPassword", Kind: "commit-then-500", Count: 1}}}); err != nil {
		t.Fatal(err)
	}
	r := run(t, sb, *attempt, "apply", "-o", "json")
	t.Logf("apply with the lost addPassword answer: exit %d", r.Code)
	if r := run(t, sb, *attempt, "apply", "-o", "json"); r.Code != 0 && r.Code != 3 {
		t.Fatalf("re-run: exit %d\n%s", r.Code, harness.Tail(r.Err, 2000))
	}
	b, _ := json.Marshal(sb.State("graph"))
	var st struct {
		Applications []struct {
			UniqueName          string `json:"uniqueName"`
			PasswordCredentials []any  `json:"passwordCredentials"`
		} `json:"applications"`
	}
	json.Unmarshal(b, &st)
	for _, a := range st.Applications {
		if n := len(a.PasswordCredentials); n > 1 {
			t.Errorf("application %s: %d client secrets after a lost addPassword answer, want 1", a.UniqueName, n)
		}
	}
}
