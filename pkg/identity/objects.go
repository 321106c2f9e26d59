package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// The objects plan/apply/doctor and the identity commands run: the directory, its SCIM token
// and the identity provider, each found by its natural key.

// DirectoryObject is identityServices.directory: a PROVISIONED directory found by its name,
// with one domain (a directory keeps the domain it was created with).
type DirectoryObject struct {
	c                    *Client
	Name, Domain, Source string

	mu    sync.Mutex
	found *Directory
	// created: this object's own create returned the directory (not a look-up, not an
	// adoption after a lost answer), so nothing has been issued for it but what this run does.
	created bool
}

var _ object.Object = (*DirectoryObject)(nil)

// Created reports that this run created the directory (its create answered with it).
func (o *DirectoryObject) Created() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.created
}

// NewDirectoryObject is the directory named name with domain and source (default OKTA).
func NewDirectoryObject(c *Client, name, domain, source string) *DirectoryObject {
	if source == "" {
		source = "OKTA"
	}
	return &DirectoryObject{c: c, Name: name, Domain: domain, Source: source}
}

// DirectoryFromConfig is identityServices.directory.
func DirectoryFromConfig(c *Client, cfg *config.Config) (*DirectoryObject, error) {
	if cfg == nil || cfg.IdentityServices == nil {
		return nil, errors.New("no identityServices section in the config: add it (flowsctl init) with directory and scimToken.sink")
	}
	d := cfg.IdentityServices.Directory
	if d.Name == "" || d.Domain == "" {
		return nil, errors.New("the directory needs a name and a domain: set identityServices.directory.name and .domain")
	}
	if err := ValidateDirectoryName(d.Name); err != nil {
		return nil, err
	}
	return NewDirectoryObject(c, d.Name, d.Domain, d.Source), nil
}

// Object names the directory in plans and checks.
func (o *DirectoryObject) Object() string {
	return "Identity Services directory " + fmt.Sprintf("%q", o.Name)
}

// Found is the directory as last read (nil before a look-up or when absent).
func (o *DirectoryObject) Found() *Directory {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.found
}

// ID is the directory's id once a look-up found it ("" before, or when absent). The token and
// the identity provider read it when they run, since all three are built before the
// directory may exist.
func (o *DirectoryObject) ID() string {
	if d := o.Found(); d != nil {
		return d.ID
	}
	return ""
}

// SCIMURL is the tenant's SCIM 2.0 base.
func (o *DirectoryObject) SCIMURL() string { return o.c.SCIMURL() }

func (o *DirectoryObject) find(ctx context.Context) (*Directory, error) {
	d, err := o.c.FindDirectory(ctx, o.Name)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, authFix)
	}
	o.mu.Lock()
	o.found = d
	o.mu.Unlock()
	return d, nil
}

func (o *DirectoryObject) domainError(d *Directory) error {
	return setup.Errorf(o.Object(), fmt.Errorf("exists with domain %q, the config says %q (a directory keeps its one domain)", d.Domain(), o.Domain),
		"fix identityServices.directory.domain, or delete the directory in the console (Integrations > Identity Services) and re-run flowsctl apply")
}

func (o *DirectoryObject) createFields() []plan.FieldChange {
	return []plan.FieldChange{{Path: "domain", New: o.Domain}, {Path: "source", New: o.Source}, {Path: "type", New: "PROVISIONED"}}
}

// Plan looks the directory up by name. Read-only.
func (o *DirectoryObject) Plan(ctx context.Context) ([]plan.Change, error) {
	d, err := o.find(ctx)
	switch {
	case err != nil:
		return nil, err
	case d == nil:
		return []plan.Change{{Object: o.Object(), Action: plan.Create, Fields: o.createFields()}}, nil
	case !strings.EqualFold(d.Domain(), o.Domain):
		return nil, o.domainError(d)
	}
	return []plan.Change{{Object: o.Object(), Action: plan.NoOp}}, nil
}

