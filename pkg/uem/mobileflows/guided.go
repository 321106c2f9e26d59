package mobileflows

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/operator"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Registrar registers connectors with the mobile flows service: `api` through the modeled
// admin API (when uem.mobileFlows.adminUrl is set), `guided` through a console checklist that
// an operator follows and confirms (the default: there is no published admin API).
type Registrar interface {
	Mode() string
	// Plan reports what Apply would do. Read-only.
	Plan(ctx context.Context, s ConnectorSpec) (plan.Change, error)
	// Apply converges one connector. A Result with Operator set means an operator step is not
	// confirmed yet (Operator is the checklist shown).
	Apply(ctx context.Context, s ConnectorSpec) (object.Result, error)
	// Verify checks the connector (api: exists, active, base URL, client id; guided: confirmed).
	Verify(ctx context.Context, s ConnectorSpec) []doctor.Check
	// List reports the connectors the registrar knows.
	List(ctx context.Context) ([]Registered, error)
}

// Registered is a row of `uem connector list`.
type Registered struct {
	Name           string `json:"name" yaml:"name"`
	Mode           string `json:"mode" yaml:"mode"`
	CatalogID      string `json:"catalogId,omitempty" yaml:"catalogId,omitempty"`
	DiscoveryURL   string `json:"discoveryUrl,omitempty" yaml:"discoveryUrl,omitempty"`
	BaseURL        string `json:"baseUrl,omitempty" yaml:"baseUrl,omitempty"`
	Active         bool   `json:"active" yaml:"active"`
	Authentication string `json:"authentication,omitempty" yaml:"authentication,omitempty"`
	ClientID       string `json:"clientId,omitempty" yaml:"clientId,omitempty"`
	Notification   string `json:"notification,omitempty" yaml:"notification,omitempty"`
	Status         string `json:"status" yaml:"status"` // registered | confirmed
	ID             string `json:"id,omitempty" yaml:"id,omitempty"`
	ConfirmedAt    string `json:"confirmedAt,omitempty" yaml:"confirmedAt,omitempty"`
}

// Confirmation and ConfirmStore are the operator step record shared by every service
// (pkg/operator).
type (
	Confirmation = operator.Confirmation
	ConfirmStore = operator.Store
)

// StorePathFor is the store next to a config file.
func StorePathFor(configPath string) string { return operator.PathFor(configPath) }

// Step names of the confirmations.
const (
	StepConnector = "uem.connectors"
	StepTenant    = "uem.mobileflows.tenant"
)

// Guided is the `guided` registrar: it prints the console checklist and records the
// operator's confirmation.
type Guided struct {
	Store *ConfirmStore
	// Out receives the checklist.
	Out io.Writer
	// ShowSecret prints the client secret's value in the checklist (--show-secret).
	ShowSecret bool
	// Confirm records the confirmation without asking (--confirm).
	Confirm bool
	// Ask asks the operator whether the steps are done; nil when no one can answer (--no-input).
	Ask func(question string) (bool, error)
	// Now is the clock (tests).
	Now func() time.Time
	// ConfirmCommand is the command that records the confirmation, shown at the end.
	ConfirmCommand func(s ConnectorSpec) string
	// Config reads the secret for --show-secret (cfg.Secret); nil reads loaded refs as they are.
	Config *config.Config
}

func (g *Guided) Mode() string { return "guided" }

func (g *Guided) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now().UTC()
}

func (g *Guided) confirmed(s ConnectorSpec) (Confirmation, bool, error) {
	c, ok, err := g.Store.Get(StepConnector, s.Name)
	if err != nil || !ok {
		return c, false, err
	}
	return c, c.Fingerprint == s.Fingerprint() && !g.secretChanged(s, c), nil
}

// confirmedSecretKey holds, in a confirmation's values, the SHA-256 fingerprint of the client
// secret the operator pasted (a hash, never the value).
const confirmedSecretKey = "clientSecretSha256"

// secretFP is the fingerprint of the spec's current client secret, "" when it has none or it
// cannot be read.
func (g *Guided) secretFP(s ConnectorSpec) string {
	if s.Grant.ClientSecret == "" || g.Config == nil {
		return ""
	}
	v, err := g.Config.Secret(s.Grant.ClientSecret)
	if err != nil || v == "" {
		return ""
	}
	return SecretFingerprint(v)
}

// secretChanged: the operator confirmed another client secret than the one the sink holds now
// (a rotation), so the console step must be done again with the new one.
func (g *Guided) secretChanged(s ConnectorSpec, c Confirmation) bool {
	fp := g.secretFP(s)
	return fp != "" && c.Values[confirmedSecretKey] != fp
}

