package rotate

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/oktaemu"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// TestGuidedRotationExitsOperator: where Okta refuses the connection API, --no-input stops
// with exit status 3 and the checklist on stderr naming the console path and the sink, never
// the token; --confirm then finishes the rotation (exit 0) without generating again.
func TestGuidedRotationExitsOperator(t *testing.T) {
	emus := emulators.All()
	fx := cmdtest.NewFixture(t, false, emus...)
	sb, cfg, hc := fx.SB, fx.Cfg, fx.HC
	if !cfg.OktaIdentityPath() {
		t.Skip("the sandbox config is not on the Identity Services path")
	}
	g, err := steps.Graph(steps.Deps{Config: cfg, HTTP: hc, ErrOut: io.Discard, NoInput: true, Prompter: prompt.NoInput{Reason: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Run(context.Background(), setup.ModeApply, setup.NewOutputs(cfg), setup.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, e := range emus {
		if o, ok := e.(*oktaemu.Emulator); ok {
			o.RefuseConnections = true
		}
	}
	run := func(confirm bool) (string, string, error) {
		err := oktaSCIMTokenRun(&OktaSCIMTokenOptions{Common: fx.Common("text", true), Confirm: confirm})
		return fx.Out.String(), fx.Err.String(), err
	}
	out, errOut, err := run(false)
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitOperator {
		t.Fatalf("guided --no-input: %v, want exit 3", err)
	}
	tok, _ := cfg.Secret(cfg.IdentityServices.SCIMToken.Sink)
	if !strings.Contains(errOut, "Provisioning > Integration") || !strings.Contains(errOut, cfg.IdentityServices.SCIMToken.Sink.Target()) ||
		strings.Contains(out+errOut, tok) {
		t.Errorf("checklist: %q", errOut)
	}
	before := len(sandboxtest.Writes(t, sb, "identity"))
	out, _, err = run(true)
	if err != nil || !strings.Contains(out, "operator confirmed") {
		t.Fatalf("--confirm: %v %q", err, out)
	}
	for _, w := range sandboxtest.Writes(t, sb, "identity")[before:] {
		if strings.Contains(w.Query, "generate_credentials") {
			t.Error("--confirm generated another token")
		}
	}
}
