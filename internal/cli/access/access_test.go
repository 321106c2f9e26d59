package access

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/accessemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

type fixture struct{ *cmdtest.Fixture }

// newFixture serves the Access emulator; --debug: the trace goes to stderr like the real
// factory does.
func newFixture(t *testing.T) *fixture {
	return &fixture{cmdtest.NewFixture(t, true, accessemu.New())}
}

func (f *fixture) common(output string) cmdutil.Common { return f.Common(output, false) }

func (f *fixture) apply(output string, b builder, dryRun bool) error {
	return applyRun(&ApplyOptions{Common: f.common(output), build: b, DryRun: dryRun})
}

func (f *fixture) verify(output string, b builder) error {
	return verifyRun(&VerifyOptions{Common: f.common(output), build: b})
}

func (f *fixture) writes(t *testing.T) int {
	n := 0
	for _, w := range sandboxtest.Writes(t, f.SB, "access") {
		if !strings.Contains(w.Path, "oauthtoken") {
			n++
		}
	}
	return n
}

func TestApplyCommandsDryRunThenApplyThenNoWrites(t *testing.T) {
	f := newFixture(t)
	runs := map[string]builder{"template": buildTemplate, "client": buildClient, "directory": buildDirectory}
	for _, name := range []string{"template", "client", "directory"} {
		if err := f.apply("json", runs[name], true); err != nil {
			t.Fatalf("%s --dry-run: %v", name, err)
		}
		var dry applyOutput
		if err := json.Unmarshal(f.Out.Bytes(), &dry); err != nil || !dry.DryRun || len(dry.Changes) != 1 || dry.Changes[0].Action != "create" {
			t.Fatalf("%s --dry-run -o json = %s (%v)", name, f.Out, err)
		}
	}
	if n := f.writes(t); n != 0 {
		t.Fatalf("--dry-run made %d writes", n)
	}
	for _, name := range []string{"template", "client", "directory"} {
		if err := f.apply("text", runs[name], false); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(f.Out.String(), "created") {
			t.Errorf("%s printed %q; want created ...", name, f.Out)
		}
	}
	n := f.writes(t)
	for _, name := range []string{"template", "client", "directory"} {
		if err := f.apply("json", runs[name], false); err != nil {
			t.Fatalf("%s again: %v", name, err)
		}
		var res applyOutput
		if json.Unmarshal(f.Out.Bytes(), &res); res.Result == nil || res.Result.Action != "no-op" {
			t.Errorf("%s again printed %s; want no-op", name, f.Out)
		}
	}
	if m := f.writes(t); m != n {
		t.Errorf("second run made %d writes", m-n)
	}
}

func TestTokenPrintsOnlyTheTokenOnStdout(t *testing.T) {
	cases := []struct {
		name string
		ttl  string
		warn bool
	}{
		{"one year", "1y", false},
		{"one week warns", "7d", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Cfg.Access.SCIMClient.AccessTokenTTL = config.MustDuration(tc.ttl)
			if err := f.apply("text", buildClient, false); err != nil {
				t.Fatal(err)
			}
			f.Err.Reset()
			if err := tokenRun(&ClientOptions{Common: f.common("text"), ClientID: "OktaSCIM"}); err != nil {
				t.Fatal(err)
			}
			tok := f.Out.String()
			if strings.Count(tok, "\n") != 1 || len(tok) < 40 || strings.Contains(tok, " ") {
				t.Fatalf("stdout = %q; want the token and a newline only", tok)
			}
			stderr := f.Err.String()
			if !strings.Contains(stderr, "API Token") || !strings.Contains(stderr, "expires") {
				t.Errorf("stderr lacks the expiry or Okta's field: %s", stderr)
			}
			if got := strings.Contains(stderr, "warning: the token lives less than 30 days"); got != tc.warn {
				t.Errorf("warning shown = %v, want %v", got, tc.warn)
			}
			if strings.Contains(stderr, strings.TrimSpace(tok)) {
				t.Error("the token is in the --debug trace")
			}
			sink := strings.TrimPrefix(string(f.Cfg.Access.SCIMClient.SecretSink), "file:")
			b, _ := os.ReadFile(sink)
			secret := strings.TrimSpace(string(b))
			if len(secret) < 48 || strings.Contains(stderr+f.Out.String(), secret) {
				t.Errorf("secret length %d; or the secret leaked into output", len(secret))
			}
		})
	}
}

