package cmdutil

import (
	"errors"
	"testing"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/spf13/cobra"
)

type opts struct {
	Common
	Arg string
}

func TestCommandTakesNoArgsAndRunsRunF(t *testing.T) {
	o := &opts{}
	var ran string
	cmd := Command(&cobra.Command{Use: "x"}, o, &o.Common, func(*opts) error { ran = "runF"; return nil }, func(*opts) error { ran = "body"; return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil || ran != "" {
		t.Fatalf("an argument: err %v, ran %q", err, ran)
	}
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || ran != "runF" || o.Ctx == nil {
		t.Fatalf("err %v, ran %q, ctx %v", err, ran, o.Ctx)
	}
}

func TestCommandWithArgsHandsTheArgumentFirst(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}} {
		o := &opts{}
		var got string
		cmd := CommandWithArgs(&cobra.Command{Use: "x", Args: cobra.MaximumNArgs(1)}, o, &o.Common, FirstArg(&o.Arg), nil,
			func(o *opts) error { got = o.Arg; return errors.New("done") })
		cmd.SetArgs(tc.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.Execute(); err == nil || err.Error() != "done" || got != tc.want {
			t.Fatalf("%v: err %v, got %q, want %q", tc.args, err, got, tc.want)
		}
	}
}

func TestGroup(t *testing.T) {
	g := NewGroup("g <command>", "short", "  ex", &cobra.Command{Use: "a"}, &cobra.Command{Use: "b"})
	if g.Use != "g <command>" || g.Short != "short" || g.Example != "  ex" || len(g.Commands()) != 2 {
		t.Fatalf("%+v with %d subcommands", g, len(g.Commands()))
	}
}

func TestNewCommandSetsCommonFromTheFactory(t *testing.T) {
	f := &Factory{Flags: &GlobalFlags{Output: "json"}}
	var got *opts
	cmd := NewCommand(f, &cobra.Command{Use: "x"}, func(o *opts) error { got = o; return nil }, nil)
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || got == nil || got.Output() != "json" || got.Ctx == nil {
		t.Fatalf("err %v, options %+v", err, got)
	}
}

// Prompt refuses under --no-input or without a prompter; HTTPOptsFor takes the config's caFile
// only when --ca-file gave none.
func TestPromptAndHTTPOptsFor(t *testing.T) {
	user := prompt.NoInput{Reason: "the user's"}
	tests := []struct {
		name    string
		c       Common
		wantUse bool
	}{
		{"no prompter", Common{Flags: &GlobalFlags{}}, false},
		{"--no-input", Common{Flags: &GlobalFlags{NoInput: true}, Prompter: func() prompt.Prompter { return user }}, false},
		{"interactive", Common{Flags: &GlobalFlags{}, Prompter: func() prompt.Prompter { return user }}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Prompt() == prompt.Prompter(user); got != tt.wantUse {
				t.Errorf("uses the user's prompter: %v, want %v", got, tt.wantUse)
			}
		})
	}
	cfg := &config.Config{CAFile: "/cfg/ca.pem"}
	c := Common{HTTPOptions: func() httpx.Options { return httpx.Options{} }}
	if got := c.HTTPOptsFor(cfg).CAFile; got != "/cfg/ca.pem" {
		t.Errorf("no --ca-file: %q", got)
	}
	c.HTTPOptions = func() httpx.Options { return httpx.Options{CAFile: "/flag/ca.pem"} }
	if got := c.HTTPOptsFor(cfg).CAFile; got != "/flag/ca.pem" {
		t.Errorf("--ca-file: %q", got)
	}
}

// TestConfigAndClient: the config first (a config error builds no client), then the client.
func TestConfigAndClient(t *testing.T) {
	cfg, hc := &config.Config{}, &httpx.Client{}
	built := 0
	c := Common{HTTPClient: func() (*httpx.Client, error) { built++; return hc, nil }}
	c.Config = func() (*config.Config, error) { return nil, errors.New("bad yaml") }
	if _, _, err := c.ConfigAndClient(); err == nil || err.Error() != "bad yaml" || built != 0 {
		t.Fatalf("config error: %v, clients built %d", err, built)
	}
	c.Config = func() (*config.Config, error) { return cfg, nil }
	if gc, ghc, err := c.ConfigAndClient(); err != nil || gc != cfg || ghc != hc {
		t.Fatalf("got %p %p %v", gc, ghc, err)
	}
	c.HTTPClient = func() (*httpx.Client, error) { return nil, errors.New("bad CA") }
	if _, _, err := c.ConfigAndClient(); err == nil || err.Error() != "bad CA" {
		t.Fatalf("client error: %v", err)
	}
}
