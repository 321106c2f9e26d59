package uem

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Range is an allowed interval of an integration setting (the integration preflight guide).
type Range struct {
	Min, Max, Step int
	Unit           string
}

// The sync settings of the integration preflight guide.
var (
	SyncIntervalRange   = Range{10, 1440, 10, "minutes"}
	DeletionThreshold   = Range{0, 100, 1, "%"}
	DeletionAfterTries  = Range{1, 100, 1, "sync tries"}
	AppSyncIntervalRnge = SyncIntervalRange
)

// Check validates v, naming the field.
func (r Range) Check(field string, v int64) error {
	if v < int64(r.Min) || v > int64(r.Max) {
		return fmt.Errorf("%s is %d %s: allowed %d-%d %s", field, v, r.Unit, r.Min, r.Max, r.Unit)
	}
	if r.Step > 1 && (v-int64(r.Min))%int64(r.Step) != 0 {
		return fmt.Errorf("%s is %d %s: must be a multiple of %d (allowed %d-%d in steps of %d)", field, v, r.Unit, r.Step, r.Min, r.Max, r.Step)
	}
	return nil
}

// CheckRanges validates an integration's sync settings; every problem is returned.
func CheckRanges(prefix string, in config.Integration) []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if in.DeviceSyncInterval.IsZero() {
		errs = append(errs, fmt.Errorf("%s.deviceSyncInterval is not set: allowed 10m-1440m in steps of 10m", prefix))
	} else {
		add(SyncIntervalRange.Check(prefix+".deviceSyncInterval", in.DeviceSyncInterval.Minutes()))
	}
	add(DeletionThreshold.Check(prefix+".deviceDeletionThreshold", int64(in.DeviceDeletionThreshold)))
	add(DeletionAfterTries.Check(prefix+".deviceDeletionAfter", int64(in.DeviceDeletionAfter)))
	if in.AppSyncInterval.IsZero() {
		errs = append(errs, fmt.Errorf("%s.appSyncInterval is not set: allowed 10m-1440m in steps of 10m", prefix))
	} else {
		add(AppSyncIntervalRnge.Check(prefix+".appSyncInterval", in.AppSyncInterval.Minutes()))
	}
	return errs
}

// Permission is one read probe of the permission check and the role permission it needs.
type Permission struct {
	Name string // "devices"
	// Role is the role permission to grant when the probe gets 403.
	Role string
	// Path and Version are the search the probe reads one row of.
	Path    string
	Version int
}

func (p Permission) probe(ctx context.Context, c *Client) error {
	_, err := c.Do(ctx, "GET", p.Path, url.Values{"pagesize": {"1"}}, p.Version, nil, nil)
	return err
}

// Permissions are the read calls a third-party dashboard makes (the integration preflight
// guide, Check Point appendix B).
var Permissions = []Permission{
	{"groups", "REST API > Groups > Read", "/api/system/groups/search", 2},
	{"devices", "REST API > Devices > Read", "/api/mdm/devices/search", 1},
	{"apps", "REST API > Apps > Read", "/api/mam/apps/search", 1},
	{"smart groups", "REST API > Smart Groups > Read", "/api/mdm/smartgroups/search", 1},
	{"tags", "Settings > Tags > View Tag (and Device Bulk Management > assign Tags for tagging)", "/api/mdm/tags/search", 1},
}

// IntegrationInfo is the "integration information" table the integration preflight guide asks admins to record.
type IntegrationInfo struct {
	DisplayName             string  `json:"displayName" yaml:"displayName"`
	ServerAddress           string  `json:"serverAddress" yaml:"serverAddress"`
	Authentication          string  `json:"authentication" yaml:"authentication"`
	ClientID                string  `json:"clientId,omitempty" yaml:"clientId,omitempty"`
	Username                string  `json:"username,omitempty" yaml:"username,omitempty"`
	APIKey                  string  `json:"apiKey,omitempty" yaml:"apiKey,omitempty"` // where it is, never the value
	Groups                  []Group `json:"groups" yaml:"groups"`
	DeviceSyncInterval      string  `json:"deviceSyncInterval" yaml:"deviceSyncInterval"`
	DeviceDeletionThreshold string  `json:"deviceDeletionThreshold" yaml:"deviceDeletionThreshold"`
	DeviceDeletionAfter     string  `json:"deviceDeletionAfter" yaml:"deviceDeletionAfter"`
	AppSyncInterval         string  `json:"appSyncInterval" yaml:"appSyncInterval"`
	TagDeviceStatus         bool    `json:"tagDeviceStatus" yaml:"tagDeviceStatus"`
	TagDeviceRisk           bool    `json:"tagDeviceRisk" yaml:"tagDeviceRisk"`
	TagThreatFactors        bool    `json:"tagThreatFactors" yaml:"tagThreatFactors"`
	SelfSignedCertificate   string  `json:"selfSignedCertificate,omitempty" yaml:"selfSignedCertificate,omitempty"`
}

