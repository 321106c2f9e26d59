package azure

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
)

// pendingSecret is the write-ahead note kept next to a file sink while a client secret is
// being added. Entra generates the value and returns it once: when that answer is lost, or
// the process dies before the value reaches the sink, the application holds a secret nobody
// knows. The note lets the next run find exactly that secret (flowsctl's display name, a key
// id that was not on the application before, a hint the sink does not match) and remove it.
// It holds no secret: the application, the display name and the key ids seen before the add.
type pendingSecret struct {
	App         string   `json:"app"`
	DisplayName string   `json:"displayName"`
	KnownKeyIDs []string `json:"knownKeyIds"`
}

// pendingPath is ".NAME.pending" beside a file sink; "" for other sinks.
func pendingPath(sink config.SecretRef) string {
	if sink.Kind() != "file" || sink.Target() == "" {
		return ""
	}
	p := sink.Target()
	return filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".pending")
}

// readPending returns the note for this application, or nil when there is none (or it is
// unreadable, which is treated as none: the note only ever removes secrets, never adds).
func readPending(spec Spec) *pendingSecret {
	p := pendingPath(spec.Sink)
	if p == "" {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var n pendingSecret
	if json.Unmarshal(b, &n) != nil || n.App != spec.UniqueName || n.DisplayName == "" {
		return nil
	}
	return &n
}

func writePending(spec Spec, app *App, displayName string) error {
	p := pendingPath(spec.Sink)
	if p == "" {
		return nil
	}
	n := pendingSecret{App: spec.UniqueName, DisplayName: displayName, KnownKeyIDs: []string{}}
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

// orphans are the application's secrets an interrupted add left behind: named as the note
// says, not on the application before the add, and not the one the sink holds.
func (r *Registration) orphans(app *App, n *pendingSecret) []Password {
	if n == nil || app == nil {
		return nil
	}
	value, _ := r.sinkValue()
	var out []Password
	for _, p := range app.Passwords {
		if p.DisplayName != n.DisplayName || slices.Contains(n.KnownKeyIDs, p.KeyID) {
			continue
		}
		if value != "" && p.Hint != "" && strings.HasPrefix(value, p.Hint) {
			continue
		}
		out = append(out, p)
	}
	return out
}
