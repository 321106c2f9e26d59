package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/flowsctl/flowsctl/pkg/azure"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/uem/mobileflows"
)

// Phases of a Teams secret rotation, recorded so an interrupted one resumes where it stopped.
const (
	RotationAdded    = "added"    // the new Entra secret exists and the sink holds it
	RotationVerified = "verified" // every connector holds it (observed, or confirmed in guided mode)
)

// TeamsRotation is the progress of `flowsctl rotate teams-secret` (no secret value): kept in
// .flowsctl/rotate-teams-secret.json next to the config, mode 0600, until the old secrets are gone.
type TeamsRotation struct {
	Phase    string `json:"phase"`
	NewKeyID string `json:"newKeyId"`
	ClientID string `json:"clientId"`
	ObjectID string `json:"objectId"`
	// Connectors names each connector and how it was found to hold the new secret.
	Connectors map[string]string `json:"connectors,omitempty"`
	// Removed are the old flowsctl secrets removed at the end.
	Removed []plan.Change `json:"removed,omitempty"`
	// Pending is the guided step still to do (the checklist), "" when none.
	Pending string `json:"-"`
}

// RotationPath is where a rotation's progress is kept.
func RotationPath(configPath string) string {
	return config.StatePath(configPath, "rotate-teams-secret.json")
}

func loadRotation(p string) (*TeamsRotation, error) {
	var t TeamsRotation
	if _, err := config.ReadState(p, &t); err != nil {
		return nil, fmt.Errorf("reading the rotation's progress: %w (delete it to start over)", err)
	}
	return &t, nil
}

func saveRotation(p string, t *TeamsRotation) error { return config.WriteState(p, t) }

// RotateTeamsSecret rotates the Entra client secret the mobile flows connectors sign in with,
// without a moment where a connector holds a removed secret:
//  1. add a new flowsctl secret to the Entra app and write it to the sink;
//  2. api mode: send it to every connector that uses the sink, then read each back and
//     compare its secret fingerprint with the sink's; guided mode: print the console step
//     (the value's location, never the value) and wait for the operator's confirmation;
//  3. only then remove the older secrets flowsctl created (by recorded key id).
//
// Each phase reached is recorded, so running it again continues where it stopped. A guided
// step not confirmed yet returns the progress with Pending set (the caller exits 3).
func RotateTeamsSecret(ctx context.Context, d Deps, reg *azure.Registration, connectors func(setup.Values) ([]mobileflows.ConnectorSpec, error), r mobileflows.Registrar) (*TeamsRotation, error) {
	p := RotationPath(d.Config.Path)
	t, err := loadRotation(p)
	if err != nil {
		return nil, err
	}
	if t.Phase == "" {
		if _, err := reg.Rotate(ctx, false); err != nil {
			return t, err
		}
		st := reg.State()
		t.Phase, t.NewKeyID, t.ClientID, t.ObjectID = RotationAdded, st.Secret.KeyID, st.ClientID, st.ObjectID
		if err := saveRotation(p, t); err != nil {
			return t, fmt.Errorf("new client secret %s added, but recording the rotation in %s failed: %v (fix it and run flowsctl rotate teams-secret again)", t.NewKeyID, p, err)
		}
	}
	if t.Phase == RotationAdded {
		var v setup.Values
		v.Azure.ClientID, v.Azure.ObjectID, v.Azure.SecretSink = t.ClientID, t.ObjectID, reg.Spec.Sink
		if d.Config.Azure != nil {
			v.Azure.TenantID, v.Azure.Authority = d.Config.Azure.TenantID, d.Config.Azure.Authority
		}
		specs, err := connectors(v)
		if err != nil {
			return t, err
		}
		t.Connectors = map[string]string{}
		for _, s := range specs {
			if s.Grant.ClientSecret != reg.Spec.Sink {
				continue // signs in with something else
			}
			how, pending, err := moveConnector(ctx, d, r, s)
			if err != nil {
				return t, fmt.Errorf("the new client secret %s is in %s, the old ones are kept: %w (fix it, then run flowsctl rotate teams-secret again)", t.NewKeyID, reg.Spec.Sink, err)
			}
			if pending != "" {
				t.Pending = pending
				return t, nil
			}
			t.Connectors[s.Name] = how
		}
		t.Phase = RotationVerified
		if err := saveRotation(p, t); err != nil {
			return t, err
		}
	}
	removed, err := reg.RemoveOwned(ctx, t.NewKeyID)
	t.Removed = append(t.Removed, removed...)
	if err != nil {
		_ = saveRotation(p, t)
		return t, err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return t, err
	}
	return t, nil
}

// moveConnector gets the new secret into one connector and proves it: observed in api mode,
// the operator's confirmation in guided mode ("" how and the checklist while not confirmed).
func moveConnector(ctx context.Context, d Deps, r mobileflows.Registrar, s mobileflows.ConnectorSpec) (how, pending string, err error) {
	res, err := r.Apply(ctx, s)
	if err != nil {
		return "", "", err
	}
	if res.Operator != "" {
		return "", res.Operator, nil
	}
	a, ok := r.(*mobileflows.API)
	if !ok {
		return "confirmed by the operator", "", nil
	}
	have, err := a.Get(ctx, s.Name)
	if err != nil {
		return "", "", err
	}
	v, err := d.Config.Secret(s.Grant.ClientSecret)
	if err != nil {
		return "", "", err
	}
	if have == nil || have.Authentication.ClientSecretFingerprint != mobileflows.SecretFingerprint(v) {
		return "", "", fmt.Errorf("mobile flows connector %q does not report the new secret's fingerprint after the update", s.Name)
	}
	return "observed: the connector's secret fingerprint matches " + string(s.Grant.ClientSecret), "", nil
}
