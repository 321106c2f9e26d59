package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/test/harness"
)

// expect is what a doc command must do on the sandbox, or why it cannot run there.
type expect struct {
	code int      // the exit code the doc implies
	skip string   // why the command cannot run against a sandbox
	args []string // run instead of the doc's arguments (a placeholder the sandbox names otherwise)
	// want are texts the doc claims the command prints (stdout or stderr); a "quoted phrase" in
	// the line's # comment is claimed too. wantOut must be on stdout.
	want, wantOut []string
	// check, when set, checks more of the output (counts, shapes).
	check func(r harness.Result) string
}

const urlRe = `https://127\.0\.0\.1:\d+`

// commands is every flowsctl command of the docs' ```sh blocks, in reading order; a new one
// fails the test until it is listed here with what it does on a sandbox, or why it cannot run.
var commands = map[string]expect{
	"README.md: demo":                            {want: []string{"Created or converged", "doctor:"}},
	"README.md: sandbox up --dir ./sandbox":      {want: []string{urlRe}},
	"README.md: plan -f ./sandbox/flowsctl.yaml": {code: 2},
	"README.md: init":                            {skip: "the wizard asks for a real tenant's URLs and sign-in; test/e2e TestInit* drive it"},
	"README.md: config validate":                 {want: []string{"valid"}},
	"README.md: plan":                            {code: 2},
	"README.md: apply":                           {},
	"README.md: doctor":                          {},
	"README.md: doctor --fix":                    {},
	"README.md: import --out adopted.yaml":       {},
	"README.md: apply -f tenants/ --parallel 8":  {},

	"docs/getting-started.md: demo":                              {},
	"docs/getting-started.md: sandbox up --dir ./sandbox":        {want: []string{urlRe}},
	"docs/getting-started.md: plan -f ./sandbox/flowsctl.yaml":   {},
	"docs/getting-started.md: apply -f ./sandbox/flowsctl.yaml":  {},
	"docs/getting-started.md: doctor -f ./sandbox/flowsctl.yaml": {},
	"docs/getting-started.md: init":                              {skip: "the wizard asks for a real tenant's URLs and sign-in; test/e2e TestInit* drive it"},
	"docs/getting-started.md: config validate":                   {},
	"docs/getting-started.md: plan":                              {},
	"docs/getting-started.md: apply":                             {},
	"docs/getting-started.md: doctor":                            {},

	"docs/ci.md: doctor -f tenants/ --parallel 8":                          {want: []string{"TENANT", "STATUS", "CHANGES", "FAILED CHECKS", "TIME"}},
	"docs/ci.md: doctor -f tenants/*.yaml -o junit":                        {check: suites(2)},
	"docs/ci.md: plan -f tenants/acme.yaml -f tenants/globex.yaml -o json": {check: jsonArray(2)},
	"docs/ci.md: sandbox up --dir ./sandbox":                               {},
	"docs/ci.md: apply -f ./sandbox/flowsctl.yaml":                         {},
	"docs/ci.md: doctor -f ./sandbox/flowsctl.yaml -o junit":               {check: suites(1)},

	"docs/exit-codes.md: plan --no-input": {},
	"docs/exit-codes.md: doctor -o junit": {check: suites(1)},

	"docs/guides/boxer.md: uem boxer configure --dry-run": {},
	"docs/guides/boxer.md: uem boxer configure":           {},
	"docs/guides/boxer.md: doctor --only uem.boxer":       {},

	"docs/guides/custom-connectors.md: uem connector add --discovery-url https://connectors.example.com/jira/ --name Jira (self-hosted)": {
		skip: "the discovery URL is the doc's example host; tests reach loopback only (pkg/uem/mobileflows tests read discovery documents from loopback servers)"},
	"docs/guides/custom-connectors.md: uem connector list": {},

	"docs/guides/identity-services-okta.md: identity directory create":    {},
	"docs/guides/identity-services-okta.md: identity token generate":      {want: []string{"/usergroup/scim/v2"}},
	"docs/guides/identity-services-okta.md: scim test":                    {},
	"docs/guides/identity-services-okta.md: okta apply --dry-run":         {},
	"docs/guides/identity-services-okta.md: okta apply":                   {},
	"docs/guides/identity-services-okta.md: identity idp create oidc":     {},
	"docs/guides/identity-services-okta.md: okta verify":                  {},
	"docs/guides/integration-preflight.md: uem integration check -o json": {},
	"docs/guides/integration-preflight.md: uem integration check harmony-mobile": {
		args: []string{"uem", "integration", "check", "Harmony Mobile"}}, // the sandbox's integration

	"docs/guides/scim-okta-access.md: access client create":             {},
	"docs/guides/scim-okta-access.md: access directory create":          {},
	"docs/guides/scim-okta-access.md: access token --client OktaSCIM":   {},
	"docs/guides/scim-okta-access.md: scim test":                        {},
	"docs/guides/scim-okta-access.md: okta apply":                       {},
	"docs/guides/scim-okta-access.md: okta verify":                      {},
	"docs/guides/teams-mobile-flows.md: azure register --dry-run":       {},
	"docs/guides/teams-mobile-flows.md: azure register":                 {},
	"docs/guides/teams-mobile-flows.md: access template apply":          {},
	"docs/guides/teams-mobile-flows.md: uem connector add teams":        {},
	"docs/guides/teams-mobile-flows.md: doctor --only azure,access,uem": {},

	"docs/import.md: import -f connection.yaml --out flowsctl.yaml": {},
	"docs/import.md: import -f connection.yaml --dry-run":           {wantOut: []string{"apiVersion: flowsctl/v1"}},
	"docs/import.md: plan -f flowsctl.yaml":                         {want: []string{"0 to change"}},
	"docs/import.md: import -f connection.yaml --out flowsctl.yaml --pick azure.app=APPID": {
		skip: "APPID is a placeholder for an app id import lists when it finds several; the sandbox has one"},

	"docs/token-rotation.md: rotate okta-scim-token --dry-run": {},
	"docs/token-rotation.md: rotate okta-scim-token":           {},
	"docs/token-rotation.md: rotate okta-scim-token --confirm": {},

	"docs/sandbox.md: sandbox up --dir ./sandbox":             {want: []string{urlRe}},
	"docs/sandbox.md: sandbox up --dir ./sandbox --print-env": {wantOut: []string{"export FLOWSCTL_FILE=", "export FLOWSCTL_CA_FILE="}},
	"docs/sandbox.md: apply -f ./sandbox/flowsctl.yaml":       {},
	"docs/sandbox.md: azure verify -f sandbox/flowsctl.yaml":  {},
}

