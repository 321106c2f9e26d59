package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/identity"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// TokenRecord is what flowsctl remembers about the token Okta holds: when it was issued and
// until when it lives, and how far a rotation got. Never the value. It lives in
// .flowsctl/okta-scim-token.json next to the config, 0600.
type TokenRecord struct {
	Target    string    `json:"target"` // "Identity Services" or "Access"
	Phase     string    `json:"phase"`  // issued, okta-updated, done
	StartedAt time.Time `json:"startedAt"`
	IssuedAt  time.Time `json:"issuedAt"`
	ExpiresAt time.Time `json:"expiresAt,omitempty"`
	// Guided is true when the operator pastes the token (Okta refused the API, or no okta section).
	Guided bool `json:"guided,omitempty"`
}

// Rotation phases.
const (
	PhaseIssued      = "issued"
	PhaseOktaUpdated = "okta-updated"
	PhaseDone        = "done"
)

// TokenRecordPath is the record's file for a config.
func TokenRecordPath(configPath string) string {
	return config.StatePath(configPath, "okta-scim-token.json")
}

// ReadTokenRecord reads the record (nil when there is none).
func ReadTokenRecord(configPath string) (*TokenRecord, error) {
	var r TokenRecord
	found, err := config.ReadState(TokenRecordPath(configPath), &r)
	if err != nil {
		return nil, fmt.Errorf("%w (remove it; flowsctl rewrites it at the next rotation)", err)
	}
	if !found {
		return nil, nil
	}
	return &r, nil
}

func writeTokenRecord(configPath string, r TokenRecord) error {
	if configPath == "" {
		// A config built in memory (tests, demo internals) has no folder to record in.
		return nil
	}
	return config.WriteState(TokenRecordPath(configPath), r)
}

// RecordIssued records that flowsctl wrote a new Identity Services token to the sink (issue
// time and expiry, never the value). phase is PhaseDone when Okta gets it in the same run
// (apply's okta.provisioning step sets a first connection), else PhaseIssued: doctor then says
// Okta still holds the old one and flowsctl rotate okta-scim-token finishes the job.
func RecordIssued(configPath string, expires time.Time, phase string) error {
	now := time.Now().UTC()
	return writeTokenRecord(configPath, TokenRecord{Target: "Identity Services", Phase: phase, StartedAt: now, IssuedAt: now, ExpiresAt: expires.UTC()})
}

// RotateOptions steer RotateOktaSCIMToken.
type RotateOptions struct {
	// DryRun lists the steps and changes nothing.
	DryRun bool
	// Confirmed is the operator's word that the new token was pasted into Okta (--confirm).
	Confirmed bool
	// Say receives progress lines (stderr).
	Say func(format string, a ...any)
}

// RotateResult is what the rotation did.
type RotateResult struct {
	Target    string         `json:"target" yaml:"target"`
	Steps     []string       `json:"steps" yaml:"steps"`
	Pending   string         `json:"pending,omitempty" yaml:"pending,omitempty"` // an operator checklist still to do
	IssuedAt  time.Time      `json:"issuedAt,omitzero" yaml:"issuedAt,omitempty"`
	ExpiresAt time.Time      `json:"expiresAt,omitzero" yaml:"expiresAt,omitempty"`
	Checks    []doctor.Check `json:"checks,omitempty" yaml:"checks,omitempty"`
}

