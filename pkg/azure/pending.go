package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/safefile"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// pendingSecret is the write-ahead note kept next to a file sink while a client secret is
// being added. Entra generates the value and returns it once: when the process dies before
// the value reaches the sink, the application holds a secret nobody knows. The note is
// written before the add and rewritten with the new key id as soon as Entra answers (before
// the sink is written). The next run removes the secret only when the note names its key id
// and that key id is in the ledger of secrets flowsctl created (.NAME.keys); a note without a
// recorded key id removes nothing, it only makes flowsctl say which secret to check by hand.
// It holds no secret: the application, the display name, the key ids seen before the add and
// the key id of the add.
type pendingSecret struct {
	App         string   `json:"app"`
	DisplayName string   `json:"displayName"`
	KnownKeyIDs []string `json:"knownKeyIds"`
	KeyID       string   `json:"keyId,omitempty"`
}

// pendingPath is ".NAME.pending" beside a file sink; "" for other sinks.
func pendingPath(sink config.SecretRef) string {
	if sink.Kind() != "file" || sink.Target() == "" {
		return ""
	}
	p := sink.Target()
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".pending")
}

// readPending returns the note for this application, or nil when there is none. The note
// can only make flowsctl delete secrets, so it is trusted only when this user wrote it (see
// trustedFile) and it names a secret the way flowsctl names its own ("flowsctl 2026-11-23"):
// a note planted to name "Okta SSO signing (prod)" is ignored, with a warning.
func (r *Registration) readPending() *pendingSecret {
	spec := r.Spec
	b := r.trustedFile(pendingPath(spec.Sink), "the note of an interrupted secret add")
	if b == nil {
		return nil
	}
	var n pendingSecret
	if json.Unmarshal(b, &n) != nil || n.App != spec.UniqueName || n.DisplayName == "" {
		return nil
	}
	if !flowsctlSecretName(spec, n.DisplayName) {
		r.warnf("warning: ignoring %s: it names %q, which is not a secret name flowsctl gives\n", pendingPath(spec.Sink), n.DisplayName)
		return nil
	}
	return &n
}

// flowsctlSecretName: exactly the display name secretDisplayName gives (name, space, date).
func flowsctlSecretName(spec Spec, name string) bool {
	date, ok := strings.CutPrefix(name, spec.SecretName+" ")
	if !ok {
		return false
	}
	_, err := time.Parse("2006-01-02", date)
	return err == nil
}

// trustedFile reads one of flowsctl's own bookkeeping files beside the sink: a regular file
// (not a link) owned by the current user, mode 0600, in a folder no other user may write to.
// Anything else is ignored (nil) with a warning naming the file and the reason; a missing
// file is silently nil.
func (r *Registration) trustedFile(p, what string) []byte {
	if p == "" {
		return nil
	}
	st, err := os.Lstat(p)
	if err != nil {
		return nil
	}
	why := ""
	dir, derr := os.Stat(filepath.Dir(p))
	switch {
	case !st.Mode().IsRegular():
		why = safefile.Describe(st.Mode())
	case st.Mode().Perm() != 0o600:
		why = fmt.Sprintf("mode %04o, not 0600", st.Mode().Perm())
	case !ownedByMe(st):
		why = "owned by another user"
	case derr != nil:
		why = derr.Error()
	case dir.Mode().Perm()&0o022 != 0:
		why = fmt.Sprintf("its folder is writable by other users (mode %04o)", dir.Mode().Perm())
	}
	if why != "" {
		r.warnf("warning: ignoring %s (%s): %s; flowsctl removes no secret on its word (delete the file if you did not expect it)\n", p, what, why)
		return nil
	}
	b, err := safefile.Read(p, safefile.MaxSecret)
	if err != nil {
		r.warnf("warning: ignoring %s (%s): %v\n", p, what, err)
		return nil
	}
	return b
}

func (r *Registration) warnf(format string, args ...any) {
	if r.msg != nil {
		fmt.Fprintf(r.msg, format, args...)
	}
}

// ownedSecrets is the ledger beside a file sink (".NAME.keys"): the key ids of the client
// secrets flowsctl created for this application, each with the exact display name it gave.
// Only these are ever removed by a rotation; a secret merely named like flowsctl's is not.
type ownedSecrets struct {
	App  string     `json:"app"`
	Keys []ownedKey `json:"keys"`
}

type ownedKey struct {
	KeyID       string `json:"keyId"`
	DisplayName string `json:"displayName"`
}

// ledgerPath is ".NAME.keys" beside a file sink; "" for other sinks.
func ledgerPath(sink config.SecretRef) string {
	p := pendingPath(sink)
	if p == "" {
		return ""
	}
	return strings.TrimSuffix(p, ".pending") + ".keys"
}

func (r *Registration) readLedger() ownedSecrets {
	l := ownedSecrets{App: r.Spec.UniqueName}
	b := r.trustedFile(ledgerPath(r.Spec.Sink), "the record of the secrets flowsctl created")
	var got ownedSecrets
	if b != nil && json.Unmarshal(b, &got) == nil && got.App == r.Spec.UniqueName {
		l.Keys = got.Keys
	}
	return l
}

