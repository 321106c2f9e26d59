package scim

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/identityemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/scim"
	"github.com/flowsctl/flowsctl/pkg/scim/scimtest"
)

// accessCommon serves the Access emulator and returns what a command needs to run against it:
// Common (json output, no input) and the SCIM target.
func accessCommon(t *testing.T) (cmdutil.Common, TargetFlags, *scim.Client, *iostreams.IOStreams) {
	t.Helper()
	cl, _, _ := scimtest.Access(t)
	ios, _, _, _ := iostreams.Test()
	c := cmdutil.Common{IO: ios, Flags: &cmdutil.GlobalFlags{Output: "json", NoInput: true},
		Prompter: func() prompt.Prompter { return prompt.NoInput{} }}
	return c, TargetFlags{Resolved: &scim.Target{Client: cl, URL: cl.Base(), Domain: scimtest.Domain}}, cl, ios
}

func TestPrune(t *testing.T) {
	t.Parallel()
	c, tf, cl, _ := accessCommon(t)
	ctx := context.Background()
	// a: Okta deleted it (disabled, gone from the source); b: disabled but still in the
	// source (merely unassigned); c: active; h: disabled but hand-made (no externalId).
	for _, u := range []struct {
		name, ext string
		active    bool
	}{{"a", "00ua", false}, {"b", "00ub", false}, {"c", "00uc", true}, {"h", "", false}} {
		got, _, err := cl.CreateUser(ctx, scim.User{UserName: u.name, ExternalID: u.ext, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		if !u.active {
			cl.SetActive(ctx, got.ID, false)
		}
	}
	from := filepath.Join(t.TempDir(), "okta.csv")
	if err := os.WriteFile(from, []byte("userName,externalId\nb,00ub\nc,00uc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    PruneOptions
		wantErr string
		left    int
	}{
		{"dry run changes nothing", PruneOptions{From: from, DryRun: true}, "", 4},
		{"no source refuses", PruneOptions{Yes: true, MaxDelete: "50%"}, "--from", 4},
		{"no-input without --yes refuses", PruneOptions{From: from, MaxDelete: "50%"}, "--yes", 4},
		{"more than --max-delete refuses", PruneOptions{From: from, Yes: true}, "--force", 4},
		{"--yes deletes only the user whose source is gone", PruneOptions{From: from, Yes: true, MaxDelete: "50%"}, "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Common, o.Target = c, tf
			err := pruneRun(&o)
			if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
			n := 0
			for _, err := range cl.Users(ctx, scim.ListOptions{}) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != tt.left {
				t.Fatalf("%d users left, want %d", n, tt.left)
			}
		})
	}
}

func TestFixDomain(t *testing.T) {
	t.Parallel()
	c, tf, cl, ios := accessCommon(t)
	ctx := context.Background()
	u, _, _ := cl.CreateUser(ctx, scim.User{UserName: "ann", Active: true})
	// Okta's push: no domain -> System Domain.
	r, err := cl.Raw(ctx, "POST", "/Groups", nil, map[string]any{"schemas": []string{scim.SchemaCore1}, "displayName": "Sales",
		"externalId": "00gSales", "members": []map[string]string{{"value": u.ID}}}, nil)
	if err != nil || r.Status != 201 {
		t.Fatalf("%v %+v", err, r)
	}
	// A hand-made System-domain group (no externalId) is never recreated or deleted.
	r, err = cl.Raw(ctx, "POST", "/Groups", nil, map[string]any{"schemas": []string{scim.SchemaCore1}, "displayName": "Local Console Admins"}, nil)
	if err != nil || r.Status != 201 {
		t.Fatalf("%v %+v", err, r)
	}
	if err := fixDomainRun(&FixDomainOptions{Common: c, Target: tf, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	gs, _ := cl.FindGroups(ctx, "Sales")
	if len(gs) != 1 || !scim.IsSystemDomain(gs[0].Domain) {
		t.Fatalf("dry run changed groups: %+v", gs)
	}
	buf := ios.Out.(interface{ Reset() })
	buf.Reset()
	if err := fixDomainRun(&FixDomainOptions{Common: c, Target: tf, Yes: true}); err != nil {
		t.Fatal(err)
	}
	var res []FixResult
	if err := json.Unmarshal([]byte(ios.Out.(interface{ String() string }).String()), &res); err != nil || len(res) != 1 || !strings.Contains(res[0].NextStep, "Link Group") {
		t.Fatalf("result: %v %+v", err, res)
	}
	gs, _ = cl.FindGroups(ctx, "Sales")
	if len(gs) != 1 || gs[0].Domain != "okta.example.com" || len(gs[0].Members) != 1 {
		t.Fatalf("after fix: %+v", gs)
	}
	gs, _ = cl.FindGroups(ctx, "Local Console Admins")
	if len(gs) != 1 || !scim.IsSystemDomain(gs[0].Domain) {
		t.Fatalf("hand-made System group touched: %+v", gs)
	}
}

// identityCommon serves the Identity Services emulator with its generated flowsctl.yaml and a
// SCIM token (of a directory with domain) in the configured sink.
func identityCommon(t *testing.T, domain, format string) (cmdutil.Common, *iostreams.IOStreams) {
	t.Helper()
	emu := identityemu.New()
	sb := sandboxtest.Start(t, emu)
	hc := sandboxtest.Client(t, sb)
	cfg, err := config.Load(sb.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	tok := emu.IssueSCIMToken(cfg.IdentityServices.Directory.Name, domain, 90*24*time.Hour)
	if err := cfg.WriteSecret(cfg.IdentityServices.SCIMToken.Sink, tok); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	return cmdutil.Common{IO: ios, Flags: &cmdutil.GlobalFlags{Output: format, NoInput: true},
		Config:     func() (*config.Config, error) { return cfg, nil },
		HTTPClient: func() (*httpx.Client, error) { return hc, nil }}, ios
}

// TestVerifyAndTestPrintChecks: scim verify runs doctor's directory check (the
// identity.directory step) and both commands print through the one check printer.
func TestVerifyAndTestPrintChecks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, cmd, domain, format string
		wantExit                  int
		want                      []string
	}{
		{"verify junit", "verify", "example.com", "junit", 0, []string{"<testsuite", `name="scim.token: SCIM token accepted"`, `name="identity.directory: `}},
		{"verify yaml, directory domain differs", "verify", "elsewhere.example.com", "yaml", cmdutil.ExitPending,
			[]string{"identity.directory.domain", `domain is "elsewhere.example.com", want "example.com"`}},
		{"verify json", "verify", "example.com", "json", 0, []string{`"id": "identity.directory"`, `"status": "pass"`}},
		{"test junit", "test", "example.com", "junit", 0, []string{"<testsuite", "R12"}},
		{"test yaml", "test", "example.com", "yaml", 0, []string{"status: pass", "R1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ios := identityCommon(t, tt.domain, tt.format)
			var err error
			if tt.cmd == "verify" {
				err = verifyRun(&VerifyOptions{Common: c})
			} else {
				err = testRun(&TestOptions{Common: c})
			}
			code := 0
			if ee := (*cmdutil.ExitError)(nil); errors.As(err, &ee) {
				code = ee.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantExit {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantExit)
			}
			out := ios.Out.(interface{ String() string }).String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestParseShare(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"10%": 0.10, "25": 0.25, "0.5": 0.5, "": 0.10, "100%": 1} {
		if got, err := ParseShare(in); err != nil || got != want {
			t.Errorf("ParseShare(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-5%", "150%", "lots"} {
		if _, err := ParseShare(in); err == nil || !strings.Contains(err.Error(), "--max-delete") {
			t.Errorf("ParseShare(%q) = %v, want an error naming --max-delete", in, err)
		}
	}
}