// RotateOktaSCIMToken replaces the token Okta provisions with, in the order that keeps Okta
// working longest: a new token on the Workspace ONE side, Okta updated (through its API, or
// by the operator with a checklist), provisioning verified, and only then the old token
// retired. Identity Services holds one token per directory, so there the old one stops when
// the new one is generated: the gap is the time until Okta is updated (one request in api
// mode). On the Access path the new bearer token comes from the OktaSCIM client's current
// secret, so nothing is revoked: the old bearer token lapses at the end of its lifetime.
// Progress is recorded (never the token) so an interrupted rotation resumes.
func RotateOktaSCIMToken(ctx context.Context, d Deps, o RotateOptions) (RotateResult, error) {
	cfg := d.Config
	say := o.Say
	if say == nil {
		say = func(string, ...any) {}
	}
	res := RotateResult{Target: "Access"}
	if cfg.OktaIdentityPath() {
		res.Target = "Identity Services"
	}
	if cfg.Okta == nil {
		return res, errors.New("no okta section in the config: flowsctl cannot tell where Okta's SCIM app is; add okta: (flowsctl init), or rotate by hand: flowsctl identity token generate, then paste it into Okta")
	}
	rec, err := ReadTokenRecord(cfg.Path)
	if err != nil {
		return res, err
	}
	if rec != nil && (rec.Phase == PhaseDone || rec.Target != res.Target) {
		rec = nil
	}
	prov, err := OktaProvisioning(d, setup.Values{})
	if err != nil {
		return res, err
	}
	var tokObj *identity.SCIMTokenObject
	if res.Target == "Identity Services" {
		c, err := identityClient(d)
		if err != nil {
			return res, err
		}
		dir, err := c.FindDirectory(ctx, cfg.IdentityServices.Directory.Name)
		if err != nil {
			return res, err
		}
		if dir == nil {
			return res, fmt.Errorf("identity services directory %q does not exist: nothing to rotate (create it: flowsctl apply)", cfg.IdentityServices.Directory.Name)
		}
		if tokObj, err = identity.SCIMTokenFromConfig(c, cfg, func() string { return dir.ID }); err != nil {
			return res, err
		}
		// Checked before anything remote: a token generated into a sink that cannot be
		// written would be lost together with the one Okta holds.
		if err := cfg.ResolveRef(tokObj.Sink).CheckSink(); err != nil {
			return res, fmt.Errorf("%s: nothing was rotated: %w", tokObj.Object(), err)
		}
	}
	plan := []string{
		"1. new token in " + res.Target,
		"2. Okta's SCIM app " + cfg.Okta.SCIMApp.Label + " gets it (Okta API, or a console checklist)",
		"3. verify provisioning with it",
		"4. retire the old token",
	}
	if o.DryRun {
		res.Steps = plan
		if res.Target == "Identity Services" {
			res.Steps = append(res.Steps, "note: Identity Services keeps one token per directory, so the old token stops at step 1; Okta's provisioning fails until step 2")
		}
		return res, nil
	}
	resume := "flowsctl rotate okta-scim-token --confirm -f " + cfg.Path
	if rec == nil {
		now := time.Now().UTC()
		r := TokenRecord{Target: res.Target, StartedAt: now, IssuedAt: now}
		if tokObj != nil {
			say("Identity Services keeps one token per directory: the token Okta holds stops working now, until Okta has the new one")
			t, err := tokObj.Generate(ctx)
			if err != nil {
				return res, err
			}
			r.ExpiresAt = t.ExpiresAt.UTC()
			res.Steps = append(res.Steps, "new token generated into "+tokObj.Sink.Target()+"; the old one no longer works")
		} else {
			res.Steps = append(res.Steps, "a new bearer token of "+cfg.Access.SCIMClient.ClientID+" is issued with its current secret (the secret is not rotated, so nothing else loses access)")
		}
		r.Phase = PhaseIssued
		if err := writeTokenRecord(cfg.Path, r); err != nil {
			return res, fmt.Errorf("recording the rotation in %s: %w", TokenRecordPath(cfg.Path), err)
		}
		rec = &r
	} else {
		res.Steps = append(res.Steps, "resuming a rotation started "+rec.StartedAt.Format(time.RFC3339)+" (phase "+rec.Phase+")")
	}
	if rec.Phase == PhaseIssued {
		tok, err := prov.Token(ctx)
		if err != nil {
			return res, fmt.Errorf("the new token: %w", err)
		}
		if tokObj == nil {
			rec.IssuedAt = time.Now().UTC()
			if exp, ok := httpx.JWTExpiry(tok); ok {
				rec.ExpiresAt = exp.UTC()
			} else if ttl := cfg.Access.SCIMClient.AccessTokenTTL; !ttl.IsZero() {
				// An opaque token lives the OktaSCIM client's accessTokenTTL.
				rec.ExpiresAt = rec.IssuedAt.Add(ttl.D)
			}
		}
		viaAPI := false
		if !rec.Guided {
			if viaAPI, err = prov.ReplaceToken(ctx, tok); err != nil {
				return res, err
			}
		}
		switch {
		case viaAPI:
			res.Steps = append(res.Steps, "Okta's provisioning connection now holds the new token (observed through Okta's API)")
		case o.Confirmed:
			res.Steps = append(res.Steps, "the operator confirmed the new token is pasted into Okta")
		default:
			rec.Guided = true
			if err := writeTokenRecord(cfg.Path, *rec); err != nil {
				return res, err
			}
			res.Pending = prov.TokenChecklist(resume)
			return res, nil
		}
		rec.Phase = PhaseOktaUpdated
		if err := writeTokenRecord(cfg.Path, *rec); err != nil {
			return res, err
		}
	}
	// Verify: the new token works on the Workspace ONE side, and Okta provisions with it.
	var checks []doctor.Check
	if tokObj != nil {
		checks = append(checks, tokObj.Verify(ctx)...)
	}
	checks = append(checks, prov.Verify(ctx)...)
	res.Checks = checks
	if doctor.Failed(checks) {
		var bad []string
		for _, c := range checks {
			if c.Status == doctor.Fail {
				bad = append(bad, c.Title+": "+c.Detail)
			}
		}
		return res, fmt.Errorf("after the rotation provisioning does not work: %s; fix it, then re-run %s (it resumes at the verification)", strings.Join(bad, "; "), resume)
	}
	res.Steps = append(res.Steps, "verified: provisioning works with the new token")
	if tokObj != nil {
		res.Steps = append(res.Steps, "the old token was retired by Identity Services when the new one was generated")
	} else {
		res.Steps = append(res.Steps, fmt.Sprintf("the old bearer token lapses at the end of its lifetime (accessTokenTTL of %s); Access has no API to revoke one token, and rotating the client secret would cut off every other holder", cfg.Access.SCIMClient.ClientID))
	}
	rec.Phase = PhaseDone
	if err := writeTokenRecord(cfg.Path, *rec); err != nil {
		return res, err
	}
	res.IssuedAt, res.ExpiresAt = rec.IssuedAt, rec.ExpiresAt
	return res, nil
}

