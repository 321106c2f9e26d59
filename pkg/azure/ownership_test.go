package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
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
