package okta

import (
	"slices"
	"testing"
)

func TestKeepOrder(t *testing.T) {
	got := keepOrder([]string{"Zeta", "ws1 users", "Alpha", "WS1 Push"}, []string{"WS1 Push", "WS1 Users", "Missing"})
	if want := []string{"WS1 Push", "ws1 users", "Alpha", "Zeta"}; !slices.Equal(got, want) {
		t.Errorf("keepOrder = %q, want %q", got, want)
	}
	if got := keepOrder(nil, []string{"x"}); len(got) != 0 {
		t.Errorf("keepOrder(nil) = %q", got)
	}
}