// Plan is no-op when the operator confirmed these values, operator otherwise.
func (g *Guided) Plan(ctx context.Context, s ConnectorSpec) (plan.Change, error) {
	ch := plan.Change{Object: objectName(s)}
	c, ok, err := g.confirmed(s)
	if err != nil {
		return ch, err
	}
	if ok {
		ch.Action, ch.Note = plan.NoOp, "confirmed by the operator "+c.ConfirmedAt.Format(time.RFC3339)
		return ch, nil
	}
	ch.Action = plan.Operator
	ch.Note = "console step: Content > Mobile Flows (no admin API); flowsctl prints the checklist"
	if c.Key != "" {
		ch.Note = "values changed since the operator confirmed them; redo the console step"
		if c.Fingerprint == s.Fingerprint() {
			ch.Note = "the client secret changed since the operator pasted it; paste the new one from " + string(s.Grant.ClientSecret)
		}
	}
	ch.Fields = createFields(wireFrom(s), "")
	return ch, nil
}

// Apply prints the checklist unless already confirmed, then records the confirmation when
// --confirm is given or the operator answers yes; otherwise the Result carries the checklist as
// its Operator (pending).
func (g *Guided) Apply(ctx context.Context, s ConnectorSpec) (object.Result, error) {
	res := result(s, plan.NoOp)
	if _, ok, err := g.confirmed(s); err != nil {
		return res, err
	} else if ok {
		res.Note = "confirmed by the operator"
		return res, nil
	}
	var secret func(config.SecretRef) (string, error)
	if g.ShowSecret {
		secret = g.Config.Secret
	}
	text, err := ConnectorChecklist(s, secret)
	if err != nil {
		return res, err
	}
	if g.ConfirmCommand != nil {
		text += "\nWhen it is done, record it: " + g.ConfirmCommand(s) + "\n"
	}
	if g.Out != nil {
		io.WriteString(g.Out, text)
	}
	res.Action = plan.Operator
	yes := g.Confirm
	if !yes && g.Ask != nil {
		if yes, err = g.Ask(fmt.Sprintf("Is %q added and submitted in the UEM console?", s.Name)); err != nil {
			return res, err
		}
	}
	if !yes {
		res.Operator = text
		return res, nil
	}
	err = g.Store.Record(Confirmation{Step: StepConnector, Key: s.Name, Fingerprint: s.Fingerprint(), ConfirmedAt: g.now(),
		Values: map[string]string{"catalogId": s.CatalogID, "discoveryUrl": s.DiscoveryURL, "baseUrl": s.BaseURL,
			"clientId": s.Grant.ClientID, "authentication": s.Auth, "notification": s.Notification,
			confirmedSecretKey: g.secretFP(s)}})
	if err != nil {
		return res, err
	}
	res.Note = "confirmed by the operator"
	return res, nil
}

// Verify reports the console step as confirmed (an operator's word, never an observed pass)
// when the operator recorded these values, and as to do until then.
func (g *Guided) Verify(ctx context.Context, s ConnectorSpec) []doctor.Check {
	ck := doctor.Check{ID: "uem.connector." + text.Slug(s.Name), Title: objectName(s) + " added in the console"}
	c, ok, err := g.confirmed(s)
	switch {
	case err != nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "delete the record and confirm again"
	case ok:
		ck.Status, ck.Detail = doctor.Confirmed, "confirmed by the operator "+c.ConfirmedAt.Format(time.RFC3339)+" (not observable: mobile flows has no admin API)"
	case c.Key != "" && c.Fingerprint == s.Fingerprint():
		ck.Status, ck.Detail, ck.Fix = doctor.Todo, "the Entra client secret changed since the operator pasted one (rotated): the connector may still hold the old one", "flowsctl rotate teams-secret (paste the new secret from "+string(s.Grant.ClientSecret)+" in the console, then confirm)"
	case c.Key != "":
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, "the configured values changed since the confirmation", "flowsctl uem connector add "+addArg(s)+" (redo the console step, then --confirm)"
	default:
		ck.Status, ck.Detail, ck.Fix = doctor.Todo, "operator step not done yet", "flowsctl uem connector add "+addArg(s)+" (follow the checklist, then --confirm)"
	}
	return []doctor.Check{ck}
}

// List reports confirmed connectors.
func (g *Guided) List(ctx context.Context) ([]Registered, error) {
	cs, err := g.Store.All(StepConnector)
	if err != nil {
		return nil, err
	}
	out := []Registered{}
	for _, c := range cs {
		v := c.Values
		out = append(out, Registered{Name: c.Key, Mode: "guided", CatalogID: v["catalogId"], DiscoveryURL: v["discoveryUrl"], BaseURL: v["baseUrl"],
			Active: true, Authentication: v["authentication"], ClientID: v["clientId"], Notification: v["notification"],
			Status: "confirmed", ConfirmedAt: c.ConfirmedAt.Format(time.RFC3339)})
	}
	return out, nil
}