// Apply creates the directory when no directory has its name; a lost create answer is
// resolved by a look-up, never by a blind second POST.
func (o *DirectoryObject) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: o.Object(), Kind: "identity directory", Key: o.Name, Action: plan.NoOp}
	d, err := o.find(ctx)
	if err != nil {
		return res, err
	}
	if d == nil {
		var adopted bool
		d, adopted, err = httpx.CreateChecked(ctx, o.c.hc, transient,
			func() (*Directory, error) { return o.c.FindDirectory(ctx, o.Name) },
			func() (*Directory, error) { return o.c.CreateDirectory(ctx, o.Name, o.Domain, o.Source) })
		if err != nil {
			return res, setup.Errorf(o.Object(), err, "flowsctl identity directory create")
		}
		o.mu.Lock()
		o.found, o.created = d, !adopted
		o.mu.Unlock()
		res.Action, res.Fields = plan.Create, o.createFields()
	} else if !strings.EqualFold(d.Domain(), o.Domain) {
		return res, o.domainError(d)
	}
	res.ID = d.ID
	return res, nil
}

// Verify is the one directory check (doctor and every noun command run it): the directory
// exists, is not being deleted, and has the configured domain.
func (o *DirectoryObject) Verify(ctx context.Context) []doctor.Check {
	id := "identity.directory"
	ck := doctor.Check{ID: id, Title: o.Object() + " exists with domain " + o.Domain, Status: doctor.Fail}
	d, err := o.find(ctx)
	switch {
	case err != nil:
		ck.Detail, ck.Fix = err.Error(), setup.FixOf(err)
	case d == nil:
		ck.Detail, ck.Fix = "not found (deleted, or never created)", "flowsctl apply --only identity (or: flowsctl identity directory create)"
	case d.DeleteInProgress:
		ck.Detail, ck.Fix = "a delete is in progress", "wait for the delete to finish, then run flowsctl apply --only identity"
	case !strings.EqualFold(d.Domain(), o.Domain):
		ck.ID, ck.Detail = id+".domain", fmt.Sprintf("domain is %q, want %q", d.Domain(), o.Domain)
		ck.Fix = "fix identityServices.directory.domain or recreate the directory (Integrations > Identity Services)"
	default:
		ck.Status, ck.Detail = doctor.Pass, "id "+d.ID
	}
	return []doctor.Check{ck}
}

// SCIMTokenObject is identityServices.scimToken: a working SCIM secret token of the directory
// in the sink. Apply generates one only when the sink's token does not work.
type SCIMTokenObject struct {
	c    *Client
	cfg  *config.Config
	Sink config.SecretRef
	TTL  int64 // minutes
	// DirID is the directory's id ("" while it does not exist).
	DirID func() string
	// Warn is how long before expiry Verify warns.
	Warn time.Duration
	// Rotate allows Apply to replace a token that exists remotely (apply --rotate).
	Rotate bool
	// OnIssued, when set, is told of each token written to the sink (to record its issue
	// time, never its value).
	OnIssued func(*SCIMToken)
	// NewDirectory, when set, reports that this run created the directory: no token can have
	// been issued for it, so Apply generates one without first asking whether one was.
	NewDirectory func() bool
}

var _ object.Object = (*SCIMTokenObject)(nil)

// SCIMTokenFromConfig is identityServices.scimToken for the directory whose id dirID returns
// when the token is planned or applied.
func SCIMTokenFromConfig(c *Client, cfg *config.Config, dirID func() string) (*SCIMTokenObject, error) {
	if cfg == nil || cfg.IdentityServices == nil {
		return nil, errors.New("no identityServices section in the config: add it (flowsctl init) with directory and scimToken.sink")
	}
	is := cfg.IdentityServices
	ttl, err := LifespanMinutes(is.SCIMToken.Lifespan)
	if err != nil {
		return nil, setup.Errorf("", err, "fix identityServices.scimToken.lifespan (at most 24mo)")
	}
	warn := 30 * config.Day
	if cfg.Doctor != nil && !cfg.Doctor.WarnSecretExpiryBefore.IsZero() {
		warn = cfg.Doctor.WarnSecretExpiryBefore.D
	}
	if dirID == nil {
		dirID = func() string { return "" }
	}
	return &SCIMTokenObject{c: c, cfg: cfg, Sink: is.SCIMToken.Sink, TTL: ttl, DirID: dirID, Warn: warn}, nil
}

