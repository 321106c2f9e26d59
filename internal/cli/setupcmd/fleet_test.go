package setupcmd

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Two tenants of a folder that keep the default relative sinks would write their secrets to
// the same files: both are refused, by name; a tenant with sinks of its own runs.
func TestSinkClashes(t *testing.T) {
	dir := t.TempDir()
	doc := func(sink string) string {
		d := "apiVersion: flowsctl/v1\nazure:\n  tenantId: 11111111-2222-3333-4444-555555555555\n" +
			"  signIn: {method: clientsecret, clientId: 22222222-3333-4444-5555-666666666666, clientSecret: env:FLOWSCTL_TEST_SECRET}\n"
		if sink != "" {
			d += "  app: {secret: {sink: " + sink + "}}\n"
		}
		return d
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{
		write("acme.yaml", doc("")),
		write("globex.yaml", doc("")),
		write("initech.yaml", doc("file:.flowsctl/secrets/initech/teams-client-secret")),
		write("broken.yaml", "apiVersion: nonsense/v9\n"),
	}
	cfgs := make([]*config.Config, len(files))
	for i, f := range files {
		cfgs[i], _ = config.Load(f)
	}
	if cfgs[3] != nil {
		t.Fatal("the broken config loaded")
	}
	clash := sinkClashes(cfgs, []string{"acme", "globex", "initech", "broken"})
	if len(clash) != 2 {
		t.Fatalf("clashes %v, want acme and globex", clash)
	}
	for i, other := range map[int]string{0: "globex", 1: "acme"} {
		if !strings.Contains(clash[i], "azure.app.secret.sink") || !strings.Contains(clash[i], "tenant "+other) ||
			!strings.Contains(clash[i], filepath.Join(dir, ".flowsctl", "secrets", "teams-client-secret")) {
			t.Errorf("tenant %d: %q; want the key, the path and tenant %s", i, clash[i], other)
		}
	}
}

// A fleet collects garbage at +400 % while its tenants run, and puts the setting back after;
// GOGC in the environment wins.
func TestFleetGCPercent(t *testing.T) {
	gcPercent := func() int {
		v := debug.SetGCPercent(-1)
		debug.SetGCPercent(v)
		return v
	}
	before := gcPercent()
	for _, tt := range []struct {
		env  string
		want int
	}{{"", 400}, {"150", before}} {
		t.Setenv("GOGC", tt.env)
		ios, _, _, _ := iostreams.Test()
		f := &cmdutil.Factory{ForFile: func(file string, _ *config.Config, tio *iostreams.IOStreams) *cmdutil.Factory {
			return &cmdutil.Factory{IO: tio, Flags: &cmdutil.GlobalFlags{}, Redactor: &httpx.Redactor{}}
		}}
		o := &GraphOptions{Common: cmdutil.Common{IO: ios}, Factory: f, Parallel: 2}
		var during []int
		var mu sync.Mutex
		runFleet(o, []string{"a.yaml", "b.yaml"}, func(*cmdutil.Factory, *GraphOptions) error {
			mu.Lock()
			during = append(during, gcPercent())
			mu.Unlock()
			return nil
		})
		if len(during) != 2 || during[0] != tt.want || during[1] != tt.want {
			t.Errorf("GOGC=%q: GC percent during the tenants' runs %v, want %d", tt.env, during, tt.want)
		}
		if after := gcPercent(); after != before {
			t.Errorf("GOGC=%q: GC percent after the fleet %d, want %d back", tt.env, after, before)
		}
	}
}
