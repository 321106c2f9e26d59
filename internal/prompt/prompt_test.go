package prompt

import (
	"strings"
	"testing"
)

var _ Prompter = NoInput{}
var _ Prompter = (*Survey)(nil)

func TestNoInputNamesTheFlag(t *testing.T) {
	n := NoInput{Reason: "--no-input is set"}
	tests := []struct {
		name string
		ask  func() error
		want []string
	}{
		{"Input", func() error { _, err := n.Input("Tenant URL", "x", "--tenant-url", nil); return err },
			[]string{"--no-input is set", `"Tenant URL"`, "set --tenant-url instead"}},
		{"Password", func() error { _, err := n.Password("Client secret", "FLOWSCTL_ACCESS_SECRET"); return err },
			[]string{`"Client secret"`, "set FLOWSCTL_ACCESS_SECRET instead"}},
		{"Select", func() error { _, err := n.Select("Mode", []string{"api"}, "api", "--mode"); return err },
			[]string{`"Mode"`, "set --mode instead"}},
		{"MultiSelect", func() error { _, err := n.MultiSelect("Connectors", []string{"a"}, nil, "--connector"); return err },
			[]string{`"Connectors"`, "set --connector instead"}},
		{"Confirm", func() error { _, err := n.Confirm("Rotate?", false, "--yes"); return err },
			[]string{`"Rotate?"`, "set --yes instead"}},
		{"no flag known", func() error { _, err := n.Input("Name", "", "", nil); return err },
			[]string{`"Name"`, "flag or environment variable"}},
	}
	for _, tt := range tests {
		err := tt.ask()
		if err == nil {
			t.Fatalf("%s: no error", tt.name)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tt.name, err, w)
			}
		}
	}
	if err := (NoInput{}).err("Q", "--q"); !strings.Contains(err.Error(), "input is disabled") {
		t.Errorf("default reason: %v", err)
	}
}
