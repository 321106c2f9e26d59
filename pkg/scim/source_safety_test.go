package scim

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func drain(t *testing.T, src Source) error {
	t.Helper()
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Two rows for one userName (differing in case) would flip the user between runs.
func TestSourceRejectsDuplicateUserNames(t *testing.T) {
	csvIn := "userName,active\nann@x.test,true\nbob@x.test,true\nANN@x.test,false\n"
	src, err := NewCSVSource(strings.NewReader(csvIn))
	if err != nil {
		t.Fatal(err)
	}
	err = drain(t, Unique(src))
	if err == nil || !strings.Contains(err.Error(), "line 4") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want both lines 2 and 4 named", err)
	}
	js, err := NewJSONSource(strings.NewReader(`[{"userName":"a@x.test"},{"userName":"A@X.test"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if err := drain(t, Unique(js)); err == nil || !strings.Contains(err.Error(), "element 2") || !strings.Contains(err.Error(), "element 1") {
		t.Fatalf("JSON err = %v, want elements 1 and 2 named", err)
	}
}

// An oversized attribute is refused on input with its line and attribute, and the error does
// not echo the value.
func TestSourceCapsAttributeSize(t *testing.T) {
	big := strings.Repeat("Z", 10<<20)
	src, err := NewCSVSource(strings.NewReader("userName,givenName\nann@x.test," + big + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = drain(t, src)
	if err == nil || !strings.Contains(err.Error(), "CSV line 2") || !strings.Contains(err.Error(), "givenName") {
		t.Fatalf("err = %v", err)
	}
	if len(err.Error()) > 300 {
		t.Fatalf("error echoes the value: %d bytes", len(err.Error()))
	}
	js, _ := NewJSONSource(strings.NewReader(`[{"userName":"a@x.test","groups":["` + big + `"]}]`))
	if err := drain(t, js); err == nil || !strings.Contains(err.Error(), "JSON element 1: groups") {
		t.Fatalf("JSON err = %v", err)
	}
}