// IntegrationReport is the preflight of one integration.
type IntegrationReport struct {
	Name   string          `json:"name" yaml:"name"`
	Checks []doctor.Check  `json:"checks" yaml:"checks"`
	Info   IntegrationInfo `json:"information" yaml:"information"`
}

// Failed reports whether any check failed.
func (r IntegrationReport) Failed() bool { return doctor.Failed(r.Checks) }

// Integrations is the preflight of uem.integrations (step uem.integrations; preflight only:
// the dashboards are configured in their own consoles).
type Integrations struct {
	C   *Client
	Cfg *config.UEM
	// ProbeTagWrite adds the tag write probe (a POST that changes nothing) for tagging
	// dashboards; plan, apply and doctor leave it out (they write nothing), the preflight
	// command sets it.
	ProbeTagWrite bool
	// Root resolves the integrations' secret references (relative file: paths, the redactor);
	// nil resolves them as written.
	Root *config.Config
	// NewHTTP builds a client trusting an extra PEM file (the integration's serverCertificate),
	// through httpx.New. Nil skips the TLS check with a warning.
	NewHTTP func(caFile string) (*httpx.Client, error)
}

// Run checks the named integrations (all when names is empty).
func (p *Integrations) Run(ctx context.Context, names ...string) ([]IntegrationReport, error) {
	if p.Cfg == nil || len(p.Cfg.Integrations) == 0 {
		return nil, errors.New("the config has no uem.integrations: add one (name, groups, sync settings, tagging) per third-party dashboard")
	}
	var sel []config.Integration
	var idx []int
	for i, in := range p.Cfg.Integrations {
		if len(names) == 0 || containsFold(names, in.Name) {
			sel = append(sel, in)
			idx = append(idx, i)
		}
	}
	if len(sel) == 0 {
		var have []string
		for _, in := range p.Cfg.Integrations {
			have = append(have, in.Name)
		}
		return nil, &NotFoundError{Kind: "integration", Key: strings.Join(names, ","), Suggestions: Suggest(strings.Join(names, ","), have),
			Fix: "names come from uem.integrations[].name"}
	}
	// Groups are looked up with flowsctl's own client (they exist or not, whoever asks); the
	// dashboard's credentials and permissions are checked with its own, per integration. The
	// two need nothing from each other, so they run at the same time.
	var lookupErr error
	var resolved map[string]Group
	var resolveErr map[string]error
	creds := make([][]doctor.Check, len(sel))
	perms := make([][]doctor.Check, len(sel))
	reads := []func(){func() {
		// Resolve every configured group once (also the ones of integrations not selected:
		// the parent/child rule spans them all). The API's answer to system/info decides
		// whether the groups' answers count; both go out together, one round trip.
		together(func() { _, lookupErr = p.C.SystemInfo(ctx) }, func() { resolved, resolveErr = p.resolveGroups(ctx) })
	}}
	for n, in := range sel {
		reads = append(reads, func() {
			prefix := fmt.Sprintf("uem.integrations[%d]", idx[n])
			var dash *Client
			dash, creds[n] = p.credentialChecks(ctx, prefix, in)
			if dash != nil && !doctor.Failed(creds[n]) {
				perms[n] = p.permissionChecks(ctx, dash, in)
			} else {
				perms[n] = []doctor.Check{{ID: "permissions", Title: "API permissions of the dashboard's account", Status: doctor.Skip,
					Detail: "no working " + prefix + ".auth to probe them with (flowsctl's own permissions say nothing about the dashboard's)"}}
			}
		})
	}
	together(reads...)
	lookupOK := lookupErr == nil
	var out []IntegrationReport
	for n, in := range sel {
		prefix := fmt.Sprintf("uem.integrations[%d]", idx[n])
		id := "uem.integration." + text.Slug(in.Name)
		rep := IntegrationReport{Name: in.Name}
		for _, c := range creds[n] {
			c.ID = id + "." + c.ID
			rep.Checks = append(rep.Checks, c)
		}
		// groups
		if len(in.Groups) == 0 {
			rep.Checks = append(rep.Checks, doctor.Check{ID: id + ".groups", Title: "groups resolve", Status: doctor.Fail,
				Detail: prefix + ".groups is empty", Fix: "list the organization groups or smart groups to integrate (flowsctl uem groups)"})
		}
		for _, g := range in.Groups {
			ck := doctor.Check{ID: id + ".group." + text.Slug(g), Title: fmt.Sprintf("group %q resolves", g)}
			switch {
			case !lookupOK:
				ck.Status, ck.Detail = doctor.Skip, "the UEM API did not answer flowsctl's lookups: "+lookupErr.Error()
			case resolveErr[g] != nil:
				ck.Status, ck.Detail, ck.Fix = doctor.Fail, resolveErr[g].Error(), "fix the name in "+prefix+".groups (flowsctl uem groups lists them)"
			default:
				grp := resolved[g]
				ck.Status, ck.Detail = doctor.Pass, fmt.Sprintf("%s id %d", grp.Kind, grp.ID)
				if grp.Kind == "organization-group" {
					ck.Detail += " (devices of its child groups are not included; list children explicitly)"
				}
				rep.Info.Groups = append(rep.Info.Groups, grp)
			}
			rep.Checks = append(rep.Checks, ck)
		}
		// parent/child rule
		if lookupOK {
			rep.Checks = append(rep.Checks, p.parentChildCheck(ctx, id, in, resolved))
		}
		// ranges
		rc := doctor.Check{ID: id + ".settings", Title: "sync settings within their ranges", Status: doctor.Pass,
			Detail: fmt.Sprintf("device sync %s, deletion threshold %d%%, deletion after %d tries, app sync %s",
				in.DeviceSyncInterval, in.DeviceDeletionThreshold, in.DeviceDeletionAfter, in.AppSyncInterval)}
		if errs := CheckRanges(prefix, in); len(errs) > 0 {
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			rc.Status, rc.Detail, rc.Fix = doctor.Fail, strings.Join(msgs, "; "), "edit "+prefix+" in the config to a value inside the range"
		}
		rep.Checks = append(rep.Checks, rc)
		if in.DeviceDeletionThreshold == 100 {
			rep.Checks = append(rep.Checks, doctor.Check{ID: id + ".deletion-threshold", Title: "device deletion threshold guards against mass deletion", Status: doctor.Warn,
				Detail: prefix + ".deviceDeletionThreshold is 100%: the dashboard deletes its devices even when all of them vanish from a sync (fit for an evaluation only)",
				Fix:    "set " + prefix + ".deviceDeletionThreshold below 100 (the share of devices a sync may delete) before production"})
		}
		// permissions
		for _, c := range perms[n] {
			c.ID = id + "." + c.ID
			if strings.HasSuffix(c.ID, ".permission.tags") && c.Status == doctor.Fail && !(in.Tagging.Status || in.Tagging.Risk || in.Tagging.ThreatFactors) {
				c.Status = doctor.Warn
				c.Detail += " (tagging is off for this integration)"
			}
			rep.Checks = append(rep.Checks, c)
		}
		// TLS
		rep.Checks = append(rep.Checks, p.tlsCheck(ctx, id, prefix, in))
		rep.Info = p.info(in, rep.Info.Groups)
		out = append(out, rep)
	}
	return out, nil
}

