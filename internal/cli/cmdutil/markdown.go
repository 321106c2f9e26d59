package cmdutil

import (
	"fmt"
	"io"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// writeMarkdown writes checks as GitHub-flavoured Markdown, for a GitHub Actions job summary
// or a merge-request comment: a verdict line, then one table per step (status, check, detail,
// fix), steps in the order their checks came.
func writeMarkdown(w io.Writer, checks []doctor.Check) error {
	sum := doctor.Summarize(checks)
	if _, err := fmt.Fprintf(w, "**flowsctl doctor: %s** (%d checks: %d pass, %d confirmed, %d to do, %d warn, %d fail, %d skip)\n",
		mdCell(sum.Verdict()), sum.Total, sum.Pass, sum.Confirmed, sum.Todo, sum.Warn, sum.Fail, sum.Skip); err != nil {
		return err
	}
	var order []string
	byStep := map[string][]doctor.Check{}
	for _, c := range checks {
		step := c.ID
		if _, ok := byStep[step]; !ok {
			order = append(order, step)
		}
		byStep[step] = append(byStep[step], c)
	}
	for _, step := range order {
		fmt.Fprintf(w, "\n#### %s\n\n| Status | Check | Detail | Fix |\n|---|---|---|---|\n", mdCell(step))
		for _, c := range byStep[step] {
			fmt.Fprintf(w, "| %s %s | %s | %s | %s |\n", mdIcon(c.Status), c.Status, mdCell(c.Title), mdCell(c.Detail), mdCell(c.Fix))
		}
	}
	return nil
}

// mdIcon is a plain emoji per status (a job summary shows no ANSI colour).
func mdIcon(s doctor.Status) string {
	switch s {
	case doctor.Pass:
		return "✅"
	case doctor.Confirmed:
		return "☑️"
	case doctor.Todo:
		return "📝"
	case doctor.Warn:
		return "⚠️"
	case doctor.Fail:
		return "❌"
	}
	return "➖"
}

// mdCell makes s safe inside one table cell: a pipe would end the cell and a newline the row,
// and HTML or a backtick would change what the reader sees, so they are escaped; line breaks
// become <br>.
func mdCell(s string) string {
	s = strings.TrimSpace(s)
	r := strings.NewReplacer(
		"&", "&amp;", "<", "&lt;", ">", "&gt;",
		"|", "\\|", "`", "\\`",
		"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
	)
	return r.Replace(s)
}
