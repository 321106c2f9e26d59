package steps_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// scimCall sends one SCIM request to Identity Services with tok and returns the status and body.
func scimCall(t *testing.T, hc *httpx.Client, method, u, tok string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/scim+json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestRotateOktaSCIMToken: on the sandbox (Identity Services path), the rotation generates a
// new token, sets it on Okta's provisioning connection (observed: connection enabled, no app
// user in error, the new token accepted by the SCIM endpoint); the old token gets 401; the generate comes before Okta's update; the record is
// 0600 without the token. With Okta refusing the API the rotation stops at a checklist and
// finishes after the operator's confirmation.
func TestRotateOktaSCIMToken(t *testing.T) {
	for _, refuse := range []bool{false, true} {
		name := map[bool]string{false: "api", true: "guided"}[refuse]
		t.Run(name, func(t *testing.T) {
			emus := emulators.All()
			oe := steps.EmulatorOf[*oktaemu.Emulator](t, emus)
			sb := sandboxtest.Start(t, emus...)
			cfg := steps.SandboxConfig(t, sb)
			if !cfg.OktaIdentityPath() {
				t.Skip("the sandbox config is not on the Identity Services path")
			}
			hc := sandboxtest.Client(t, sb)
			d := steps.UnattendedDeps(cfg, hc)
			steps.RunGraph(t, d, setup.ModeApply, setup.Options{})
			sink := cfg.IdentityServices.SCIMToken.Sink
			old, err := cfg.Secret(sink)
			if err != nil {
				t.Fatal(err)
			}
			users := sb.Services["identity"].URL + "/usergroup/scim/v2/Users"
			oe.RefuseConnections = refuse
			isBefore, oktaBefore := len(sandboxtest.Requests(t, sb, "identity")), len(sandboxtest.Requests(t, sb, "okta"))

			res, err := steps.RotateOktaSCIMToken(context.Background(), steps.WithShared(d), steps.RotateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if refuse {
				if res.Pending == "" || !strings.Contains(res.Pending, "Provisioning > Integration") || !strings.Contains(res.Pending, sink.Target()) {
					t.Fatalf("guided: %+v", res)
				}
				rec, _ := steps.ReadTokenRecord(cfg.Path)
				if rec == nil || rec.Phase != steps.PhaseIssued {
					t.Fatalf("record after the checklist: %+v", rec)
				}
				// The operator pastes the token (the sandbox's Okta takes it from the test) and confirms.
				oe.RefuseConnections = false
				newTok, _ := cfg.Secret(sink)
				if _, err := steps.OktaProvisioning(steps.WithShared(d), setup.Values{}); err != nil {
					t.Fatal(err)
				}
				p, _ := steps.OktaProvisioning(steps.WithShared(d), setup.Values{})
				if _, err := p.ReplaceToken(context.Background(), newTok); err != nil {
					t.Fatal(err)
				}
				res, err = steps.RotateOktaSCIMToken(context.Background(), steps.WithShared(d), steps.RotateOptions{Confirmed: true})
				if err != nil || res.Pending != "" {
					t.Fatalf("after --confirm: %v %+v", err, res)
				}
			}
			for _, c := range res.Checks {
				if c.Status == doctor.Fail {
					t.Errorf("check %s: %s %s", c.ID, c.Status, c.Detail)
				}
			}
			newTok, err := cfg.Secret(sink)
			if err != nil || newTok == old {
				t.Fatalf("the sink does not hold a new token: %v", err)
			}
			if st, _ := scimCall(t, hc, http.MethodGet, users+"?count=1", old); st != http.StatusUnauthorized {
				t.Errorf("old token after the rotation: %d, want 401", st)
			}
			if st, _ := scimCall(t, hc, http.MethodGet, users+"?count=1", newTok); st != http.StatusOK {
				t.Errorf("new token: %d", st)
			}
			// Order: the generate at Identity Services, then Okta's connection update.
			var gen, conn time.Duration = -1, -1
			for i, r := range sandboxtest.Requests(t, sb, "identity")[isBefore:] {
				if strings.Contains(r.Query, "generate_credentials") && gen < 0 {
					gen = time.Duration(i)
				}
			}
			for i, r := range sandboxtest.Requests(t, sb, "okta")[oktaBefore:] {
				if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/connections/default") && conn < 0 {
					conn = time.Duration(i)
				}
			}
			if gen < 0 || (!refuse && conn < 0) {
				t.Errorf("generate at %d, Okta update at %d", gen, conn)
			}
			p := steps.TokenRecordPath(cfg.Path)
			fi, err := os.Stat(p)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("record %s: %v", p, err)
			}
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), newTok) || strings.Contains(string(b), old) {
				t.Error("the record holds a token")
			}
			if ck := steps.TokenLifetimeCheck(cfg.Path, time.Now()); ck.Status != doctor.Pass {
				t.Errorf("lifetime right after the rotation: %s %s", ck.Status, ck.Detail)
			}
		})
	}
}

