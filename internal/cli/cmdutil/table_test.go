package cmdutil

import (
	"bytes"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	var b bytes.Buffer
	tab := NewTable(&b, "NAME", "ID", "TAGS")
	tab.Row("alpha", 7, []string{"a", "b"})
	tab.Row("b", "", "x")
	if err := tab.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NAME   ID  TAGS\nalpha  7   [a b]\nb          x\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// Every table neutralises what a server or a CSV put in a cell: no escape reaches the terminal,
// no newline fakes a row, no tab shifts a column.
func TestTableNeutralisesCells(t *testing.T) {
	tests := []struct{ name, cell string }{
		{"osc title", "x\x1b]0;owned\x07y"},
		{"clear screen", "\x1b[2J\x1b[Hx"},
		{"fake row", "x\nadmin  0"},
		{"tab", "x\ty"},
		{"c1 csi", "x\u009b31my"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tab := NewTable(&b, "NAME", "ID")
			tab.Row(tt.cell, 1)
			if err := tab.Flush(); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.ContainsAny(out, "\x1b\x07\t\u009b") || strings.Count(out, "\n") != 2 {
				t.Errorf("cell %q printed as %q", tt.cell, out)
			}
		})
	}
}
