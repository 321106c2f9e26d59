package cmdutil

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/flowsctl/flowsctl/internal/text"
)

// Table is the text table every command prints: cells in columns two spaces apart, aligned
// when Flush is called.
type Table struct{ tw *tabwriter.Writer }

// NewTable starts a table on w, with header as its first row when one is given.
func NewTable(w io.Writer, header ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(toAny(header)...)
	}
	return t
}

// Row adds a row of cells, each printed as with %v. Cells often come from a server or a CSV, so
// control characters are neutralised: escape sequences cannot drive the terminal, a newline cannot
// fake a row and a tab cannot shift a column.
func (t *Table) Row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = strings.ReplaceAll(text.Sanitize(fmt.Sprint(c)), "\t", " ")
	}
	fmt.Fprintln(t.tw, strings.Join(s, "\t"))
}

// Flush aligns the rows and writes them out.
func (t *Table) Flush() error { return t.tw.Flush() }

func toAny(ss []string) []any {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}
