package cmdutil

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Common is what every command's Options struct embeds: the streams, the config, the one HTTP
// client, the prompter and the global flags. Global flags are read only through its methods,
// and the context is the command's, whose deadline the root set from --timeout: no command
// sets a deadline of its own.
type Common struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	HTTPClient func() (*httpx.Client, error)
	// HTTPOptions are what HTTPClient was built with from the global flags (nil in tests that
	// need none).
	HTTPOptions func() httpx.Options
	Prompter    func() prompt.Prompter
	Flags       *GlobalFlags
	// Ctx is the command's context (set when the command runs; tests may set it).
	Ctx context.Context
}

// NewCommon takes the Factory's dependencies.
func NewCommon(f *Factory) Common {
	return Common{IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient, HTTPOptions: f.HTTPOptions, Prompter: f.Prompter, Flags: f.Flags}
}

// Context is the command's context (Background in tests that set none).
func (c *Common) Context() context.Context {
	if c.Ctx == nil {
		return context.Background()
	}
	return c.Ctx
}

// Output is -o (text when unset).
func (c *Common) Output() string {
	if c.Flags == nil || c.Flags.Output == "" {
		return "text"
	}
	return c.Flags.Output
}

// NoInput reports --no-input (implied by the root without a terminal or with CI=true).
func (c *Common) NoInput() bool { return c.Flags != nil && c.Flags.NoInput }

// ConfigPath is -f.
func (c *Common) ConfigPath() string {
	if c.Flags == nil {
		return ""
	}
	return c.Flags.File
}

// ConfigAndClient loads the config, then the one HTTP client: what a command that calls an API
// needs first.
func (c *Common) ConfigAndClient() (*config.Config, *httpx.Client, error) {
	cfg, err := c.Config()
	if err != nil {
		return nil, nil, err
	}
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, nil, err
	}
	return cfg, hc, nil
}

// HTTPOpts is HTTPOptions() (zero options when unset).
func (c *Common) HTTPOpts() httpx.Options {
	if c.HTTPOptions == nil {
		return httpx.Options{}
	}
	return c.HTTPOptions()
}

// Prompt is the run's prompter: the user's, unless --no-input is in effect (or none is wired),
// then one that refuses every question.
func (c *Common) Prompt() prompt.Prompter {
	if c.Prompter == nil || c.NoInput() {
		return prompt.NoInput{Reason: "--no-input"}
	}
	return c.Prompter()
}

// HTTPOptsFor is HTTPOpts with the config's caFile when no --ca-file was given, for the code
// that builds its own HTTP stack from these options.
func (c *Common) HTTPOptsFor(cfg *config.Config) httpx.Options {
	ho := c.HTTPOpts()
	if cfg.CAFile != "" && ho.CAFile == "" {
		ho.CAFile = cfg.CAFile
	}
	return ho
}

// Color reports whether text output may use colour (a terminal, no NO_COLOR, not CI).
func (c *Common) Color() bool { return c.IO != nil && c.IO.ColorEnabled() }

// Run is the RunE of a command following the convention: it records the command's context in
// common, then calls runF when a test gave one (flag parsing is then all that ran) or body.
func Run[P any](opts P, common *Common, runF func(P) error, body func(P) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		common.Ctx = cmd.Context()
		if runF != nil {
			return runF(opts)
		}
		return body(opts)
	}
}

// Command is cmd, taking no arguments, with the RunE of Run.
func Command[P any](cmd *cobra.Command, opts P, common *Common, runF func(P) error, body func(P) error) *cobra.Command {
	cmd.Args, cmd.RunE = cobra.NoArgs, Run(opts, common, runF, body)
	return cmd
}

// Group is cmd, a noun that only holds its subcommands, with subs added.
func Group(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.AddCommand(subs...)
	return cmd
}

// NewGroup is a Group with only a use line, a short description and examples.
func NewGroup(use, short, example string, subs ...*cobra.Command) *cobra.Command {
	return Group(&cobra.Command{Use: use, Short: short, Example: example}, subs...)
}

// CommandWithArgs is cmd with the RunE of Run, which first hands the arguments (as many as
// cmd.Args allows) to set.
func CommandWithArgs[P any](cmd *cobra.Command, opts P, common *Common, set func(args []string), runF, body func(P) error) *cobra.Command {
	run := Run(opts, common, runF, body)
	cmd.RunE = func(c *cobra.Command, args []string) error {
		set(args)
		return run(c, args)
	}
	return cmd
}

// FirstArg is a set for CommandWithArgs: the first argument, when there is one, goes to *dst.
func FirstArg(dst *string) func(args []string) {
	return func(args []string) {
		if len(args) > 0 {
			*dst = args[0]
		}
	}
}

// Options is a pointer to a command's options struct O, which embeds Common.
type Options[O any] interface {
	*O
	common() *Common
}

func (c *Common) common() *Common { return c }

// NewCommand is Command for the options that are only Common: a new O whose Common is f's.
func NewCommand[O any, P Options[O]](f *Factory, cmd *cobra.Command, runF, body func(P) error) *cobra.Command {
	o := P(new(O))
	*o.common() = NewCommon(f)
	return Command(cmd, o, o.common(), runF, body)
}