// tokenLifetimeProbe checks the token Okta holds is within its lifetime, from the issue time
// flowsctl recorded when it issued it (not from a token it mints now).
func tokenLifetimeProbe(d Deps) []doctor.Probe {
	if d.Config == nil || d.Config.Okta == nil {
		return nil
	}
	cfg := d.Config
	return []doctor.Probe{{ID: "okta.scimToken.lifetime", Title: "the token Okta provisions with is within its lifetime", Run: func(context.Context) []doctor.Check {
		return []doctor.Check{TokenLifetimeCheck(cfg.Path, time.Now())}
	}}}
}

// TokenLifetimeCheck warns when less than 14 days or 10% of the lifetime remain, and fails
// once the token expired, from the record of the last token flowsctl gave Okta.
func TokenLifetimeCheck(configPath string, now time.Time) doctor.Check {
	const fix = "flowsctl rotate okta-scim-token"
	ck := doctor.Check{ID: "okta.scimToken.lifetime", Title: "the token Okta provisions with is within its lifetime", Status: doctor.Pass}
	rec, err := ReadTokenRecord(configPath)
	switch {
	case err != nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Warn, err.Error(), fix
		return ck
	case rec == nil || rec.ExpiresAt.IsZero() || rec.IssuedAt.IsZero():
		ck.Status, ck.Detail = doctor.Skip, "no issue time recorded (flowsctl did not give Okta the token it holds); rotate with flowsctl to track it"
		return ck
	}
	left, life := rec.ExpiresAt.Sub(now), rec.ExpiresAt.Sub(rec.IssuedAt)
	ck.Detail = fmt.Sprintf("%s token issued %s, expires %s", rec.Target, rec.IssuedAt.Format("2006-01-02"), rec.ExpiresAt.Format("2006-01-02"))
	switch {
	case left <= 0:
		ck.Status, ck.Fix = doctor.Fail, fix
		ck.Detail += ": expired, Okta's provisioning gets 401"
	case left < 14*24*time.Hour || left < life/10:
		ck.Status, ck.Fix = doctor.Warn, fix
		ck.Detail += fmt.Sprintf(": %s left", left.Round(time.Hour))
	}
	if rec.Phase != PhaseDone {
		ck.Status, ck.Fix = doctor.Warn, "flowsctl rotate okta-scim-token (resumes the rotation)"
		ck.Detail += "; a rotation stopped at phase " + rec.Phase
	}
	return ck
}
