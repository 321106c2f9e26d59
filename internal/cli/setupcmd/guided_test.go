package setupcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// yes confirms every operator question and records them.
type yes struct{ asked []string }

func (y *yes) Input(m, def, flag string, _ func(string) error) (string, error) { return def, nil }
func (y *yes) Password(m, flag string) (string, error)                         { return "", nil }
func (y *yes) Select(m string, o []string, def, flag string) (string, error)   { return def, nil }
func (y *yes) MultiSelect(m string, o, d []string, flag string) ([]string, error) {
	return d, nil
}
func (y *yes) Confirm(m string, def bool, flag string) (bool, error) {
	y.asked = append(y.asked, m)
	return true, nil
}

// TestGuidedConfirmation: in guided mode an interactive apply prints each checklist, asks the
// operator, records the confirmation and exits 0; the next apply asks nothing and writes nothing.
func TestGuidedConfirmation(t *testing.T) {
	emus := emulators.All()
	if len(emus) == 0 {
		t.Skip("no emulators")
	}
	sb := sandboxtest.Start(t, emus...)
	b, _ := os.ReadFile(sb.ConfigPath())
	if !strings.Contains(string(b), "mode: api") {
		t.Skip("sandbox config has no api-mode mobile flows")
	}
	path := filepath.Join(filepath.Dir(sb.ConfigPath()), "guided.yaml")
	os.WriteFile(path, []byte(strings.Replace(string(b), "mode: api", "mode: guided", 1)), 0o600)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	hc := sandboxtest.Client(t, sb)
	p := &yes{}
	run := func() (string, string, error) {
		c, out, errOut := cmdtest.CommonFor(cfg, hc, cmdutil.GlobalFlags{Output: "text"})
		c.Prompter = func() prompt.Prompter { return p }
		err := applyRun(&ApplyOptions{GraphOptions: GraphOptions{Common: c}})
		return out.String(), errOut.String(), err
	}
	out, errOut, err := run()
	if cmdutil.CodeOf(err) != 0 {
		t.Fatalf("interactive apply: %v\n%s\n%s", err, out, errOut)
	}
	if len(p.asked) < 2 {
		t.Fatalf("asked %q, want the tenant registration and each connector", p.asked)
	}
	if !strings.Contains(errOut, "Mobile Flows") || !strings.Contains(errOut, "Begin") {
		t.Errorf("the checklists were not printed:\n%s", errOut)
	}
	p.asked = nil
	out, _, err = run()
	if cmdutil.CodeOf(err) != 0 || len(p.asked) != 0 || strings.Contains(out, " done ") {
		t.Fatalf("second apply: %v, asked %q\n%s", err, p.asked, out)
	}
}
