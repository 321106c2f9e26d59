package operator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

func TestStore(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Path: PathFor(filepath.Join(dir, "flowsctl.yaml"))}
	if _, ok, err := s.Get("okta.provisioning", "app"); ok || err != nil {
		t.Fatalf("empty store: %v %v", ok, err)
	}
	now := time.Unix(1_800_000_000, 0).UTC()
	for _, c := range []Confirmation{
		{Step: "okta.provisioning", Key: "App", Fingerprint: "f1", ConfirmedAt: now},
		{Step: "okta.provisioning", Key: "app", Fingerprint: "f2", ConfirmedAt: now}, // replaces (case-insensitive key)
		{Step: "uem.connector", Key: "teams", Fingerprint: "f3", ConfirmedAt: now},
	} {
		if err := s.Record(c); err != nil {
			t.Fatal(err)
		}
	}
	c, ok, err := s.Get("okta.provisioning", "APP")
	if !ok || err != nil || c.Fingerprint != "f2" {
		t.Errorf("Get = %+v %v %v", c, ok, err)
	}
	all, _ := s.All("okta.provisioning")
	if len(all) != 1 {
		t.Errorf("All = %v", all)
	}
	st, err := os.Stat(s.Path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v %v", st, err)
	}
	os.WriteFile(s.Path, []byte("{"), 0o600)
	if _, _, err := s.Get("x", "y"); err == nil {
		t.Error("broken store accepted")
	}
}

func TestStep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := &Step{ID: "hub.mobileflows", Key: "tenant", Title: "mobile flows enabled in Hub Services", Checklist: "Enable it:\n 1. click",
		Values: map[string]string{"tenant": "acme"}, Store: &Store{Path: PathFor(filepath.Join(dir, "f.yaml"))}, ConfirmCmd: "flowsctl confirm hub.mobileflows"}
	status := func() doctor.Status { return st.Verify(ctx)[0].Status }
	if r, _ := st.Apply(ctx); r.Action != plan.Operator || !strings.Contains(r.Operator, "record it: flowsctl confirm") || status() != doctor.Todo {
		t.Fatalf("before: %+v %s", r, status())
	}
	if err := st.Confirm(time.Now()); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Apply(ctx); r.Action != plan.NoOp || status() != doctor.Confirmed {
		t.Fatalf("after: %+v %s", r, status())
	}
	st.Values["tenant"] = "other"
	if cs, _ := st.Plan(ctx); cs[0].Action != plan.Operator || status() != doctor.Todo {
		t.Fatalf("values changed: %+v %s", cs, status())
	}
	st.Observe = func(context.Context) (bool, string, error) { return true, "seen", nil }
	if status() != doctor.Pass {
		t.Fatalf("observed: %s", status())
	}
}

// A stand-in (the sandbox, which has no console) makes a step with no record of its own
// confirmed, never passed; a record of the operator's, even a stale one, still decides.
func TestStepStandIn(t *testing.T) {
	ctx := context.Background()
	st := &Step{ID: "identity.services", Key: "dir", Title: "services selected", Checklist: "Select:\n 1. click",
		Values: map[string]string{"services": "access"}, Store: &Store{Path: PathFor(filepath.Join(t.TempDir(), "f.yaml"))},
		StandIn: "the sandbox"}
	if ck := st.Verify(ctx)[0]; ck.Status != doctor.Confirmed || !strings.Contains(ck.Detail, "the sandbox") {
		t.Fatalf("stand-in: %+v", ck)
	}
	if r, _ := st.Apply(ctx); r.Action != plan.NoOp {
		t.Fatalf("apply with a stand-in: %+v", r)
	}
	if err := st.Confirm(time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Values["services"] = "access,uem"
	if ck := st.Verify(ctx)[0]; ck.Status != doctor.Todo {
		t.Fatalf("stale record with a stand-in: %+v", ck)
	}
}