// Object names the token in plans.
func (o *SCIMTokenObject) Object() string {
	return fmt.Sprintf("SCIM token of Identity Services directory %q", o.cfg.IdentityServices.Directory.Name)
}

// state reads the sink and asks the SCIM endpoint whether its token works: ok, or why not.
func (o *SCIMTokenObject) state(ctx context.Context) (ok bool, why string, exp time.Time, err error) {
	tok, rerr := o.cfg.Secret(o.Sink)
	if rerr != nil {
		return false, "the sink holds no token (" + o.Sink.Target() + ")", exp, nil
	}
	o.c.hc.AddSecret(tok)
	claims := httpx.JWTClaims(strings.TrimSpace(tok))
	if e, ok := httpx.JWTExpiry(strings.TrimSpace(tok)); ok {
		exp = e
		if !exp.After(o.c.now()) {
			return false, "the token in the sink expired " + exp.UTC().Format(time.RFC3339), exp, nil
		}
	}
	if id, ok := claims["directory_id"].(string); ok && o.DirID() != "" && id != o.DirID() {
		return false, "the token in the sink belongs to another directory", exp, nil
	}
	status, err := o.c.probeSCIM(ctx, tok)
	switch {
	case err != nil:
		return false, "", exp, err
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return false, fmt.Sprintf("the SCIM endpoint rejects the token in the sink (%d)", status), exp, nil
	case status >= 300:
		return false, "", exp, fmt.Errorf("GET %s/Users: HTTP %d", o.c.SCIMURL(), status)
	}
	return true, "", exp, nil
}

// probeSCIM asks the SCIM endpoint for one user with tok: 200 means the token works.
func (c *Client) probeSCIM(ctx context.Context, tok string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.SCIMURL()+"/Users?count=1&attributes=id", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/scim+json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	httpx.ReadBody(resp)
	return resp.StatusCode, nil
}

const tokenFix = "flowsctl identity token generate"

// decision is what Plan and Apply do about the token: nothing, generate a first one (none
// exists remotely, or the one in the sink expired, so nobody's copy works), rotate (asked
// with --rotate), or stop with the choices (a token exists remotely whose value is not here:
// Okta may hold it, so it is never regenerated because a local file is missing).
type decision struct {
	action plan.Action
	why    string
}

func (o *SCIMTokenObject) decide(ctx context.Context) (decision, error) {
	ok, why, exp, err := o.state(ctx)
	switch {
	case err != nil:
		return decision{}, err
	case ok && !o.Rotate:
		return decision{action: plan.NoOp}, nil
	case o.Rotate:
		return decision{action: plan.Rotate, why: "asked with --rotate identity.scimToken"}, nil
	case !exp.IsZero() && !exp.After(o.c.now()):
		// Every copy of this token has expired (Okta's too): a new one breaks nothing.
		return decision{action: plan.Create, why: why}, nil
	}
	if o.interrupted() {
		// This machine generated a token and was stopped before storing it: the previous
		// token is already revoked by that generation, and nobody can hold the lost one.
		return decision{action: plan.Create, why: "an earlier run generated a token and was stopped before storing it"}, nil
	}
	if o.NewDirectory != nil && o.NewDirectory() {
		// The directory was created moments ago by this run: nobody holds a token of it, and
		// the look-up would cost a round trip on apply's longest chain.
		return decision{action: plan.Create, why: why}, nil
	}
	issued, err := o.c.SCIMTokenIssued(ctx, o.DirID())
	if err != nil {
		return decision{}, err
	}
	if !issued {
		return decision{action: plan.Create, why: why}, nil
	}
	return decision{action: plan.Operator, why: why}, nil
}