// credentialChecks signs in with the integration's own credentials (uem.integrations[].auth)
// and returns the client that uses them (nil when there are none to use).
func (p *Integrations) credentialChecks(ctx context.Context, prefix string, in config.Integration) (*Client, []doctor.Check) {
	ownFix := "create an API account for the dashboard (Accounts > Administrators: a copy of the Read Only role with the permissions below, at the top organization group, with its own REST API key) or an OAuth client for it, and name it in " + prefix + ".auth (secrets as env: or file: references)"
	if in.Auth == nil {
		return nil, []doctor.Check{{ID: "credentials", Title: "the dashboard's own credentials work", Status: doctor.Warn,
			Detail: prefix + ".auth is not set: nothing shows that the account the dashboard will use works", Fix: ownFix}}
	}
	root := config.Config{}
	if p.Root != nil {
		root = *p.Root
	}
	u := *p.Cfg
	u.Auth = *in.Auth
	root.UEM = &u
	creds, err := CredentialsFrom(&root)
	if err != nil {
		return nil, []doctor.Check{{ID: "credentials", Title: "the dashboard's own credentials work", Status: doctor.Fail, Detail: prefix + ".auth: " + err.Error(), Fix: ownFix}}
	}
	own := p.C.creds
	switch {
	case creds.OAuth != nil && own.OAuth != nil && creds.OAuth.ClientID == own.OAuth.ClientID,
		creds.Basic != nil && own.Basic != nil && strings.EqualFold(creds.Basic.Username, own.Basic.Username):
		return nil, []doctor.Check{{ID: "credentials", Title: "the dashboard's own credentials work", Status: doctor.Fail,
			Detail: prefix + ".auth names flowsctl's own UEM client or account: the dashboard must not hold flowsctl's credentials", Fix: ownFix}}
	}
	var out []doctor.Check
	var c *Client
	try := func(id, title string, cr Credentials) {
		cl := p.C.WithCredentials(cr)
		si, err := cl.SystemInfo(ctx)
		ck := doctor.Check{ID: id, Title: title, Status: doctor.Pass}
		if err != nil {
			ck.Status, ck.Detail = doctor.Fail, err.Error()
			ck.Fix = "check " + prefix + ".auth; OAuth clients: Groups & Settings > Configurations > OAuth Client Management; API key: Groups & Settings > All Settings > System > Advanced > API > REST API"
		} else {
			ck.Detail = "UEM " + si.ProductVersion + " answered the dashboard's credentials"
			if c == nil {
				c = cl
			}
		}
		out = append(out, ck)
	}
	if creds.OAuth != nil {
		try("credentials.oauth", "the dashboard's OAuth client works", Credentials{OAuth: creds.OAuth, APIKey: creds.APIKey})
	}
	if creds.Basic != nil {
		try("credentials.basic", "the dashboard's API account (Basic + REST API key) works", Credentials{Basic: creds.Basic, APIKey: creds.APIKey})
	}
	return c, out
}