func TestVerifyExitsTwoOnFailure(t *testing.T) {
	f := newFixture(t)
	for _, format := range []string{"json", "junit"} {
		err := f.verify(format, buildTemplate)
		if cmdutil.CodeOf(err) != cmdutil.ExitPending {
			t.Fatalf("verify -o %s of a missing template: exit %d (%v); want 2", format, cmdutil.CodeOf(err), err)
		}
		if !strings.Contains(f.Out.String(), "flowsctl access template apply") {
			t.Errorf("-o %s: no fix in %s", format, f.Out)
		}
	}
	if !strings.Contains(f.Out.String(), "<testsuite") {
		t.Errorf("-o junit printed %s", f.Out)
	}
	if err := f.apply("text", buildTemplate, false); err != nil {
		t.Fatal(err)
	}
	if err := f.verify("text", buildTemplate); err != nil {
		t.Fatalf("verify after apply: %v\n%s", err, f.Out)
	}
}

func TestAuthFailureExitsFour(t *testing.T) {
	f := newFixture(t)
	p := filepath.Join(t.TempDir(), "wrong")
	os.WriteFile(p, []byte("wrong-secret-value\n"), 0o600)
	f.Cfg.Access.Auth.ClientSecret = config.SecretRef("file:" + p)
	err := f.apply("text", buildTemplate, false)
	if cmdutil.CodeOf(err) != cmdutil.ExitAuth {
		t.Fatalf("exit %d (%v); want 4", cmdutil.CodeOf(err), err)
	}
}

func TestEveryCommandHasAnExampleAndWritersHaveDryRun(t *testing.T) {
	root := NewCmdAccess(cmdtest.Factory(cmdutil.GlobalFlags{}))
	writers := map[string]bool{"apply": true, "create": true, "rotate-secret": true}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		if writers[c.Name()] && c.Flags().Lookup("dry-run") == nil {
			t.Errorf("%q writes but has no --dry-run", c.CommandPath())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

// TestFlags: each command parses its flags into its options (runF stops before any request).
func TestFlags(t *testing.T) {
	f := &cmdutil.Factory{Flags: &cmdutil.GlobalFlags{}}
	var got any
	apply := func(o *ApplyOptions) error { got = o.DryRun; return nil }
	for _, tc := range []struct {
		cmd  *cobra.Command
		args []string
		want any
	}{
		{NewCmdTemplateApply(f, apply), []string{"--dry-run"}, true},
		{NewCmdClientCreate(f, apply), nil, false},
		{NewCmdDirectoryCreate(f, apply), []string{"--dry-run"}, true},
		{NewCmdClientRotate(f, func(o *ClientRotateOptions) error { got = o.DryRun; return nil }), []string{"--dry-run"}, true},
		{NewCmdClientShow(f, func(o *ClientOptions) error { got = o.ClientID; return nil }), []string{"--client", "X"}, "X"},
		{NewCmdToken(f, func(o *ClientOptions) error { got = o.ClientID; return nil }), []string{"--client", "OktaSCIM"}, "OktaSCIM"},
		{NewCmdTemplateVerify(f, func(o *VerifyOptions) error { got = o.build != nil; return nil }), nil, true},
	} {
		tc.cmd.SetArgs(tc.args)
		if err := tc.cmd.Execute(); err != nil || got != tc.want {
			t.Errorf("%s %v: parsed %v (%v), want %v", tc.cmd.Name(), tc.args, got, err, tc.want)
		}
	}
}