// markerPath is the file that says a generation is under way ("" without a file sink): it is
// written before Identity Services is asked and removed once the sink holds the token, so a
// run stopped in between is told from a sink lost otherwise.
func (o *SCIMTokenObject) markerPath() string {
	if o.Sink.Kind() != "file" {
		return ""
	}
	return o.cfg.ResolveRef(o.Sink).Target() + ".generating"
}

// interrupted reports a generation this machine started and never stored.
func (o *SCIMTokenObject) interrupted() bool {
	p := o.markerPath()
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// rePaste says where the new token must be pasted.
const rePaste = "paste it into Okta's SCIM app (Applications > the SCIM app > Provisioning > Integration > API Token), or run: flowsctl rotate okta-scim-token (does it in order and verifies)"

// lostChecklist is the choice offered when a token exists remotely but its value is not here.
func (o *SCIMTokenObject) lostChecklist(why string) string {
	return fmt.Sprintf(`%s exists remotely; value not here (%s).
A new token would stop the one Okta holds (Okta's provisioning gets 401), so apply does not make one.
Choose one:
  1. restore %s from where you keep it (another admin's machine, your secret store), 0600; then re-run flowsctl apply
  2. rotate it: flowsctl rotate okta-scim-token (new token, Okta updated, verified), or flowsctl apply --rotate identity.scimToken
     and then %s
`, o.Object(), why, o.Sink.Target(), rePaste)
}

// Plan reports whether a token must be generated. Read-only.
func (o *SCIMTokenObject) Plan(ctx context.Context) ([]plan.Change, error) {
	if o.DirID() == "" {
		return []plan.Change{{Object: o.Object(), Action: plan.Create, Note: "generated once the directory exists; written to " + string(o.Sink)}}, nil
	}
	d, err := o.decide(ctx)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, tokenFix)
	}
	switch d.action {
	case plan.NoOp:
		return []plan.Change{{Object: o.Object(), Action: plan.NoOp}}, nil
	case plan.Operator:
		return []plan.Change{{Object: o.Object(), Action: plan.Operator, Note: "exists remotely; value not here (" + d.why + "): restore " + o.Sink.Target() + ", or rotate with --rotate identity.scimToken"}}, nil
	case plan.Rotate:
		return []plan.Change{{Object: o.Object(), Action: plan.Rotate, Note: "a new token is written to " + string(o.Sink) + "; the old one stops working at once (Identity Services holds one token per directory); then " + rePaste}}, nil
	}
	return []plan.Change{{Object: o.Object(), Action: plan.Create, Note: d.why + "; a new token is generated and written to " + string(o.Sink)}}, nil
}

// Apply generates a token into the sink when none exists remotely or the sink's has expired;
// it rotates an existing one only when asked (Rotate), and otherwise reports that the token
// exists remotely and its value is not here, with the choices.
func (o *SCIMTokenObject) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: o.Object(), Kind: "scim token", Key: string(o.Sink), Action: plan.NoOp}
	if o.DirID() == "" {
		return res, setup.Errorf(o.Object(), errors.New("the directory id is unknown"), "flowsctl apply --only identity.directory,identity.scimToken")
	}
	d, err := o.decide(ctx)
	if err != nil {
		return res, setup.Errorf(o.Object(), err, tokenFix)
	}
	switch d.action {
	case plan.NoOp:
		return res, nil
	case plan.Operator:
		res.Action, res.Operator = plan.Operator, o.lostChecklist(d.why)
		res.Note = "exists remotely; value not here"
		return res, nil
	}
	tok, err := o.Generate(ctx)
	if err != nil {
		return res, err
	}
	res.Action, res.SecretSink = d.action, o.Sink.Target()
	res.Note = fmt.Sprintf("written to %s (0600), expires %s; %s", o.Sink.Target(), tok.ExpiresAt.UTC().Format("2006-01-02"), rePaste)
	if d.action == plan.Rotate {
		res.Note = "the previous token no longer works; " + res.Note
	}
	return res, nil
}

