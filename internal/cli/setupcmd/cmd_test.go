package setupcmd

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

type fake struct {
	id       string
	needs    []string
	planned  []plan.Change
	err      error
	operator string
	checks   []doctor.Check
}

func (f *fake) ID() string      { return f.id }
func (f *fake) Needs() []string { return f.needs }
func (f *fake) Plan(context.Context, *setup.Outputs) ([]plan.Change, error) {
	return f.planned, f.err
}
func (f *fake) Apply(context.Context, *setup.Outputs) (setup.Applied, error) {
	if f.err != nil {
		return setup.Applied{}, f.err
	}
	return setup.Applied{Changes: f.planned, Operator: f.operator, Objects: []setup.Object{{Kind: "thing", Key: f.id}}}, nil
}
func (f *fake) Verify(context.Context, *setup.Outputs) []doctor.Check { return f.checks }

// common is what a command gets from the Factory: streams, the config file -f names, and
// --no-input.
func common(io *iostreams.IOStreams, path string, noInput bool) cmdutil.Common {
	return cmdutil.Common{IO: io, Flags: &cmdutil.GlobalFlags{File: path, Output: "text", NoInput: noInput}}
}

func opts(fs ...setup.Step) (GraphOptions, *iostreams.IOStreams) {
	io, _, _, _ := iostreams.Test()
	c := common(io, "", true)
	c.Config = func() (*config.Config, error) { return &config.Config{}, nil }
	c.HTTPClient = func() (*httpx.Client, error) { return httpx.New(httpx.Options{}) }
	return GraphOptions{Common: c, Steps: func(steps.Deps) ([]setup.Step, error) { return fs, nil }}, io
}

func TestPlanAndApplyExitCodes(t *testing.T) {
	create := []plan.Change{{Object: `template "T"`, Action: plan.Create, Fields: []plan.FieldChange{{Path: "length", New: "32"}}}}
	noop := []plan.Change{{Object: `template "T"`, Action: plan.NoOp}}
	op := []plan.Change{{Object: "mobile flows tenant", Action: plan.Operator}}
	boom := setup.Errorf(`directory "Okta"`, errors.New("domain acme.com belongs to directory JIT"), "flowsctl access directory list")
	tests := []struct {
		name      string
		steps     []setup.Step
		planCode  int
		applyCode int
		want      string
	}{
		{"nothing to do", []setup.Step{&fake{id: "a", planned: noop}}, 0, 0, ""},
		{"changes pending", []setup.Step{&fake{id: "a", planned: create}}, 2, 0, "+ length: 32"},
		{"operator pending", []setup.Step{&fake{id: "a", planned: op, operator: "1. Open the console"}}, 2, 3, "operator"},
		{"failure", []setup.Step{&fake{id: "a", err: boom}, &fake{id: "b", needs: []string{"a"}}}, 1, 1, "flowsctl access directory list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, io := opts(tt.steps...)
			err := planRun(&PlanOptions{GraphOptions: g})
			if c := cmdutil.CodeOf(err); c != tt.planCode {
				t.Errorf("plan exit %d, want %d (%v)", c, tt.planCode, err)
			}
			if out := io.Out.(interface{ String() string }).String(); !strings.Contains(out, tt.want) {
				t.Errorf("plan output lacks %q:\n%s", tt.want, out)
			}
			g, io = opts(tt.steps...)
			g.Flags.Output = "json"
			err = applyRun(&ApplyOptions{GraphOptions: g})
			if c := cmdutil.CodeOf(err); c != tt.applyCode {
				t.Errorf("apply exit %d, want %d (%v)", c, tt.applyCode, err)
			}
			var rep struct {
				Steps []map[string]any `json:"steps"`
			}
			if err := json.Unmarshal([]byte(io.Out.(interface{ String() string }).String()), &rep); err != nil || len(rep.Steps) != len(tt.steps) {
				t.Fatalf("apply -o json: %v %+v", err, rep)
			}
			for _, k := range []string{"id", "status", "durationMs", "requests"} {
				if _, ok := rep.Steps[0][k]; !ok {
					t.Errorf("apply -o json has no %q per step", k)
				}
			}
		})
	}
}

func TestDoctorExitAndFormats(t *testing.T) {
	pass := &fake{id: "access.template", checks: []doctor.Check{{ID: "access.template", Title: "exists", Status: doctor.Pass}}}
	bad := &fake{id: "uem.boxer", checks: []doctor.Check{{ID: "uem.boxer.keys", Title: "keys", Status: doctor.Fail, Detail: "AppMobileFlowsHost missing", Fix: "flowsctl uem boxer configure"}}}
	for _, format := range []string{"text", "json", "junit"} {
		g, io := opts(pass, bad)
		g.Flags.Output = format
		g.Only = []string{"access,uem"} // no env checks (no network in this test)
		err := doctorRun(&DoctorOptions{GraphOptions: g})
		if c := cmdutil.CodeOf(err); c != 2 {
			t.Fatalf("%s: exit %d, want 2", format, c)
		}
		out := io.Out.(interface{ String() string }).String()
		if !strings.Contains(out, "uem.boxer.keys") || !strings.Contains(out, "flowsctl uem boxer configure") {
			t.Errorf("%s output does not name the check and its fix:\n%s", format, out)
		}
	}
	g, _ := opts(pass)
	g.Only = []string{"access"}
	if err := doctorRun(&DoctorOptions{GraphOptions: g}); err != nil {
		t.Fatalf("all pass: %v", err)
	}
}
