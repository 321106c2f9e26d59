package operator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Step is a console step with no API (Hub Services' mobile flows switch, a user's Teams sign-in):
// flowsctl prints its checklist with every value filled in, records the operator's confirmation
// bound to those values, and checks whatever evidence an API shows. Doctor reports it as pass
// only when observed, confirmed on the operator's word, and todo until then.
type Step struct {
	ID    string // the step id ("hub.mobileflows")
	Key   string // which object ("tenant")
	Title string // what is true when it is done ("mobile flows enabled in Hub Services")
	// Checklist is the numbered console procedure.
	Checklist string
	// Values are the non-secret values the operator enters; a change asks for a new confirmation.
	Values map[string]string
	Store  *Store
	// ConfirmCmd records the confirmation ("flowsctl confirm hub.mobileflows -f FILE").
	ConfirmCmd string
	// Observe, when set, reports evidence through an API: done is an observed pass.
	Observe func(ctx context.Context) (done bool, detail string, err error)
	// Ask, when set (an interactive run), shows the checklist on Out and asks whether it is done;
	// a yes is recorded as the confirmation.
	Ask func(question string) (bool, error)
	Out io.Writer
	// Now is the clock of confirmations (default time.Now).
	Now func() time.Time
	// StandIn, when set, names who stands in for the operator where there is no console at
	// all (the sandbox): with no record of the operator's own, the step counts as confirmed by
	// it — confirmed, never observed.
	StandIn string
}

var _ object.Object = (*Step)(nil)

func (s *Step) fingerprint() string {
	keys := make([]string, 0, len(s.Values))
	for k := range s.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, s.Values[k])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Confirmed returns the operator's confirmation for these values.
func (s *Step) Confirmed() (Confirmation, bool, error) {
	c, ok, err := s.Store.Get(s.ID, s.Key)
	if err != nil || !ok {
		return c, false, err
	}
	return c, c.Fingerprint == s.fingerprint(), nil
}

// Confirm records that the operator did the step with these values.
func (s *Step) Confirm(now time.Time) error {
	return s.Store.Record(Confirmation{Step: s.ID, Key: s.Key, Fingerprint: s.fingerprint(), ConfirmedAt: now.UTC(), Values: s.Values})
}

func (s *Step) name() string { return s.Title }

// state is observed, confirmed, or to do.
func (s *Step) state(ctx context.Context) (status doctor.Status, detail string, err error) {
	var seen string // what the API showed when it does not show the step done
	if s.Observe != nil {
		done, d, err := s.Observe(ctx)
		if err != nil {
			return "", "", err
		}
		if done {
			return doctor.Pass, d, nil
		}
		seen = d
	}
	c, ok, err := s.Confirmed()
	switch {
	case err != nil:
		return "", "", err
	case ok:
		return doctor.Confirmed, "confirmed by the operator " + c.ConfirmedAt.Format(time.RFC3339) + " (no API shows it)", nil
	case c.Key != "":
		return doctor.Todo, "the values changed since the operator confirmed it", nil
	case s.StandIn != "":
		return doctor.Confirmed, "done by " + s.StandIn + " (no API shows it)", nil
	}
	if seen != "" {
		return doctor.Todo, "not done yet: " + seen, nil
	}
	return doctor.Todo, "not done yet", nil
}

// Text is the checklist followed by how to record it.
func (s *Step) Text() string {
	t := strings.TrimRight(s.Checklist, "\n") + "\n"
	if s.ConfirmCmd != "" {
		t += "When it is done, record it: " + s.ConfirmCmd + "\n"
	}
	return t
}

// Plan is an operator change until the step is observed or confirmed.
func (s *Step) Plan(ctx context.Context) ([]plan.Change, error) {
	st, detail, err := s.state(ctx)
	if err != nil {
		return nil, err
	}
	if st == doctor.Todo {
		return []plan.Change{{Object: s.name(), Action: plan.Operator, Note: detail + "; flowsctl apply prints the checklist"}}, nil
	}
	return []plan.Change{{Object: s.name(), Action: plan.NoOp, Note: detail}}, nil
}

// Apply returns the checklist while the step is to do (the run exits 3); it never pretends.
func (s *Step) Apply(ctx context.Context) (object.Result, error) {
	r := object.Result{Object: s.name(), Kind: "operator step", Key: s.Key, Action: plan.NoOp}
	st, detail, err := s.state(ctx)
	if err != nil {
		return r, err
	}
	r.Note = detail
	if st != doctor.Todo {
		return r, nil
	}
	if s.Ask != nil {
		if s.Out != nil {
			io.WriteString(s.Out, strings.TrimRight(s.Checklist, "\n")+"\n")
		}
		yes, err := s.Ask("Done: " + s.Title + "?")
		if err != nil {
			return r, err
		}
		if yes {
			now := time.Now
			if s.Now != nil {
				now = s.Now
			}
			if err := s.Confirm(now()); err != nil {
				return r, err
			}
			r.Action, r.Note = plan.Operator, "confirmed by the operator"
			return r, nil
		}
	}
	r.Action, r.Operator = plan.Operator, s.Text()
	return r, nil
}

// Verify reports pass (observed), confirmed or todo.
func (s *Step) Verify(ctx context.Context) []doctor.Check {
	ck := doctor.Check{ID: s.ID, Title: s.Title}
	st, detail, err := s.state(ctx)
	if err != nil {
		rec := "next to the config (.flowsctl/operator-steps.json, or .flowsctl/STEM/ for a config other than flowsctl.yaml)"
		if s.Store != nil && s.Store.Path != "" {
			rec = s.Store.Path
		}
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "check the operator step record "+rec
		return []doctor.Check{ck}
	}
	ck.Status, ck.Detail = st, detail
	if st == doctor.Todo {
		ck.Fix = firstLine(s.Checklist) + " — then: " + s.ConfirmCmd
	}
	return []doctor.Check{ck}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSuffix(l, ":")
}