// Generate makes a new token (the previous one stops working) and writes it to a file: sink;
// with no sink the caller must show the token once. The sink is checked before Identity
// Services is asked, so a sink that cannot be written never costs the token Okta holds.
func (o *SCIMTokenObject) Generate(ctx context.Context) (*SCIMToken, error) {
	if !o.Sink.IsZero() {
		if err := o.cfg.ResolveRef(o.Sink).CheckSink(); err != nil {
			return nil, setup.Errorf(o.Object(), fmt.Errorf("no token was generated (the current one still works): %w", err),
				"fix identityServices.scimToken.sink (a file: path in a folder only you can write), then run the command again")
		}
	}
	marker := o.markerPath()
	if marker != "" {
		if err := config.WriteFileAtomic(marker, []byte("a SCIM token generation started "+o.c.now().UTC().Format(time.RFC3339)+"; no secret here\n"), 0o600); err != nil {
			return nil, setup.Errorf(o.Object(), fmt.Errorf("no token was generated: %w", err), "fix identityServices.scimToken.sink's folder")
		}
	}
	tok, err := o.c.GenerateSCIMToken(ctx, o.DirID(), o.TTL)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, tokenFix)
	}
	if o.Sink.IsZero() {
		return tok, nil
	}
	if err := o.cfg.WriteSecret(o.Sink, tok.Token); err != nil {
		return nil, setup.Errorf(o.Object(), fmt.Errorf("the token was generated (the previous one no longer works) but could not be written to %s: %w", o.Sink, err),
			"fix the sink path, then run flowsctl identity token generate again")
	}
	os.Remove(marker)
	if o.OnIssued != nil {
		o.OnIssued(tok)
	}
	return tok, nil
}

// Verify checks that the token in the sink works against the SCIM endpoint and is not about
// to expire.
func (o *SCIMTokenObject) Verify(ctx context.Context) []doctor.Check {
	ck := doctor.Check{ID: "identity.scimToken", Title: "SCIM token in " + string(o.Sink) + " works against Identity Services", Status: doctor.Fail}
	ok, why, exp, err := o.state(ctx)
	switch {
	case err != nil:
		ck.Detail, ck.Fix = err.Error(), "check identityServices.url and the network path"
		if httpx.IsAuth(err) {
			ck.Fix = authFix
		}
	case !ok:
		ck.Detail = why
		ck.Fix = "flowsctl apply --only identity.scimToken (generates a new token; then update Okta's SCIM app: Provisioning > Integration > API Token)"
	default:
		ck.Status, ck.Detail = doctor.Pass, "the SCIM endpoint accepts it"
		if !exp.IsZero() {
			ck.Detail += "; expires " + exp.UTC().Format("2006-01-02")
			if exp.Sub(o.c.now()) < o.Warn {
				ck.Status, ck.Fix = doctor.Warn, "rotate before it expires: flowsctl identity token generate, then update Okta's SCIM app"
			}
		}
	}
	return []doctor.Check{ck}
}

// IdPObject is identityServices.oidc: the OIDC identity provider serving the directory.
type IdPObject struct {
	c       *Client
	dirName string
	// secret reads the client secret, only when writing.
	secret func() (string, error)
	Spec   OIDCSpec
	// DirID is the directory the provider must serve ("" while it does not exist).
	DirID func() string
	// Always makes Apply send the provider's settings (and secret) even when it exists and
	// serves the directory (`identity idp create oidc`); plan/apply leave such a provider alone,
	// since the secret cannot be read back to compare.
	Always bool
	// Ahead, when set, may hold the provider looked up before Apply (IdPReadAhead); Apply then
	// uses that answer instead of asking again.
	Ahead *IdPReadAhead

	found *IdP
}

// IdPReadAhead is a look-up of a provider by name made before its object's Apply: apply reads
// it while the Okta OIDC app the provider will name is still being made, which nothing in the
// look-up needs. Apply uses a successful answer once; after an error it asks again.
type IdPReadAhead struct {
	mu   sync.Mutex
	name string
	p    *IdP
	ok   bool
}

// ReadAhead looks up the provider called name with c.
func (a *IdPReadAhead) ReadAhead(ctx context.Context, c *Client, name string) {
	p, err := lookupIdP(ctx, c, name)
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.name, a.p, a.ok = name, p, true
}