// TestTokenLifetimeCheck: from the recorded issue time, pass, warn near the end (14 days or
// 10% of the lifetime), fail once expired, skip without a record; the fix names the command.
func TestTokenLifetimeCheck(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "flowsctl.yaml")
	if ck := steps.TokenLifetimeCheck(cfgPath, time.Now()); ck.Status != doctor.Skip {
		t.Errorf("no record: %s", ck.Status)
	}
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := steps.TokenRecord{Target: "Identity Services", Phase: steps.PhaseDone, StartedAt: issued, IssuedAt: issued, ExpiresAt: issued.AddDate(0, 6, 0)}
	b, _ := json.Marshal(rec)
	os.MkdirAll(filepath.Dir(steps.TokenRecordPath(cfgPath)), 0o700)
	if err := os.WriteFile(steps.TokenRecordPath(cfgPath), b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want doctor.Status
	}{
		{issued.AddDate(0, 1, 0), doctor.Pass},
		{rec.ExpiresAt.Add(-10 * 24 * time.Hour), doctor.Warn},
		{rec.ExpiresAt.Add(-17 * 24 * time.Hour), doctor.Warn}, // under 10% of ~181 days
		{rec.ExpiresAt.Add(time.Hour), doctor.Fail},
	} {
		ck := steps.TokenLifetimeCheck(cfgPath, tc.at)
		if ck.Status != tc.want || (tc.want != doctor.Pass && !strings.Contains(ck.Fix, "flowsctl rotate okta-scim-token")) {
			t.Errorf("at %s: %s %q %q", tc.at.Format("2006-01-02"), ck.Status, ck.Detail, ck.Fix)
		}
	}
}

// TestRotateOktaSCIMTokenAccessPath: on the Access path the rotation gives Okta a new bearer
// token of the OktaSCIM client without rotating the client's secret (no write to the client:
// nothing else loses access), and provisioning is verified afterwards.
func TestRotateOktaSCIMTokenAccessPath(t *testing.T) {
	sb := sandboxtest.Start(t, emulators.All()...)
	cfg := steps.SandboxConfig(t, sb)
	if cfg.IdentityServices == nil || cfg.Access == nil || cfg.Access.SCIMClient == nil || cfg.Okta == nil {
		t.Skip("the sandbox config has no Access SCIM path")
	}
	cfg.IdentityServices.Enabled = false
	cfg.Okta.SCIMApp.CatalogName, cfg.Okta.SCIMApp.Label = oktaemu.AppAccess, "Workspace ONE Access SCIM"
	hc := sandboxtest.Client(t, sb)
	d := steps.UnattendedDeps(cfg, hc)
	for _, r := range steps.RunGraph(t, d, setup.ModeApply, setup.Options{}) {
		if r.Status == setup.Failed || r.Status == setup.Skipped {
			t.Logf("%s: %s %s %s", r.ID, r.Status, r.Reason, r.Error)
		}
		if r.ID == "okta.provisioning" && r.Status != setup.Done {
			t.Fatalf("okta.provisioning on the Access path: %s %s", r.Status, r.Error)
		}
	}
	acBefore, oktaBefore := len(sandboxtest.Writes(t, sb, "access")), len(sandboxtest.Writes(t, sb, "okta"))
	res, err := steps.RotateOktaSCIMToken(context.Background(), steps.WithShared(d), steps.RotateOptions{})
	if err != nil || res.Pending != "" || res.Target != "Access" {
		t.Fatalf("%v %+v", err, res)
	}
	for _, c := range res.Checks {
		if c.Status == doctor.Fail {
			t.Errorf("check %s: %s", c.ID, c.Detail)
		}
	}
	if w := credentialWrites(t, sb, "access", acBefore); len(w) > 0 {
		t.Errorf("the rotation wrote to Access (the secret must stay): %v", w)
	}
	var conn bool
	for _, w := range sandboxtest.Writes(t, sb, "okta")[oktaBefore:] {
		conn = conn || strings.HasSuffix(w.Path, "/connections/default")
	}
	if !conn {
		t.Error("Okta's connection was not given the new token")
	}
	rec, err := steps.ReadTokenRecord(cfg.Path)
	if err != nil || rec == nil || rec.Target != "Access" || rec.Phase != steps.PhaseDone || !rec.ExpiresAt.After(rec.IssuedAt) {
		t.Errorf("record: %v %+v", err, rec)
	}
}
