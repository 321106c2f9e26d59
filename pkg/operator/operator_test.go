package operator

import (
	"os"
	"path/filepath"
	"testing"
	"time"
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
