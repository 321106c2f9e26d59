package steps_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// TestOktaEndToEnd: on the sandbox, apply creates the Okta SCIM and OIDC apps, assigns and
// pushes groups and sets the provisioning connection with the Identity Services token, so the
// users assigned in Okta arrive in Identity Services; a second apply writes nothing to Okta;
// where Okta refuses the connection, the step is an operator step, not a failure.
func TestOktaEndToEnd(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		name := "api"
		if refuse {
			name = "okta refuses the connection"
		}
		t.Run(name, func(t *testing.T) {
			emus := emulators.All()
			steps.EmulatorOf[*oktaemu.Emulator](t, emus).RefuseConnections = refuse
			sb := sandboxtest.Start(t, emus...)
			cfg := steps.SandboxConfig(t, sb)
			hc := sandboxtest.Client(t, sb)
			run := func(mode setup.Mode) map[string]setup.Result {
				return steps.ByID(steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), mode, setup.Options{}))
			}
			rs := run(setup.ModeApply)
			for _, id := range []string{"okta.scimApp", "okta.groupPush", "okta.oidcApp"} {
				if refuse && id == "okta.groupPush" {
					// Pushing waits for the provisioning the operator sets up.
					if rs[id].Status != setup.Skipped {
						t.Errorf("%s: %s, want skipped while provisioning is pending", id, rs[id].Status)
					}
					continue
				}
				if rs[id].Status != setup.Done {
					t.Errorf("%s: %s %s", id, rs[id].Status, rs[id].Error)
				}
			}
			p := rs["okta.provisioning"]
			if refuse {
				if p.Status != setup.Operator || !strings.Contains(p.Operator, "Configure API Integration") || !strings.Contains(p.Operator, "directory token in") {
					t.Errorf("refused connection: %s %q %s", p.Status, p.Operator, p.Error)
				}
				return
			}
			if p.Status != setup.Done {
				t.Fatalf("okta.provisioning: %s %s", p.Status, p.Error)
			}
			b, _ := json.Marshal(sb.State("identity"))
			for _, u := range []string{"ann@okta.example.com", "bob@okta.example.com", "carol@okta.example.com"} {
				if !strings.Contains(string(b), u) {
					t.Errorf("%s did not arrive in Identity Services", u)
				}
			}
			before := len(sandboxtest.Writes(t, sb, "okta"))
			run(setup.ModeApply)
			var writes []string
			for _, w := range sandboxtest.Writes(t, sb, "okta")[before:] {
				if !strings.HasSuffix(w.Path, "/token") {
					writes = append(writes, w.Method+" "+w.Path)
				}
			}
			if len(writes) > 0 {
				t.Errorf("re-run wrote to Okta: %v", writes)
			}
			checks := 0
			for id, r := range run(setup.ModeVerify) {
				if !strings.HasPrefix(id, "okta.") {
					continue
				}
				for _, c := range r.Checks {
					checks++
					if c.Status != "pass" {
						t.Errorf("%s: %s %s (%s)", c.ID, c.Status, c.Detail, c.Fix)
					}
				}
			}
			if checks < 6 {
				t.Errorf("%d Okta checks", checks)
			}
		})
	}
}
