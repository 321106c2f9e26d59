package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/plan"
)

// secretNames lists the display names of the application's secrets, as Graph holds them.
func secretNames(t *testing.T, r *Registration) []string {
	t.Helper()
	app, err := r.c.getApp(context.Background(), r.Spec.ReplicationBudget, r.Spec.UniqueName, retryRead)
	if err != nil || app == nil {
		t.Fatalf("read the application: %v", err)
	}
	var out []string
	for _, p := range app.Passwords {
		out = append(out, p.DisplayName)
	}
	return out
}

// addForeign adds a secret the way a human in the Entra admin center would.
func addForeign(t *testing.T, r *Registration, name string) Password {
	t.Helper()
	ctx := context.Background()
	app, err := r.c.getApp(ctx, r.Spec.ReplicationBudget, r.Spec.UniqueName, retryRead)
	if err != nil || app == nil {
		t.Fatalf("read the application: %v", err)
	}
	pw, _, err := r.c.addPassword(ctx, r.Spec.ReplicationBudget, app.ID, r.Spec.UniqueName, name, time.Now().Add(24*time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	return pw
}

func has(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// TestPlantedNoteNeverDeletesForeignSecret: a ".NAME.pending" note beside the sink naming a
// secret a human made used to be trusted, and apply deleted that secret. Now a note is
// trusted only when it is this user's 0600 file naming a flowsctl-style secret.
func TestPlantedNoteNeverDeletesForeignSecret(t *testing.T) {
	const foreign = "Okta SSO signing (prod)"
	for _, tt := range []struct {
		name string
		mode os.FileMode
		note string // display name the note names
	}{
		{"foreign name, private file", 0o600, foreign},
		{"flowsctl name, readable by all", 0o644, "flowsctl 2026-01-01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t)
			r := f.applied(t)
			var warn bytes.Buffer
			r.msg = &warn
			addForeign(t, r, foreign)
			addForeign(t, r, "flowsctl 2026-01-01") // named like flowsctl's, made by hand
			note := pendingPath(r.Spec.Sink)
			b, _ := json.Marshal(pendingSecret{App: r.Spec.UniqueName, DisplayName: tt.note, KnownKeyIDs: []string{}})
			if err := os.WriteFile(note, b, tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(note, tt.mode); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Apply(context.Background()); err != nil {
				t.Fatal(err)
			}
			names := secretNames(t, r)
			if !has(names, foreign) || !has(names, "flowsctl 2026-01-01") {
				t.Errorf("apply deleted a secret flowsctl did not create; left: %q", names)
			}
			if len(r.State().RemovedSecrets) != 0 {
				t.Errorf("apply removed %v", r.State().RemovedSecrets)
			}
			if !strings.Contains(warn.String(), "ignoring "+note) {
				t.Errorf("no warning about the untrusted note; got %q", warn.String())
			}
		})
	}
}

// TestRotateRemoveOldOnlyOwnedKeys: --remove-old used to delete every secret whose display
// name starts with "flowsctl". Now it removes exactly the key ids flowsctl recorded creating.
func TestRotateRemoveOldOnlyOwnedKeys(t *testing.T) {
	f := start(t)
	r := f.applied(t)
	first := r.State().Secret.KeyID
	addForeign(t, r, "flowsctl-foo")
	addForeign(t, r, "Okta SSO signing (prod)")
	res, err := r.Rotate(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.State().RemovedSecrets; len(got) != 1 || got[0] != first {
		t.Errorf("removed %v, want exactly the first flowsctl secret %s", got, first)
	}
	names := secretNames(t, r)
	if !has(names, "flowsctl-foo") || !has(names, "Okta SSO signing (prod)") || len(names) != 3 {
		t.Errorf("secrets after rotate: %q; want the two foreign ones and the new one", names)
	}
	kept := false
	for _, ch := range res.Changes {
		if strings.Contains(ch.Note, "flowsctl-foo: kept") {
			kept = true
		}
	}
	if !kept {
		t.Errorf("rotate did not say it kept flowsctl-foo: %+v", res.Changes)
	}
	// The next rotation removes the one this rotation made, by its key id.
	second := r.State().Secret.KeyID
	r2 := f.reg(t)
	if _, err := r2.Rotate(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if got := r2.State().RemovedSecrets; len(got) != 1 || got[0] != second {
		t.Errorf("second rotate removed %v, want %s", got, second)
	}
}

// TestPendingNoteTrustedOnlyWithRecordedKeyID: a ".NAME.pending" note used to be matched by
// display name alone, so a secret named like flowsctl's that appeared after the note was
// deleted. Now the note removes a secret only when it names that secret's key id and the key
// id is in the ledger (.NAME.keys); otherwise the secret stays and a warning says where the
// admin can remove it.
func TestPendingNoteTrustedOnlyWithRecordedKeyID(t *testing.T) {
	for _, tt := range []struct {
		name   string
		withID bool // the note names the new secret's key id (not in the ledger)
	}{
		{"note without a key id", false},
		{"note naming a key id flowsctl did not record", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := start(t)
			r := f.applied(t)
			var warn bytes.Buffer
			r.msg = &warn
			ctx := context.Background()
			spec := r.Spec
			app, err := r.c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
			if err != nil || app == nil {
				t.Fatalf("read the application: %v", err)
			}
			name := secretDisplayName(spec, r.c.now())
			if err := writePending(spec, app, name, ""); err != nil {
				t.Fatal(err)
			}
			pw := addForeign(t, r, name) // new since the note, named like the interrupted add
			if tt.withID {
				if err := writePending(spec, app, name, pw.KeyID); err != nil {
					t.Fatal(err)
				}
			}
			changes, err := r.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range changes {
				if ch.Action == plan.Delete {
					t.Errorf("plan deletes %s on the note's word", ch.Object)
				}
			}
			if _, err := r.Apply(ctx); err != nil {
				t.Fatal(err)
			}
			if got := r.State().RemovedSecrets; len(got) != 0 {
				t.Errorf("apply removed %v; the note named no recorded key id", got)
			}
			after, err := r.c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
			if err != nil || after == nil {
				t.Fatalf("read the application: %v", err)
			}
			kept := false
			for _, p := range after.Passwords {
				kept = kept || p.KeyID == pw.KeyID
			}
			if !kept {
				t.Errorf("secret %s was removed", pw.KeyID)
			}
			if w := warn.String(); !strings.Contains(w, pw.KeyID) || !strings.Contains(w, "Certificates & secrets") {
				t.Errorf("no warning naming %s and where to remove it; got %q", pw.KeyID, w)
			}
		})
	}
}

// TestPendingNoteNamesKeyIDBeforeSink: once Entra answers the add, the note names the new key
// id (and the ledger records it) before the sink is written, so a run that dies at the sink
// leaves a note the next run may trust.
func TestPendingNoteNamesKeyIDBeforeSink(t *testing.T) {
	f := start(t)
	r := f.reg(t)
	spec := r.Spec
	sink := spec.Sink.Target()
	os.Remove(sink)
	if err := os.MkdirAll(sink, 0o700); err != nil { // the sink write fails
		t.Fatal(err)
	}
	if _, err := r.Apply(context.Background()); err == nil {
		t.Fatal("apply wrote a sink that is a directory")
	}
	b, err := os.ReadFile(pendingPath(spec.Sink))
	if err != nil {
		t.Fatal(err)
	}
	var n pendingSecret
	if err := json.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	created := r.State().Secret
	if n.KeyID == "" || created == nil || n.KeyID != created.KeyID {
		t.Fatalf("note names key id %q, want the created secret's (%+v)", n.KeyID, created)
	}
	if !r.owned()(Password{KeyID: n.KeyID, DisplayName: n.DisplayName}) {
		t.Errorf("key id %s is not in the ledger", n.KeyID)
	}
}