// permissionChecks probes, with the dashboard's client, the reads it makes and, when it tags,
// the tag write (removing no device from an existing tag: a write that changes nothing).
func (p *Integrations) permissionChecks(ctx context.Context, c *Client, in config.Integration) []doctor.Check {
	forbidden := func(ck *doctor.Check, err error, what, role string) {
		ck.Status = doctor.Fail
		if IsForbidden(err) {
			ck.Detail = "403 on " + what + ": the dashboard's role lacks " + role
			var api *httpx.APIError
			if errors.As(err, &api) && api.RequestID != "" {
				ck.Detail += " (activity id " + api.RequestID + ")"
			}
			ck.Fix = "grant " + role + " to the dashboard's API role (Accounts > Administrators > Roles > the integration's role > Edit)"
		} else {
			ck.Detail, ck.Fix = err.Error(), "check the UEM API host and the dashboard's credentials (flowsctl uem integration check --debug)"
		}
	}
	// The read probes are independent: they go out together, reported in Permissions' order.
	out := make([]doctor.Check, len(Permissions))
	probes := make([]func(), len(Permissions))
	for i, perm := range Permissions {
		probes[i] = func() {
			ck := doctor.Check{ID: "permission." + text.Slug(perm.Name), Title: "API permission: read " + perm.Name, Status: doctor.Pass}
			if err := perm.probe(ctx, c); err != nil {
				forbidden(&ck, err, "read "+perm.Name, perm.Role)
			}
			out[i] = ck
		}
	}
	together(probes...)
	switch {
	case !(in.Tagging.Status || in.Tagging.Risk || in.Tagging.ThreatFactors):
	case p.ProbeTagWrite:
		out = append(out, p.tagWriteCheck(ctx, c, forbidden))
	default:
		out = append(out, doctor.Check{ID: "permission.tags-write", Title: "API permission: assign tags", Status: doctor.Skip,
			Detail: "probed by flowsctl uem integration check only (a write request; plan, apply and doctor write nothing here)"})
	}
	return out
}

// TagWriteRole is the permission a tagging dashboard needs to add and remove devices on tags
// (Check Point appendix B: Device Bulk Management, assign Tags).
const TagWriteRole = "Device Bulk Management > assign Tags (add/remove devices to/from tag)"