// take returns the provider read ahead under name, once (ok false when there is none).
func (a *IdPReadAhead) take(name string) (p *IdP, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.ok || !strings.EqualFold(a.name, name) {
		return nil, false
	}
	a.ok = false
	return a.p, true
}

var _ object.Object = (*IdPObject)(nil)

// IdPFromConfig is identityServices.oidc for the directory whose id dirID returns; name ""
// means the name after the directory's source.
func IdPFromConfig(c *Client, cfg *config.Config, dirID func() string, name string) (*IdPObject, error) {
	if cfg == nil || cfg.IdentityServices == nil || cfg.IdentityServices.OIDC == nil {
		return nil, errors.New("no identityServices.oidc in the config: set issuerUrl, clientId, clientSecret (env: or file:), oidcUserIdentifier and workspaceOneUserIdentifier")
	}
	is, oc := cfg.IdentityServices, cfg.IdentityServices.OIDC
	if name == "" {
		name = IdPNameFor(is.Directory.Source)
	}
	s := OIDCSpec{Name: name, SourceType: strings.ToUpper(or(is.Directory.Source, "OKTA")), ClientID: oc.ClientID,
		ConfigurationURL: OktaConfigurationURL(string(oc.IssuerURL)), OIDCUserIdentifier: oc.OIDCUserIdentifier,
		WorkspaceOneUserIdentifier: oc.WorkspaceOneUserIdentifier}
	o := NewIdPObject(c, s, is.Directory.Name)
	o.DirID = dirID
	o.secret = func() (string, error) {
		v, err := cfg.Secret(oc.ClientSecret)
		if err != nil {
			return "", setup.Errorf(o.Object(), fmt.Errorf("identityServices.oidc.clientSecret: %w", err),
				"set identityServices.oidc.clientSecret to env:NAME or file:PATH holding the Okta OIDC app's secret")
		}
		return v, nil
	}
	return o, nil
}

// NewIdPObject is the provider s (its ClientSecret included) serving the directory dirName
// (s.DirectoryIDs, at most one).
func NewIdPObject(c *Client, s OIDCSpec, dirName string) *IdPObject {
	o := &IdPObject{c: c, dirName: dirName, Spec: s, secret: func() (string, error) { return s.ClientSecret, nil }, DirID: func() string { return "" }}
	if len(s.DirectoryIDs) > 0 {
		id := s.DirectoryIDs[0]
		o.DirID = func() string { return id }
	}
	o.Spec.ClientSecret = ""
	return o
}

// Object names the provider in plans.
func (o *IdPObject) Object() string { return idpObject(o.Spec.Name) }

// Found is the provider as last read (nil when absent).
func (o *IdPObject) Found() *IdP { return o.found }

func (o *IdPObject) find(ctx context.Context) (*IdP, error) {
	if o.Ahead != nil {
		if p, ok := o.Ahead.take(o.Spec.Name); ok {
			o.found = p
			return p, nil
		}
	}
	p, err := lookupIdP(ctx, o.c, o.Spec.Name)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, authFix)
	}
	o.found = p
	return p, nil
}

// lookupIdP finds the provider called name, with its OIDC profile (nil when absent).
func lookupIdP(ctx context.Context, c *Client, name string) (*IdP, error) {
	p, err := c.FindIdP(ctx, name)
	if err == nil && p != nil && strings.EqualFold(p.Type, "OIDC") {
		p, err = c.IdP(ctx, p.ID) // the list has no OIDC profile to compare
	}
	return p, err
}

