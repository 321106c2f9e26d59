// Package docscmd is `flowsctl docs`: the command reference as Markdown and man pages.
package docscmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
)

// RegenerateCommand is how the committed reference in docs/cli is refreshed.
const RegenerateCommand = "go run ./cmd/flowsctl docs --dir docs/cli"

// Options of `flowsctl docs`.
type DocsOptions struct {
	cmdutil.Common
	Dir    string
	ManDir string
	Root   *cobra.Command
}

// NewCmdDocs builds `flowsctl docs`; runF replaces the run in tests.
func NewCmdDocs(f *cmdutil.Factory, runF func(*DocsOptions) error) *cobra.Command {
	opts := &DocsOptions{Common: cmdutil.NewCommon(f)}
	cmd := cmdutil.Command(&cobra.Command{
		Use:   "docs",
		Short: "Write the command reference as Markdown and man pages",
		Long: `Write one Markdown page per command into --dir and one man page per command into --man
(default DIR/man when --dir is given; with only --man, just the man pages). The output is deterministic: no generation timestamps; the man page date is
SOURCE_DATE_EPOCH when set. Earlier flowsctl*.md and flowsctl*.1 files in those directories are
replaced, so pages of removed commands disappear.`,
		Example: `  flowsctl docs --dir docs/cli                  # Markdown, and man pages in docs/cli/man
  flowsctl docs --man ./manpages                # man pages only (release archives)
  flowsctl docs --dir /tmp/ref --man ./manpages`,
		PreRun: func(cmd *cobra.Command, _ []string) { opts.Root = cmd.Root() },
	}, opts, &opts.Common, runF, docsRun)
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "directory for the Markdown pages (the repository keeps them in docs/cli)")
	cmd.Flags().StringVar(&opts.ManDir, "man", "", "directory for the man pages (default DIR/man)")
	return cmd
}

func docsRun(opts *DocsOptions) error {
	man := opts.ManDir
	switch {
	case opts.Dir == "" && man == "":
		return errors.New("docs: give --dir DIR (Markdown, and man pages in DIR/man) and/or --man DIR; e.g. " + strings.TrimPrefix(RegenerateCommand, "go run ./cmd/"))
	case opts.Dir == "":
		if err := GenerateMan(opts.Root, man); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "wrote man pages to %s\n", man)
		return nil
	case man == "":
		man = filepath.Join(opts.Dir, "man")
	}
	if err := Generate(opts.Root, opts.Dir, man); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "wrote the command reference to %s and man pages to %s\n", opts.Dir, man)
	return nil
}

// manDate is the man page date when SOURCE_DATE_EPOCH is not set, so output does not change by the day.
var manDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Generate writes Markdown for root and every available subcommand into mdDir and man pages into
// manDir (skipped when ""), replacing earlier generated pages.
func Generate(root *cobra.Command, mdDir, manDir string) error {
	disableAutoGenTag(root)
	if err := clean(mdDir, "flowsctl*.md"); err != nil {
		return err
	}
	if err := doc.GenMarkdownTree(root, mdDir); err != nil {
		return fmt.Errorf("docs: markdown into %s: %w", mdDir, err)
	}
	if manDir == "" {
		return nil
	}
	return GenerateMan(root, manDir)
}

// GenerateMan writes one man page per available command into manDir, replacing earlier ones.
func GenerateMan(root *cobra.Command, manDir string) error {
	disableAutoGenTag(root)
	if err := clean(manDir, "flowsctl*.1"); err != nil {
		return err
	}
	h := &doc.GenManHeader{Source: "flowsctl", Manual: "flowsctl manual"}
	if os.Getenv("SOURCE_DATE_EPOCH") == "" {
		d := manDate
		h.Date = &d
	}
	if err := doc.GenManTree(root, h, manDir); err != nil {
		return fmt.Errorf("docs: man pages into %s: %w", manDir, err)
	}
	return nil
}

func clean(dir, pattern string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("docs: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, pattern))
	for _, p := range old {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
	}
	return nil
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