// prose holds commands the docs describe in running text, with what the text claims; they run
// after the sh blocks' commands, on the same sandbox and folder.
var prose = []struct {
	doc  string // where the claim is made
	args []string
	expect
}{
	{"README.md (import: plan shows 0 changes after)", []string{"plan", "-f", "adopted.yaml"}, expect{want: []string{"0 to change"}}},
	{"docs/ci.md (-o markdown: a verdict line and one table per step)", []string{"doctor", "-o", "markdown"},
		expect{wantOut: []string{"**flowsctl doctor: ", "| Status | Check | Detail | Fix |"}}},
	{"docs/ci.md (--fix --dry-run: the plan of the repair, exit 2 only while it has changes)", []string{"doctor", "--fix", "--dry-run"}, expect{}},
	{"docs/sandbox.md (consoleTodo false: the console-only steps are confirmed, done by the sandbox)", []string{"doctor", "--only", "identity.services,hub.clientVersions", "-o", "json"},
		expect{check: func(r harness.Result) string {
			var rep struct {
				Checks []struct{ ID, Status, Detail string }
			}
			if err := jsonUnmarshal(r.Out, &rep); err != nil {
				return "not JSON: " + err.Error()
			}
			n := 0
			for _, c := range rep.Checks {
				if c.ID == "identity.services" || c.ID == "hub.clientVersions" {
					n++
					if c.Status != "confirmed" || !strings.Contains(c.Detail, "done by the sandbox") {
						return c.ID + " is " + c.Status + " (" + c.Detail + "), want confirmed, done by the sandbox"
					}
				}
			}
			if n != 2 {
				return "want the checks identity.services and hub.clientVersions"
			}
			return ""
		}}},
}

// suites: the JUnit report has n <testsuite> elements (one per tenant).
func suites(n int) func(harness.Result) string {
	return func(r harness.Result) string {
		if got := strings.Count(r.Out, "<testsuite "); got != n {
			return "want " + itoa(n) + " <testsuite> elements, got " + itoa(got)
		}
		return ""
	}
}

// jsonArray: stdout is a JSON array of n entries (one per tenant).
func jsonArray(n int) func(harness.Result) string {
	return func(r harness.Result) string {
		var v []any
		if err := jsonUnmarshal(r.Out, &v); err != nil || len(v) != n {
			return "want a JSON array of " + itoa(n) + " entries"
		}
		return ""
	}
}

var quoted = regexp.MustCompile(`"([^"]+)"`)