// drift is every field flowsctl sets that differs on the provider: the issuer's configuration
// URL, the client id, the user identifiers and the directory link. (The client secret is never
// returned, so it cannot be compared.)
func (o *IdPObject) drift(p *IdP) plan.Diff {
	var d plan.Diff
	var have OIDCProfile
	if p.OIDC != nil {
		have = *p.OIDC
	}
	d.Add("oidc_profile.configuration_url", have.ConfigurationURL, o.Spec.ConfigurationURL)
	d.Add("oidc_profile.client_id", have.ClientID, o.Spec.ClientID)
	d.Add("oidc_profile.open_id_user_identifier_attribute", have.OIDCUserID, or(o.Spec.OIDCUserIdentifier, "email"))
	d.Add("oidc_profile.internal_user_identifier_attribute", have.InternalUserID, or(o.Spec.WorkspaceOneUserIdentifier, "email"))
	if !o.serves(p) {
		d = append(d, plan.FieldChange{Path: "directory_ids", Old: strings.Join(p.DirectoryIDs, ","), New: o.DirID()})
	}
	return d
}

func (o *IdPObject) serves(p *IdP) bool {
	return o.DirID() == "" || slices.Contains(p.DirectoryIDs, o.DirID())
}

// Plan looks the provider up by name. Read-only.
func (o *IdPObject) Plan(ctx context.Context) ([]plan.Change, error) {
	p, err := o.find(ctx)
	if err != nil {
		return nil, err
	}
	c := plan.Change{Object: o.Object(), Action: plan.NoOp}
	switch {
	case p == nil:
		c.Action, c.Fields = plan.Create, []plan.FieldChange{{Path: "type", New: "OIDC"},
			{Path: "configuration_url", New: o.Spec.ConfigurationURL}, {Path: "client_id", New: o.Spec.ClientID}}
	case len(o.drift(p)) > 0:
		c.Action, c.Fields = plan.Update, o.drift(p)
	case o.Always:
		c.Action, c.Note = plan.Update, "the settings and client secret are sent again"
	}
	return []plan.Change{c}, nil
}

// Apply creates the provider, or links an existing one to the directory (PATCH).
func (o *IdPObject) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: o.Object(), Kind: "identity provider", Key: o.Spec.Name, Action: plan.NoOp}
	p, err := o.find(ctx)
	if err != nil {
		return res, err
	}
	if p != nil {
		res.ID = p.ID
		if len(o.drift(p)) == 0 && !o.Always {
			return res, nil // as configured: nothing to write (the secret is not readable to compare)
		}
		res.Fields = o.drift(p)
	}
	secret, err := o.secret()
	if err != nil {
		return res, err
	}
	s := o.Spec
	s.ClientSecret, s.DirectoryIDs = secret, nil
	if id := o.DirID(); id != "" {
		s.DirectoryIDs = []string{id}
	}
	got, err := o.c.putOIDC(ctx, p, s)
	if err != nil {
		return res, setup.Errorf(o.Object(), err, "flowsctl identity idp create oidc")
	}
	res.Action = plan.Update
	if p == nil {
		res.Action = plan.Create
	}
	if got != nil && got.ID != "" {
		res.ID = got.ID
		o.found = got
	}
	return res, nil
}

// Verify checks the provider exists, is OIDC and serves the directory.
func (o *IdPObject) Verify(ctx context.Context) []doctor.Check {
	ck := doctor.Check{ID: "identity.idp", Title: o.Object() + " (OIDC) serves Identity Services directory " + fmt.Sprintf("%q", o.dirName), Status: doctor.Fail}
	p, err := o.find(ctx)
	if err != nil {
		ck.Detail, ck.Fix = err.Error(), setup.FixOf(err)
		return []doctor.Check{ck}
	}
	switch {
	case p == nil:
		ck.Detail, ck.Fix = "not found", "flowsctl apply --only identity.idp"
	case !strings.EqualFold(p.Type, "OIDC"):
		ck.Detail, ck.Fix = "type is "+p.Type, "rename or remove it in the console (Integrations > Identity Services > Identity providers), then flowsctl apply --only identity.idp"
	case len(o.drift(p)) > 0:
		var parts []string
		for _, f := range o.drift(p) {
			parts = append(parts, fmt.Sprintf("%s is %q, want %q", f.Path, f.Old, f.New))
		}
		ck.Detail, ck.Fix = strings.Join(parts, "; "), "flowsctl apply --only identity.idp"
	default:
		ck.Status, ck.Detail = doctor.Pass, "id "+p.ID
	}
	return []doctor.Check{ck}
}
