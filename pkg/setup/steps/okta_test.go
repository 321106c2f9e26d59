package steps_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/explain"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/okta"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
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

// TestOktaToAccessWaitsForTheDirectory: on the Access path, Okta provisions its assigned users
// into Access's Okta directory as soon as the connection is on, and Access refuses a user whose
// domain belongs to no directory; Okta then marks the user ERROR and does not try again by
// itself. So okta.provisioning waits for access.directory, however slow Access is to create it
// (here Access answers the create 429 once, and the client waits out Retry-After).
func TestOktaToAccessWaitsForTheDirectory(t *testing.T) {
	sb := sandboxtest.Start(t, emulators.All()...)
	oktaToAccess(t, filepath.Join(sb.Env.Dir, "flowsctl.yaml"))
	cfg, err := config.Load(filepath.Join(sb.Env.Dir, "flowsctl.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OktaIdentityPath() || cfg.Access == nil || cfg.Access.Directory == nil {
		t.Fatal("the config is not the Okta to Access path with an Access directory")
	}
	slow := sandbox.FaultRule{Method: "POST", Path: "/SAAS/jersey/manager/api/connectormanagement/directoryconfigs", Kind: "429", Count: 1, RetryAfter: 2}
	if err := sb.SetFaults("access", sandbox.FaultSpec{Rules: []sandbox.FaultRule{slow}}); err != nil {
		t.Fatal(err)
	}
	hc := sandboxtest.Client(t, sb)
	rs := steps.ByID(steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), setup.ModeApply, setup.Options{}))
	for _, id := range []string{"access.directory", "okta.provisioning"} {
		if rs[id].Status != setup.Done {
			t.Fatalf("%s: %s %s", id, rs[id].Status, rs[id].Error)
		}
	}
	if f := sb.Faults("access"); len(f) != 1 || f[0].Remaining == nil || *f[0].Remaining != 0 {
		t.Fatalf("the directory create was not slowed: %+v", f)
	}
	v := steps.ByID(steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), setup.ModeVerify, setup.Options{}))
	seen := false
	for _, c := range v["okta.provisioning"].Checks {
		if c.ID == "okta.provisioning.users" {
			seen = true
			if c.Status != "pass" {
				t.Errorf("%s: %s %s", c.ID, c.Status, c.Detail)
			}
		}
	}
	if !seen {
		t.Errorf("no okta.provisioning.users check: %+v", v["okta.provisioning"].Checks)
	}
	b, _ := json.Marshal(sb.State("access"))
	for _, u := range []string{"ann@okta.example.com", "bob@okta.example.com", "carol@okta.example.com"} {
		if !strings.Contains(string(b), u) {
			t.Errorf("%s did not arrive in Access", u)
		}
	}
}

// TestDoctorQuotesOktasReason: when users assigned in Okta failed to provision, doctor quotes
// the cause from Okta's System Log (the app's own message), hands that text to flowsctl
// explain, and says how to retry in Okta. Without okta.logs.read it says which scope would
// show the cause, and sends no System Log request; a System Log that cannot be read is said so.
func TestDoctorQuotesOktasReason(t *testing.T) {
	const cause = "ERRORS REPORTED BY REMOTE SERVER: USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY."
	for _, tt := range []struct {
		name   string
		scopes []string // okta.auth.scopes; nil keeps the sandbox's (with okta.logs.read)
		fault  bool     // the System Log answers 500
		want   []string
	}{
		{name: "logs readable", want: []string{"3 of 3 sampled users failed to provision (ann@okta.example.com, ", `Okta's System Log: "` + cause + `" (3 users)`}},
		{name: "no logs scope", scopes: config.DefaultOktaScopes, want: []string{"3 of 3 sampled users", "add okta.logs.read to okta.auth.scopes"}},
		{name: "logs unreadable", fault: true, want: []string{"3 of 3 sampled users", "Okta's System Log could not be read"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb := sandboxtest.Start(t, emulators.All()...)
			file := filepath.Join(sb.Env.Dir, "flowsctl.yaml")
			oktaToAccess(t, file)
			cfg, err := config.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(cfg.Okta.Auth.Scopes, okta.LogsScope) {
				t.Fatalf("the sandbox's config does not ask for %s: %v", okta.LogsScope, cfg.Okta.Auth.Scopes)
			}
			hc := sandboxtest.Client(t, sb)
			for _, r := range steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), setup.ModeApply, setup.Options{}) {
				if r.Status == setup.Failed {
					t.Fatalf("apply %s: %s", r.ID, r.Error)
				}
			}
			// An admin maps another domain in Okta: the users' updates reach Access with a
			// domain no directory owns, and Access refuses each of them.
			c, err := okta.New(hc, cfg)
			if err != nil {
				t.Fatal(err)
			}
			app, err := c.FindApp(context.Background(), cfg.Okta.SCIMApp.Label)
			if err != nil || app == nil {
				t.Fatalf("the SCIM app: %v %v", app, err)
			}
			m, err := c.UserMapping(context.Background(), app.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.SetMapping(context.Background(), m.ID, map[string]okta.MappingProperty{"domain": {Expression: `"elsewhere.example.com"`, PushStatus: "PUSH"}}); err != nil {
				t.Fatal(err)
			}
			if tt.scopes != nil {
				cfg.Okta.Auth.Scopes = tt.scopes
			}
			if tt.fault {
				if err := sb.SetFaults("okta", sandbox.FaultSpec{Rules: []sandbox.FaultRule{{Method: "GET", Path: "/api/v1/logs", Kind: "500"}}}); err != nil {
					t.Fatal(err)
				}
			}
			sb.ClearRequests("okta")
			var got *doctor.Check
			for _, r := range steps.RunGraph(t, steps.UnattendedDeps(cfg, hc), setup.ModeVerify, setup.Options{}) {
				for i, ck := range r.Checks {
					if ck.ID == "okta.provisioning.users" {
						got = &r.Checks[i]
					}
				}
			}
			if got == nil || got.Status != doctor.Fail {
				t.Fatalf("okta.provisioning.users: %+v", got)
			}
			t.Logf("detail: %s\nfix: %s", got.Detail, got.Fix)
			for _, w := range tt.want {
				if !strings.Contains(got.Detail, w) {
					t.Errorf("detail %q\nwants %q", got.Detail, w)
				}
			}
			if !strings.Contains(got.Fix, "Assignments: retry the users in error") {
				t.Errorf("fix %q does not say how to retry in Okta", got.Fix)
			}
			asked := false
			for _, r := range sandboxtest.Requests(t, sb, "okta") {
				asked = asked || r.Path == "/api/v1/logs"
			}
			if asked == (tt.scopes != nil) {
				t.Errorf("System Log read: %v, with scopes %v", asked, cfg.Okta.Auth.Scopes)
			}
			if tt.scopes != nil || tt.fault {
				return
			}
			quoted, _, _ := strings.Cut(strings.TrimPrefix(got.Fix, `flowsctl explain "`), `"`)
			if ids := explainIDs(quoted); !slices.Contains(ids, "domain-not-in-directory") {
				t.Errorf("flowsctl explain %q knows it as %v", quoted, ids)
			}
		})
	}
}

func explainIDs(text string) []string {
	var ids []string
	for _, e := range explain.Match(text) {
		ids = append(ids, e.ID)
	}
	return ids
}
