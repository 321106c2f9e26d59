package cmdutil

import (
	"errors"
	"testing"

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