func (p *Integrations) tagWriteCheck(ctx context.Context, c *Client, forbidden func(*doctor.Check, error, string, string)) doctor.Check {
	ck := doctor.Check{ID: "permission.tags-write", Title: "API permission: assign tags", Status: doctor.Pass}
	var res struct {
		Tags []struct {
			TagName string `json:"TagName"`
			ID      struct {
				Value int `json:"Value"`
			} `json:"Id"`
		} `json:"Tags"`
	}
	if _, err := c.Do(ctx, "GET", "/api/mdm/tags/search", url.Values{"pagesize": {"1"}}, 1, nil, &res); err != nil {
		forbidden(&ck, err, "read tags", "Settings > Tags > View Tag")
		return ck
	}
	if len(res.Tags) == 0 {
		ck.Status, ck.Detail = doctor.Skip, "no tag exists to probe the write on (the dashboard creates its own)"
		return ck
	}
	t := res.Tags[0]
	body := map[string]any{"BulkValues": map[string]any{"Value": []string{}}}
	if _, err := c.Do(ctx, "POST", fmt.Sprintf("/api/mdm/tags/%d/removedevices", t.ID.Value), nil, 1, body, nil); err != nil {
		forbidden(&ck, err, "remove devices from a tag", TagWriteRole)
		return ck
	}
	ck.Detail = fmt.Sprintf("removed no device from tag %q (a write that changes nothing) with the dashboard's credentials", t.TagName)
	return ck
}

// parentChildCheck enforces: when an OG is integrated with one dashboard, none of its child OGs
// may be integrated with a different one.
func (p *Integrations) parentChildCheck(ctx context.Context, id string, in config.Integration, resolved map[string]Group) doctor.Check {
	ck := doctor.Check{ID: id + ".parent-child", Title: "no child group integrated with another dashboard", Status: doctor.Pass}
	var conflicts []string
	mine := orgGroups(in.Groups, resolved)
	for _, grp := range mine {
		kids, err := p.C.Children(ctx, grp.ID)
		if err != nil {
			ck.Status, ck.Detail, ck.Fix = doctor.Warn, "could not list the children of "+grp.Name+": "+err.Error(), "grant REST API > Groups > Read"
			return ck
		}
		for _, other := range p.others(in) {
			for _, o := range among(kids, orgGroups(other.Groups, resolved)) {
				conflicts = append(conflicts, fmt.Sprintf("%q is a child of %q but is integrated with %q", o.Name, grp.Name, other.Name))
			}
		}
	}
	// The other direction: one of our groups is a child of another integration's OG.
	for _, other := range p.others(in) {
		for _, o := range orgGroups(other.Groups, resolved) {
			kids, err := p.C.Children(ctx, o.ID)
			if err != nil {
				continue
			}
			for _, m := range among(kids, mine) {
				conflicts = append(conflicts, fmt.Sprintf("%q is a child of %q, which is integrated with %q", m.Name, o.Name, other.Name))
			}
		}
	}
	if len(conflicts) > 0 {
		ck.Status, ck.Detail = doctor.Fail, strings.Join(conflicts, "; ")
		ck.Fix = "integrate a child organization group with the same dashboard as its parent, or remove it from one of uem.integrations[].groups"
	}
	return ck
}

// others are the configured integrations other than in.
func (p *Integrations) others(in config.Integration) []config.Integration {
	var out []config.Integration
	for _, o := range p.Cfg.Integrations {
		if o.Name != in.Name {
			out = append(out, o)
		}
	}
	return out
}

// orgGroups are the names that resolved to organization groups.
func orgGroups(names []string, resolved map[string]Group) []Group {
	var out []Group
	for _, n := range names {
		if g, ok := resolved[n]; ok && g.Kind == "organization-group" {
			out = append(out, g)
		}
	}
	return out
}

// among returns the groups that are one of kids.
func among(kids []OrganizationGroup, groups []Group) []Group {
	var out []Group
	for _, g := range groups {
		for _, k := range kids {
			if int(k.ID) == g.ID {
				out = append(out, g)
			}
		}
	}
	return out
}