func (r *Registration) writeLedger(l ownedSecrets) error {
	p := ledgerPath(r.Spec.Sink)
	if p == "" {
		return nil
	}
	if l.Keys == nil {
		l.Keys = []ownedKey{}
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(p, append(b, '\n'), 0o600)
}

// recordOwned adds a secret flowsctl just created to the ledger.
func (r *Registration) recordOwned(p Password) error {
	if ledgerPath(r.Spec.Sink) == "" {
		return nil
	}
	l := r.readLedger()
	l.Keys = append(l.Keys, ownedKey{KeyID: p.KeyID, DisplayName: p.DisplayName})
	return r.writeLedger(l)
}

// forgetOwned drops a removed secret from the ledger.
func (r *Registration) forgetOwned(keyID string) error {
	if ledgerPath(r.Spec.Sink) == "" {
		return nil
	}
	l := r.readLedger()
	l.Keys = slices.DeleteFunc(l.Keys, func(k ownedKey) bool { return k.KeyID == keyID })
	return r.writeLedger(l)
}

// owned reports whether flowsctl created p: its key id is in the ledger under the same
// display name.
func (r *Registration) owned() func(p Password) bool {
	l := r.readLedger()
	return func(p Password) bool {
		return slices.Contains(l.Keys, ownedKey{KeyID: p.KeyID, DisplayName: p.DisplayName})
	}
}

// writePending writes the note: before the add with keyID "", again with the key id Entra
// answered (app still without it).
func writePending(spec Spec, app *App, displayName, keyID string) error {
	p := pendingPath(spec.Sink)
	if p == "" {
		return nil
	}
	n := pendingSecret{App: spec.UniqueName, DisplayName: displayName, KnownKeyIDs: []string{}, KeyID: keyID}
	for _, pw := range app.Passwords {
		n.KnownKeyIDs = append(n.KnownKeyIDs, pw.KeyID)
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return config.WriteFileAtomic(p, append(b, '\n'), 0o600)
}

func clearPending(spec Spec) error {
	p := pendingPath(spec.Sink)
	if p == "" {
		return nil
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// orphans are the application's secrets an interrupted add left behind: the key id the note
// names, recorded in the ledger as flowsctl's under the note's display name, not on the
// application before the add, and not the one the sink holds. A secret that only looks like
// the add's (its name, new since the note) while the note names no recorded key id for it is
// never returned: flowsctl says which one it is and where the admin can remove it.
func (r *Registration) orphans(app *App, n *pendingSecret) []Password {
	if n == nil || app == nil {
		return nil
	}
	value, _ := r.sinkValue()
	owned := r.owned()
	var out []Password
	for _, p := range app.Passwords {
		if p.DisplayName != n.DisplayName || slices.Contains(n.KnownKeyIDs, p.KeyID) {
			continue
		}
		if value != "" && p.Hint != "" && strings.HasPrefix(value, p.Hint) {
			continue
		}
		if n.KeyID == "" || p.KeyID != n.KeyID || !owned(p) {
			r.warnUnrecorded(p)
			continue
		}
		out = append(out, p)
	}
	return out
}

// warnUnrecorded says, once per run and secret, that a secret may be an interrupted run's but
// flowsctl recorded no key id for it, so it stays; the admin decides.
func (r *Registration) warnUnrecorded(p Password) {
	if r.warned == nil {
		r.warned = map[string]bool{}
	}
	if r.warned[p.KeyID] {
		return
	}
	r.warned[p.KeyID] = true
	r.warnf("warning: client secret %s (%q) of %q may have been added by an interrupted run, but flowsctl did not record its key id, so it does not remove it; "+
		"if nobody uses it, delete it in the Entra admin center > App registrations > %s > Certificates & secrets\n", p.KeyID, p.DisplayName, r.Spec.UniqueName, r.Spec.UniqueName)
}

// RemoveOwned removes the client secrets flowsctl recorded creating (see ownedSecrets), all but
// keep: the last step of a rotation, once every holder has the new value. It returns what it
// removed, one change each (display name and key id), for the caller to print.
func (r *Registration) RemoveOwned(ctx context.Context, keep string) (removed []plan.Change, err error) {
	end := r.begin()
	defer func() { err = end(err) }()
	spec := r.Spec
	app, err := r.c.getApp(ctx, spec.ReplicationBudget, spec.UniqueName, retryRead)
	if err != nil {
		return nil, err
	}
	if app == nil {
		return nil, ErrNotRegistered
	}
	owned := r.owned()
	for _, p := range app.Passwords {
		if p.KeyID == keep || !owned(p) {
			continue
		}
		if err := r.c.removePassword(ctx, spec.ReplicationBudget, app.ID, spec.UniqueName, p.KeyID); err != nil {
			return removed, err
		}
		r.state.RemovedSecrets = append(r.state.RemovedSecrets, p.KeyID)
		_ = r.forgetOwned(p.KeyID)
		removed = append(removed, plan.Change{Object: `client secret ` + p.KeyID + ` of "` + spec.UniqueName + `"`, Action: plan.Delete, Note: p.DisplayName})
	}
	return removed, nil
}
