package cmdutil

import (
	"bytes"
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
