package importcmd

import (
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/internal/prompt"
)

// selectOnly is a terminal Prompter that answers Select with the option at index pick.
type selectOnly struct {
	prompt.NoInput
	pick  int
	asked []string
}

func (s *selectOnly) Select(m string, options []string, _, _ string) (string, error) {
	s.asked = append(s.asked, m)
	return options[s.pick], nil
}

func TestChoose(t *testing.T) {
	cs := []candidate{{ID: "A", Label: "a (1)"}, {ID: "B", Label: "b (2)"}}
	no := &importer{prompt: prompt.NoInput{Reason: "--no-input"}}
	if i, err := no.choose("azure.app", "Entra app", cs[:1]); i != 0 || err != nil {
		t.Errorf("one candidate: %d %v", i, err)
	}
	_, err := no.choose("azure.app", "Entra app", cs)
	if err == nil || !strings.Contains(err.Error(), "a (1); b (2)") || !strings.Contains(err.Error(), "--pick azure.app=ID") {
		t.Errorf("ambiguous with --no-input: %v", err)
	}
	picked := &importer{prompt: no.prompt, picks: map[string]string{"azure.app": "b"}}
	if i, err := picked.choose("azure.app", "Entra app", cs); i != 1 || err != nil {
		t.Errorf("--pick azure.app=b: %d %v", i, err)
	}
	if _, err := (&importer{prompt: no.prompt, picks: map[string]string{"azure.app": "C"}}).choose("azure.app", "Entra app", cs); err == nil || !strings.Contains(err.Error(), "no such Entra app") {
		t.Errorf("--pick of an absent id: %v", err)
	}
	tty := &selectOnly{pick: 1}
	if i, err := (&importer{prompt: tty}).choose("access.template", "Access template", cs); i != 1 || err != nil || len(tty.asked) != 1 {
		t.Errorf("terminal: %d %v %v", i, err, tty.asked)
	}
}

func TestParsePicks(t *testing.T) {
	p, err := parsePicks([]string{"azure.app=x, access.template=T", "identity.directory=Okta"})
	if err != nil || p["azure.app"] != "x" || p["access.template"] != "T" || p["identity.directory"] != "Okta" {
		t.Errorf("%v %v", p, err)
	}
	for _, bad := range []string{"azure.app", "azure.app=", "nope=1"} {
		if _, err := parsePicks([]string{bad}); err == nil {
			t.Errorf("--pick %q accepted", bad)
		}
	}
}