// TestDocCommands runs every flowsctl command of the docs on one sandbox, in reading order,
// from a folder laid out as the docs assume: ./sandbox (sandbox up), tenants/ (a fleet: the
// sandbox's config and a second sandbox's), connection.yaml (import), FLOWSCTL_FILE for commands without -f.
// Each must exit as its doc implies and print what its doc claims.
func TestDocCommands(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := Extract(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(emulators.All()) == 0 {
		t.Skip("no emulators registered")
	}
	work := t.TempDir()
	sb, err := sandbox.Start(filepath.Join(work, "sandbox"), emulators.All()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	if err := sb.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	// A fleet is two tenants: globex has a sandbox of its own (two copies of one config would
	// write the same secret files, which a fleet run refuses).
	sb2, err := sandbox.Start(filepath.Join(work, "sandbox-globex"), emulators.All()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb2.Close)
	if err := sb2.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	var bundle []byte
	for _, f := range []string{sb.CAPath(), sb2.CAPath()} {
		pem, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bundle = append(bundle, pem...)
	}
	if err := os.WriteFile(filepath.Join(work, "ca-bundle.pem"), bundle, 0o600); err != nil {
		t.Fatal(err)
	}
	for p, from := range map[string]string{"tenants/acme.yaml": sb.ConfigPath(), "tenants/globex.yaml": sb2.ConfigPath(), "connection.yaml": sb.ConfigPath()} {
		cfg, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(work, filepath.Dir(p)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, p), cfg, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The copies hold the same tenant's secrets in their sinks (relative to each config), as
	// an imported or fleet config does once its sinks hold the values.
	if err := os.MkdirAll(filepath.Join(work, "sandbox", ".flowsctl"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".flowsctl", "tenants/.flowsctl"} {
		if err := os.Symlink(filepath.Join(work, "sandbox", ".flowsctl"), filepath.Join(work, d)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)
	t.Setenv("FLOWSCTL_FILE", sb.ConfigPath())
	t.Setenv("FLOWSCTL_CA_FILE", filepath.Join(work, "ca-bundle.pem")) // the copies are away from sandbox.json

	seen := map[string]bool{}
	for _, c := range cmds {
		key := c.Key()
		seen[key] = true
		e, ok := commands[key]
		if !ok {
			t.Errorf("%s:%d: `flowsctl %s` is not in the docs test's table: say what it does on a sandbox, or why it cannot run there",
				c.File, c.Line, strings.Join(c.Args, " "))
			continue
		}
		if e.skip != "" {
			t.Logf("%s:%d: not run: %s", c.File, c.Line, e.skip)
			continue
		}
		args := c.Args
		if e.args != nil {
			args = e.args
		}
		args = sandboxDir(args)
		run(t, c.File+":"+itoa(c.Line)+": flowsctl "+strings.Join(c.Args, " "), args, c.Comment, e)
	}
	for _, p := range prose {
		run(t, p.doc+": flowsctl "+strings.Join(p.args, " "), p.args, "", p.expect)
	}
	// sandbox up --console-todo (consoleTodo true): the console-only steps are to do, and apply
	// prints their numbered checklist and exits 3 (getting-started, sandbox.md).
	sb.ConsoleTodo = true
	if err := sb.WriteFiles(); err != nil {
		t.Fatal(err)
	}
	run(t, "docs/getting-started.md (no API: a numbered checklist with every value, exit 3 until confirmed)", []string{"apply"}, "",
		expect{code: 3, want: []string{`(?m)^\s*1\. `, "Identity Services", "flowsctl confirm identity.services"}})
	for key := range commands {
		if !seen[key] {
			t.Errorf("the table lists %q, which no doc shows any more: remove it", key)
		}
	}
}

// run runs args and checks them against e: the exit code, the claimed output (and the "quoted
// phrases" of comment), the checks.
func run(t *testing.T, where string, args []string, comment string, e expect) {
	t.Helper()
	r := harness.Run(t, harness.Options{Version: "docs", Timeout: time.Minute, Until: "sandbox ready"}, args...)
	if r.Code != e.code {
		t.Errorf("%s: exit %d, the doc implies %d\nstdout: %s\nstderr: %s", where, r.Code, e.code, harness.Tail(r.Out, 1500), harness.Tail(r.Err, 1500))
		return
	}
	want := append([]string(nil), e.want...)
	for _, m := range quoted.FindAllStringSubmatch(comment, -1) {
		want = append(want, regexp.QuoteMeta(m[1]))
	}
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(r.Out + r.Err) {
			t.Errorf("%s: the doc claims it prints %q\nstdout: %s\nstderr: %s", where, w, harness.Tail(r.Out, 1500), harness.Tail(r.Err, 1500))
		}
	}
	for _, w := range e.wantOut {
		if !strings.Contains(r.Out, w) {
			t.Errorf("%s: the doc claims stdout holds %q\nstdout: %s", where, w, harness.Tail(r.Out, 1500))
		}
	}
	if e.check != nil {
		if msg := e.check(r); msg != "" {
			t.Errorf("%s: %s\nstdout: %s", where, msg, harness.Tail(r.Out, 1500))
		}
	}
}

// sandboxDir: `sandbox up --dir ./sandbox` of the docs starts a second sandbox in a folder of
// its own, so that the one the other commands use keeps its files.
func sandboxDir(args []string) []string {
	if len(args) < 2 || args[0] != "sandbox" || args[1] != "up" {
		return args
	}
	out := append([]string(nil), args...)
	for i := 1; i < len(out); i++ {
		if out[i-1] == "--dir" {
			out[i] = "./sandbox-up"
		}
	}
	return out
}
