package mobileflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

// Connectors converges uem.mobileFlows.connectors (step uem.connectors) through a Registrar.
// Custom connectors' discovery documents are fetched and validated first.
type Connectors struct {
	Specs     []ConnectorSpec
	Registrar Registrar
	// HTTP fetches discovery documents (unauthenticated).
	HTTP *httpx.Client
	// SkipDiscovery skips fetching discovery (plan offline).
	SkipDiscovery bool
}

func (c *Connectors) discovery(ctx context.Context, s ConnectorSpec) (*Discovery, error) {
	if s.DiscoveryURL == "" || c.SkipDiscovery || c.HTTP == nil {
		return nil, nil
	}
	d, err := FetchDiscovery(ctx, c.HTTP, s.DiscoveryURL)
	if err != nil {
		return nil, fmt.Errorf("connector %q: %w", s.Name, err)
	}
	return d, nil
}

// Plan reports each connector's change. Read-only.
func (c *Connectors) Plan(ctx context.Context) ([]plan.Change, error) {
	var out []plan.Change
	for _, s := range c.Specs {
		if _, err := c.discovery(ctx, s); err != nil {
			return out, err
		}
		ch, err := c.Registrar.Plan(ctx, s)
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// Apply ensures every connector. In guided mode a connector the operator has not confirmed
// makes Result.Pending true and Result.Operator carries the checklists.
func (c *Connectors) Apply(ctx context.Context) (uem.Result, error) {
	var res uem.Result
	var lists []string
	for _, s := range c.Specs {
		if _, err := c.discovery(ctx, s); err != nil {
			return res, err
		}
		o, err := c.Registrar.Ensure(ctx, s)
		if err != nil {
			return res, err
		}
		if o.Wrote {
			res.Changes = append(res.Changes, o.Change)
		}
		if o.Pending {
			res.Pending = true
			lists = append(lists, o.Checklist)
		}
	}
	res.Operator = strings.Join(lists, "\n")
	return res, nil
}

// Verify checks each connector and, for custom ones, that discovery is still valid.
func (c *Connectors) Verify(ctx context.Context) []doctor.Check {
	var out []doctor.Check
	for _, s := range c.Specs {
		out = append(out, c.Registrar.Verify(ctx, s)...)
		if s.DiscoveryURL != "" && c.HTTP != nil {
			ck := doctor.Check{ID: "uem.connector." + slug(s.Name) + ".discovery", Title: fmt.Sprintf("connector %q discovery valid", s.Name), Status: doctor.Pass}
			d, err := FetchDiscovery(ctx, c.HTTP, s.DiscoveryURL)
			if err != nil {
				ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "fix the connector's discovery document (GET / must answer application/json without authentication)"
			} else {
				ck.Detail = Summary(d)
				if len(d.Warnings) > 0 {
					ck.Status, ck.Detail = doctor.Warn, ck.Detail+"; "+strings.Join(d.Warnings, "; ")
					ck.Fix = "make the endpoints absolute public https URLs (X-Forwarded-* headers behind a proxy)"
				}
			}
			out = append(out, ck)
		}
	}
	return out
}

// Summary is a one-line description of a discovery document.
func Summary(d *Discovery) string {
	var ots, acts []string
	for _, o := range d.ObjectTypes {
		s := o.Name
		if len(o.Actions) > 0 {
			s += " (actions: " + strings.Join(o.Actions, ", ") + ")"
		}
		ots = append(ots, s)
	}
	for _, a := range d.Actions {
		acts = append(acts, a.Key)
	}
	return fmt.Sprintf("object types: %s; actions: %s", orDash(ots), orDash(acts))
}

func orDash(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ", ")
}

// TemplateCheck reports whether MobileFlows_Server_Template exists in Access.
type TemplateCheck func(ctx context.Context) (bool, error)

// Tenant is the tenant registration ("Begin") step uem.mobileflows.tenant: an operator step,
// preceded by a check that the Access template exists. In api mode the registration is
// observable and confirms itself.
type Tenant struct {
	AccessURL string
	Host      string
	// TemplateExists asks Access; nil skips the check with a note.
	TemplateExists TemplateCheck
	// Status, when set (api mode), reads whether the tenant is registered.
	Status     func(ctx context.Context) (TenantStatus, error)
	Store      *ConfirmStore
	Out        io.Writer
	Confirm    bool
	Ask        func(question string) (bool, error)
	Now        func() time.Time
	ConfirmCmd string
}

const templateID = "MobileFlows_Server_Template"

func (t *Tenant) fingerprint() string { return SecretFingerprint(t.AccessURL + "\x00" + t.Host) }

func (t *Tenant) state(ctx context.Context) (registered bool, how string, err error) {
	if t.Status != nil {
		st, err := t.Status(ctx)
		if err != nil {
			return false, "", err
		}
		if st.Registered {
			return true, "registered (reported by the mobile flows admin API)", nil
		}
	}
	c, ok, err := t.Store.Get(StepTenant, "tenant")
	if err != nil {
		return false, "", err
	}
	if ok && c.Fingerprint == t.fingerprint() {
		return true, "confirmed by the operator " + c.ConfirmedAt.Format(time.RFC3339), nil
	}
	return false, "", nil
}

func (t *Tenant) template(ctx context.Context) error {
	if t.TemplateExists == nil {
		return nil
	}
	ok, err := t.TemplateExists(ctx)
	if err != nil {
		return fmt.Errorf("checking %s in Access: %w", templateID, err)
	}
	if !ok {
		return errors.New(templateID + " does not exist in Workspace ONE Access; the tenant registration needs it: run flowsctl access template apply (console: Catalog > Settings > Remote App Access > Templates)")
	}
	return nil
}

// Plan is no-op when registered or confirmed, operator otherwise.
func (t *Tenant) Plan(ctx context.Context) ([]plan.Change, error) {
	ch := plan.Change{Object: "mobile flows tenant registration"}
	ok, how, err := t.state(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		ch.Action, ch.Note = plan.NoOp, how
		return []plan.Change{ch}, nil
	}
	ch.Action, ch.Note = plan.Operator, "console step: Mobile Flows > Begin (after "+templateID+" exists in Access)"
	return []plan.Change{ch}, nil
}

// Checklist is the numbered procedure for the registration.
func (t *Tenant) Checklist() string {
	host := t.Host
	if host == "" {
		host = uem.DefaultMobileFlowsHost
	}
	var b strings.Builder
	b.WriteString("Register the tenant with the mobile flows cloud service (no API exists for this step):\n")
	fmt.Fprintf(&b, " 1. Check: %s exists in Workspace ONE Access (%s).\n", templateID, orNone(t.AccessURL))
	b.WriteString(" 2. Log in to the Workspace ONE UEM console (1904 or later) at the customer organization group.\n")
	b.WriteString(" 3. Go to Content > Mobile Flows (visible once the mobile flows add-on is enabled).\n")
	fmt.Fprintf(&b, " 4. Click Begin: the console registers the tenant with %s (the UEM console needs outbound 443 to it).\n", host)
	b.WriteString(" 5. Wait until the Catalog and My Flows tabs appear: the tenant is registered.\n")
	return b.String()
}

// Apply checks the template, then prints the checklist and records the confirmation.
func (t *Tenant) Apply(ctx context.Context) (uem.Result, error) {
	ok, _, err := t.state(ctx)
	if err != nil || ok {
		return uem.Result{}, err
	}
	if err := t.template(ctx); err != nil {
		return uem.Result{}, err
	}
	text := t.Checklist()
	if t.ConfirmCmd != "" {
		text += "\nWhen it is done, record it: " + t.ConfirmCmd + "\n"
	}
	if t.Out != nil {
		io.WriteString(t.Out, text)
	}
	yes := t.Confirm
	if !yes && t.Ask != nil {
		if yes, err = t.Ask("Is the tenant registered (Mobile Flows > Begin done)?"); err != nil {
			return uem.Result{}, err
		}
	}
	res := uem.Result{Operator: text}
	if !yes {
		res.Pending = true
		return res, nil
	}
	now := time.Now().UTC()
	if t.Now != nil {
		now = t.Now()
	}
	if err := t.Store.Record(Confirmation{Step: StepTenant, Key: "tenant", Fingerprint: t.fingerprint(), ConfirmedAt: now,
		Values: map[string]string{"accessUrl": t.AccessURL, "host": t.Host}}); err != nil {
		return res, err
	}
	res.Changes = []plan.Change{{Object: "mobile flows tenant registration", Action: plan.Operator, Note: "confirmed by the operator"}}
	return res, nil
}

// Verify checks the template and the registration.
func (t *Tenant) Verify(ctx context.Context) []doctor.Check {
	var out []doctor.Check
	if t.TemplateExists != nil {
		ck := doctor.Check{ID: "uem.mobileflows.template", Title: templateID + " exists in Access", Status: doctor.Pass}
		if err := t.template(ctx); err != nil {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "flowsctl access template apply"
		}
		out = append(out, ck)
	}
	ck := doctor.Check{ID: "uem.mobileflows.tenant", Title: "tenant registered with mobile flows", Status: doctor.Pass}
	ok, how, err := t.state(ctx)
	switch {
	case err != nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "check uem.mobileFlows.adminUrl"
	case ok:
		ck.Detail = how
	default:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, "not registered or not confirmed", "flowsctl uem mobileflows register (follow the checklist, then --confirm)"
	}
	return append(out, ck)
}
