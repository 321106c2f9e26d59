package steps_test

import (
	"os"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// credentialWrites are the writes to a service other than token requests (which only read).
func credentialWrites(t *testing.T, sb *sandbox.Sandbox, name string, from int) []string {
	var out []string
	for _, w := range sandboxtest.Writes(t, sb, name)[from:] {
		if !strings.HasSuffix(w.Path, "/token") && !strings.HasSuffix(w.Path, "/oauthtoken") {
			out = append(out, w.Method+" "+w.Path+"?"+w.Query)
		}
	}
	return out
}

// TestMissingSinkNeverRotates is the regression test for silent revocation: with both sinks
// gone (a CI runner, a second admin's laptop), apply makes no write to Identity Services nor
// to Access, and reports "exists remotely; value not here" with the choices; plan and apply
// with --rotate show and perform a rotate naming what to re-paste where.
func TestMissingSinkNeverRotates(t *testing.T) {
	sb := sandboxtest.Start(t, emulators.All()...)
	cfg := steps.SandboxConfig(t, sb)
	hc := sandboxtest.Client(t, sb)
	only := []string{"identity.scimToken", "access.scimClient"}
	run := func(mode setup.Mode, stepIDs []string, rotate ...string) map[string]setup.Result {
		d := steps.UnattendedDeps(cfg, hc)
		d.Rotate = rotate
		return steps.ByID(steps.RunGraph(t, d, mode, setup.Options{Only: stepIDs}))
	}
	rs := run(setup.ModeApply, nil) // the whole setup once, as an admin's first apply
	for _, id := range only {
		if rs[id].Status != setup.Done && rs[id].Status != setup.Unchanged {
			t.Fatalf("first apply %s: %s %s", id, rs[id].Status, rs[id].Error)
		}
	}
	tokenSink := cfg.IdentityServices.SCIMToken.Sink.Target()
	secretSink := cfg.Access.SCIMClient.SecretSink.Target()
	for _, p := range []string{tokenSink, secretSink} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	isBefore, acBefore := len(sandboxtest.Writes(t, sb, "identity")), len(sandboxtest.Writes(t, sb, "access"))

	rs = run(setup.ModeApply, only)
	if w := credentialWrites(t, sb, "identity", isBefore); len(w) > 0 {
		t.Errorf("apply with the token sink missing wrote to Identity Services: %v", w)
	}
	if w := credentialWrites(t, sb, "access", acBefore); len(w) > 0 {
		t.Errorf("apply with the secret sink missing wrote to Access: %v", w)
	}
	for _, id := range only {
		r := rs[id]
		if r.Status != setup.Operator || !strings.Contains(r.Operator, "exists remotely; value not here") ||
			!strings.Contains(r.Operator, "restore") || !strings.Contains(r.Operator, "--rotate "+id) {
			t.Errorf("%s: %s %q %s", id, r.Status, r.Operator, r.Error)
		}
	}
	for _, p := range []string{tokenSink, secretSink} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written without --rotate", p)
		}
	}

	rs = run(setup.ModePlan, only, only...)
	for _, id := range only {
		var rot *plan.Change
		for i, c := range rs[id].Changes {
			if c.Action == plan.Rotate {
				rot = &rs[id].Changes[i]
			}
		}
		if rot == nil || !strings.Contains(rot.Note, "Okta") {
			t.Errorf("plan --rotate %s: no rotate change naming Okta: %+v", id, rs[id].Changes)
		}
	}
	if w := credentialWrites(t, sb, "identity", isBefore); len(w) > 0 {
		t.Errorf("plan wrote: %v", w)
	}

	rs = run(setup.ModeApply, only, only...)
	for _, id := range only {
		r := rs[id]
		var note string
		for _, c := range r.Changes {
			note += string(c.Action) + " " + c.Note + "; "
		}
		if r.Status != setup.Done || !strings.Contains(note, "rotate ") || !strings.Contains(note, "Okta") {
			t.Errorf("apply --rotate %s: %s %q %s", id, r.Status, note, r.Error)
		}
	}
	if w := credentialWrites(t, sb, "identity", isBefore); len(w) != 1 || !strings.Contains(w[0], "generate_credentials") {
		t.Errorf("apply --rotate identity.scimToken: writes %v, want one generate", w)
	}
	if w := credentialWrites(t, sb, "access", acBefore); len(w) != 1 || !strings.HasPrefix(w[0], "PUT ") {
		t.Errorf("apply --rotate access.scimClient: writes %v, want one PUT", w)
	}
	for _, p := range []string{tokenSink, secretSink} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s after --rotate: %v", p, err)
		}
	}
}
