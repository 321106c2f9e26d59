package mobileflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/uem"
)

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

const (
	templateID   = "MobileFlows_Server_Template"
	tenantObject = "mobile flows tenant registration"
)

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
	ch := plan.Change{Object: tenantObject}
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

// Apply checks the template, then prints the checklist and records the confirmation. Until
// the operator confirms, the Result's Operator is the checklist (pending).
func (t *Tenant) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: tenantObject, Kind: "mobile flows tenant", Key: t.Host, Action: plan.NoOp}
	ok, how, err := t.state(ctx)
	if err != nil || ok {
		res.Note = how
		return res, err
	}
	if err := t.template(ctx); err != nil {
		return res, err
	}
	text := t.Checklist()
	if t.ConfirmCmd != "" {
		text += "\nWhen it is done, record it: " + t.ConfirmCmd + "\n"
	}
	if t.Out != nil {
		io.WriteString(t.Out, text)
	}
	res.Action = plan.Operator
	yes := t.Confirm
	if !yes && t.Ask != nil {
		if yes, err = t.Ask("Is the tenant registered (Mobile Flows > Begin done)?"); err != nil {
			return res, err
		}
	}
	if !yes {
		res.Operator = text
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
	res.Note = "confirmed by the operator"
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
	case ok && strings.HasPrefix(how, "confirmed"):
		ck.Status, ck.Detail = doctor.Confirmed, how
	case ok:
		ck.Detail = how
	default:
		ck.Status, ck.Detail, ck.Fix = doctor.Todo, "not registered yet (an operator step)", "flowsctl uem mobileflows register (follow the checklist, then --confirm)"
	}
	return append(out, ck)
}