// ConnectorChecklist is the numbered console procedure for one connector, every value filled
// in. The secret's value appears only when secret (the reader, cfg.Secret) is given; otherwise
// the checklist says where it is.
func ConnectorChecklist(s ConnectorSpec, secret func(config.SecretRef) (string, error)) (string, error) {
	var b strings.Builder
	n := 0
	step := func(format string, a ...any) {
		n++
		fmt.Fprintf(&b, "%2d. %s\n", n, fmt.Sprintf(format, a...))
	}
	field := func(k, v string) { fmt.Fprintf(&b, "      %-22s %s\n", k+":", v) }
	e, isCatalog := s.Catalog()
	if isCatalog {
		fmt.Fprintf(&b, "Add the %s connector in the Workspace ONE UEM console (mobile flows publishes no admin API):\n", e.Name)
		step("Log in to the UEM console (version 1905 or later) and go to Content > Mobile Flows > Catalog.")
		step("Select %s and click Add.", e.Name)
		step("Basic Information:")
		field("Name", s.Name)
		field("Base URL", orNone(s.BaseURL))
		field("Activate", onOff(s.Active))
		b.WriteString("      Click Next.\n")
	} else {
		fmt.Fprintf(&b, "Add the custom connector %q in the Workspace ONE UEM console (mobile flows publishes no admin API):\n", s.Name)
		step("Log in to the UEM console and go to Content > Mobile Flows > My Flows.")
		step("Click New.")
		step("Connector details:")
		field("Name", s.Name)
		field("Discovery URL", s.DiscoveryURL)
		field("Base URL", orNone(s.BaseURL))
		field("Activate", onOff(s.Active))
	}
	cats := "leave the defaults"
	if len(s.Categories) > 0 {
		cats = strings.Join(s.Categories, ", ")
	}
	if isCatalog {
		step("Categories (Use Case, Apps, Type): %s. Click Next.", cats)
	} else {
		step("Category: %s.", cats)
	}
	step("Authentication Type: %s", AuthLabel(s.Auth))
	switch s.Auth {
	case AuthOAuth2Code, AuthOAuth2Password, AuthOAuth2Client:
		field("Grant type", strings.TrimPrefix(AuthLabel(s.Auth), "OAuth 2.0 - "))
		if s.Grant.AuthorizeURL != "" {
			field("Authorization URL", s.Grant.AuthorizeURL)
		}
		if s.Grant.TokenURL != "" {
			field("Token URL", s.Grant.TokenURL)
		}
		if len(s.Grant.Scopes) > 0 {
			field("Scopes", strings.Join(s.Grant.Scopes, " "))
		}
		field("Client ID", orNone(s.Grant.ClientID))
		switch {
		case s.Grant.ClientSecret.IsZero():
			field("Client Secret", "the secret of that client (not managed by flowsctl)")
		case secret != nil:
			v, err := secret(s.Grant.ClientSecret)
			if err != nil {
				return "", fmt.Errorf("--show-secret: %w", err)
			}
			field("Client Secret", v)
		default:
			field("Client Secret", "stored in "+string(s.Grant.ClientSecret)+" (re-run with --show-secret to print it)")
		}
		if len(s.Grant.TokenServerHints) > 0 || len(s.Grant.TokenURIBodyParameters) > 0 {
			b.WriteString("      Show Advanced Options:\n")
			for _, k := range slices.Sorted(maps.Keys(s.Grant.TokenServerHints)) {
				field("  Token Server Hint "+k, s.Grant.TokenServerHints[k])
			}
			for _, k := range slices.Sorted(maps.Keys(s.Grant.TokenURIBodyParameters)) {
				field("  Token URI Body "+k, s.Grant.TokenURIBodyParameters[k])
			}
		}
	case AuthServiceAccount:
		field("Service account", "enter the credentials the backend expects (not managed by flowsctl)")
	case AuthBasic:
		field("Basic", "users enter their own credentials; nothing to fill in")
	case AuthWorkspaceONE:
		field("Workspace ONE", "no action required")
	}
	if isCatalog {
		b.WriteString("      Click Next.\n")
		if s.Notification == NotificationPoll {
			step("Notification Method: Poll (VMware-hosted connectors poll every 60 minutes; push needs a self-hosted connector). Click Next.")
		} else {
			step("Notification Method: Push; select the authentication type. Click Next.")
		}
		step("Review the values and click Submit.")
		step("Check that Content > Mobile Flows > My Flows lists %q (changes reach Hub Services in about 15 minutes).", s.Name)
	} else {
		step("Click Save.")
		step("Check that Content > Mobile Flows > My Flows lists %q (notification method %s).", s.Name, s.Notification)
	}
	return b.String(), nil
}

func onOff(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}
