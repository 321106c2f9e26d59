// Package configcmd is `flowsctl config validate|show`.
package configcmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// NewCmdConfig builds `flowsctl config` and its subcommands, which take only the common options.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewGroup("config <command>", "Check and show flowsctl.yaml",
		`  flowsctl config validate -f flowsctl.yaml
  flowsctl config show -o json
  flowsctl config reference > configuration.md`,
		NewCmdValidate(f), NewCmdShow(f), NewCmdReference(f))
}

// NewCmdReference builds `flowsctl config reference`.
func NewCmdReference(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "reference",
		Short: "Print every key of flowsctl.yaml with its type, default, allowed values and meaning",
		Long: `Prints the configuration reference (Markdown) generated from the schema this binary validates
against: the same text as docs/configuration.md, so it always matches the version you run.`,
		Example: "  flowsctl config reference | less",
	}, nil, func(c *cmdutil.Common) error {
		_, err := io.WriteString(c.IO.Out, config.Reference())
		return err
	})
}

// NewCmdValidate builds `flowsctl config validate`.
func NewCmdValidate(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "validate",
		Short: "Check flowsctl.yaml and list every problem",
		Long: `Check the config file (-f, env FLOWSCTL_FILE) with FLOWSCTL_* overrides applied: unknown keys,
types, ranges and secret references. Exit 0 when valid; exit 1 listing every problem on stderr, each
with file:line:col where known. Secrets are never resolved or printed.`,
		Example: `  flowsctl config validate
  flowsctl config validate -f sandbox/flowsctl.yaml
  flowsctl config validate -o json   # {"file", "valid", "problems"} on stdout`,
	}, nil, validateRun)
}

// Result is what validate prints with -o json|yaml.
type Result struct {
	File     string           `json:"file" yaml:"file"`
	Valid    bool             `json:"valid" yaml:"valid"`
	Problems []config.Problem `json:"problems" yaml:"problems"`
}

func validateRun(opts *cmdutil.Common) error {
	_, err := opts.Config()
	res := Result{File: opts.ConfigPath(), Valid: err == nil, Problems: Problems(err)}
	if opts.Output() != "text" {
		if perr := cmdutil.Print(opts.IO.Out, opts.Output(), res, nil); perr != nil {
			return perr
		}
	} else {
		for _, p := range res.Problems {
			fmt.Fprintln(opts.IO.ErrOut, p.String())
		}
		if res.Valid {
			fmt.Fprintf(opts.IO.ErrOut, "%s: valid\n", res.File)
		} else {
			fmt.Fprintf(opts.IO.ErrOut, "%s: %d %s; fix them and run: flowsctl config validate -f %s\n",
				res.File, len(res.Problems), plural(len(res.Problems), "problem", "problems"), res.File)
		}
	}
	if !res.Valid {
		return cmdutil.Silent(cmdutil.ExitFailure)
	}
	return nil
}

// Problems lists what is wrong: each problem of a *config.Errors, or the error itself
// (an unreadable file, say) as one problem. Never nil.
func Problems(err error) []config.Problem {
	if err == nil {
		return []config.Problem{}
	}
	var ce *config.Errors
	if errors.As(err, &ce) && ce.Len() > 0 {
		return append([]config.Problem(nil), ce.Problems...)
	}
	return []config.Problem{{Message: err.Error()}}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// NewCmdShow builds `flowsctl config show`.
func NewCmdShow(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewCommand(f, &cobra.Command{
		Use:   "show",
		Short: "Print the effective config: file, FLOWSCTL_* overrides and defaults",
		Long: `Print the config flowsctl would use: the file with FLOWSCTL_* overrides and every default filled in.
Secrets are shown as their references (env:NAME, file:PATH), never resolved. Text output is YAML;
-o json uses the same key names as the YAML.`,
		Example: `  flowsctl config show
  flowsctl config show -o json | jq .access.url`,
	}, nil, showRun)
}

func showRun(opts *cmdutil.Common) error {
	cfg, err := opts.Config()
	if err != nil {
		if ps := Problems(err); len(ps) > 1 {
			lines := make([]string, len(ps))
			for i, p := range ps {
				lines[i] = p.String()
			}
			return fmt.Errorf("%d problems in the config:\n%s\nfix them (see: flowsctl config validate) and run config show again",
				len(ps), strings.Join(lines, "\n"))
		}
		return err
	}
	format := opts.Output()
	if format == "text" {
		format = "yaml"
	}
	// config.Marshal keeps the schema's key order and leaves out sections that are not configured.
	b, err := config.Marshal(cfg, format)
	if err != nil {
		return err
	}
	w := opts.IO.Out
	if opts.Output() == "text" && cfg.Path != "" {
		fmt.Fprintf(w, "# effective config of %s (defaults applied, secrets shown as references)\n", cfg.Path)
	}
	_, err = w.Write(b)
	return err
}
