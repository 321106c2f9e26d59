package object

import (
	"errors"
	"slices"
	"testing"
)

func TestCandidates(t *testing.T) {
	others := func() ([]string, error) { return []string{"a", "b"}, nil }
	found := func() (*string, error) { s := "named"; return &s, nil }
	missing := func() (*string, error) { return nil, nil }
	broken := errors.New("look-up refused")
	failing := func() (*string, error) { return nil, broken }
	for _, tc := range []struct {
		name   string
		byName func() (*string, error)
		want   []string
		err    error
	}{
		{"", found, []string{"a", "b"}, nil}, // no name: the look-up is not made
		{"x", found, []string{"named"}, nil},
		{"x", missing, []string{"a", "b"}, nil},
		{"x", failing, nil, broken},
	} {
		got, err := Candidates(tc.name, tc.byName, others)
		if !slices.Equal(got, tc.want) || !errors.Is(err, tc.err) {
			t.Errorf("name %q: %v %v, want %v %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestKeep(t *testing.T) {
	all := []int{1, 2, 3, 4, 5, 6}
	even := func(n int) bool { return n%2 == 0 }
	if got := Keep(all, even, nil); !slices.Equal(got, []int{2, 4, 6}) {
		t.Errorf("no name: %v", got)
	}
	if got := Keep(all, even, func(n int) bool { return n == 4 }); !slices.Equal(got, []int{4}) {
		t.Errorf("named 4: %v", got)
	}
	// a named item the filter refuses is not a candidate
	if got := Keep(all, even, func(n int) bool { return n == 3 }); !slices.Equal(got, []int{2, 4, 6}) {
		t.Errorf("named 3: %v", got)
	}
}