func (p *Integrations) tlsCheck(ctx context.Context, id, prefix string, in config.Integration) doctor.Check {
	ck := doctor.Check{ID: id + ".tls", Title: "TLS to the UEM server verified", Status: doctor.Pass}
	if in.ServerCertificate == "" {
		ck.Detail = "verified with the system roots and flowsctl's configured CA (no serverCertificate configured)"
		if p.Cfg.CAFile != "" {
			ck.Detail = "verified with uem.caFile"
		}
		return ck
	}
	if p.NewHTTP == nil {
		ck.Status, ck.Detail = doctor.Skip, "no HTTP factory to test "+in.ServerCertificate
		return ck
	}
	hc, err := p.NewHTTP(in.ServerCertificate)
	if err != nil {
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, prefix+".serverCertificate: "+err.Error(), "point it at the server's PEM (base64 CER) certificate"
		return ck
	}
	c := p.C.WithCredentials(p.C.creds)
	c.hc = hc
	if _, err := c.SystemInfo(ctx); err != nil {
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, "with "+in.ServerCertificate+": "+err.Error(), "export the server's certificate chain as PEM into "+in.ServerCertificate
		return ck
	}
	ck.Detail = "verified with " + in.ServerCertificate
	return ck
}

func (p *Integrations) info(in config.Integration, groups []Group) IntegrationInfo {
	inf := IntegrationInfo{DisplayName: in.Name, ServerAddress: string(p.Cfg.URL), Groups: groups,
		DeviceSyncInterval:      fmt.Sprintf("%d minutes", in.DeviceSyncInterval.Minutes()),
		DeviceDeletionThreshold: fmt.Sprintf("%d%%", in.DeviceDeletionThreshold),
		DeviceDeletionAfter:     fmt.Sprintf("%d sync tries", in.DeviceDeletionAfter),
		AppSyncInterval:         fmt.Sprintf("%d minutes", in.AppSyncInterval.Minutes()),
		TagDeviceStatus:         in.Tagging.Status, TagDeviceRisk: in.Tagging.Risk, TagThreatFactors: in.Tagging.ThreatFactors,
		SelfSignedCertificate: in.ServerCertificate}
	if inf.Groups == nil {
		inf.Groups = []Group{}
	}
	if in.Auth == nil {
		inf.Authentication = "not set: give the dashboard its own API account or OAuth client (uem.integrations[].auth), not flowsctl's"
		return inf
	}
	a := *in.Auth
	switch {
	case a.OAuth != nil:
		inf.Authentication, inf.ClientID = "OAuth2 (recommended)", a.OAuth.ClientID
	case a.Basic != nil:
		inf.Authentication, inf.Username = "Basic (API account)", a.Basic.Username
	}
	if !a.APIKey.IsZero() {
		inf.APIKey = "in " + string(a.APIKey)
	}
	return inf
}

// Verify runs the preflight for every integration as doctor checks.
func (p *Integrations) Verify(ctx context.Context) []doctor.Check {
	reps, err := p.Run(ctx)
	if err != nil {
		return []doctor.Check{{ID: "uem.integrations", Title: "third-party integration preflight", Status: doctor.Fail, Detail: err.Error(),
			Fix: "flowsctl uem integration check"}}
	}
	var out []doctor.Check
	for _, r := range reps {
		out = append(out, r.Checks...)
	}
	return out
}

// Plan has nothing to change: the integrations are configured in each dashboard's console.
func (p *Integrations) Plan(ctx context.Context) ([]plan.Change, error) {
	var out []plan.Change
	if p.Cfg == nil {
		return nil, nil
	}
	for _, in := range p.Cfg.Integrations {
		out = append(out, plan.Change{Object: fmt.Sprintf("integration %q", in.Name), Action: plan.NoOp,
			Note: "preflight only: run flowsctl uem integration check and enter the values in the dashboard"})
	}
	return out, nil
}

// Apply runs the preflight and fails when a check fails; it writes nothing.
func (p *Integrations) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: "integration preflight", Kind: "integration preflight", Action: plan.NoOp}
	if p.Cfg != nil {
		var names []string
		for _, in := range p.Cfg.Integrations {
			names = append(names, in.Name)
		}
		res.Key = strings.Join(names, ", ")
	}
	reps, err := p.Run(ctx)
	if err != nil {
		return res, err
	}
	for _, r := range reps {
		for _, c := range r.Checks {
			if c.Status == doctor.Fail {
				return res, fmt.Errorf("integration %q: %s: %s (%s)", r.Name, c.Title, c.Detail, c.Fix)
			}
		}
	}
	return res, nil
}

func containsFold(xs []string, x string) bool {
	for _, v := range xs {
		if strings.EqualFold(v, x) {
			return true
		}
	}
	return false
}
