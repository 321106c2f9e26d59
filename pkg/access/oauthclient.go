package access

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// OAuthClient is a Remote App Access client (/oauth2clients). Scope and grant types are
// space-delimited strings; TTLs are minutes. Secret is only ever sent, never printed.
type OAuthClient struct {
	ClientID             string `json:"clientId" yaml:"clientId"`
	RememberAs           string `json:"rememberAs,omitempty" yaml:"rememberAs,omitempty"`
	Secret               string `json:"secret,omitempty" yaml:"secret,omitempty"`
	Scope                string `json:"scope" yaml:"scope"`
	AuthGrantTypes       string `json:"authGrantTypes" yaml:"authGrantTypes"`
	RedirectURI          string `json:"redirectUri,omitempty" yaml:"redirectUri,omitempty"`
	TokenType            string `json:"tokenType,omitempty" yaml:"tokenType,omitempty"`
	TokenLength          int    `json:"tokenLength,omitempty" yaml:"tokenLength,omitempty"`
	AccessTokenTTL       int64  `json:"accessTokenTTL" yaml:"accessTokenTTL"`
	RefreshTokenTTL      int64  `json:"refreshTokenTTL" yaml:"refreshTokenTTL"`
	RefreshTokenIdleTTL  int64  `json:"refreshTokenIdleTTL" yaml:"refreshTokenIdleTTL"`
	DisplayUserGrant     bool   `json:"displayUserGrant" yaml:"displayUserGrant"`
	InternalSystemClient bool   `json:"internalSystemClient" yaml:"internalSystemClient"`
	InheritanceAllowed   bool   `json:"inheritanceAllowed" yaml:"inheritanceAllowed"`
}

// Redacted is a copy without the secret, for output.
func (o OAuthClient) Redacted() OAuthClient { o.Secret = ""; return o }

func clientObject(id string) string { return fmt.Sprintf("oauth2 client %q", id) }

// GetOAuthClient reads a client; (nil, nil, nil) when it does not exist.
func (c *Client) GetOAuthClient(ctx context.Context, id string) (*OAuthClient, map[string]any, error) {
	return getItem[OAuthClient](ctx, c, call{method: http.MethodGet, path: "oauth2clients/" + url.PathEscape(id), accept: mtClient, object: clientObject(id)})
}

// ClientSummary is one entry of GET /oauth2clients.
type ClientSummary struct {
	ClientID   string `json:"clientId" yaml:"clientId"`
	Scope      string `json:"scope" yaml:"scope"`
	RememberAs string `json:"rememberAs,omitempty" yaml:"rememberAs,omitempty"`
	MediaType  string `json:"mediaType,omitempty" yaml:"mediaType,omitempty"`
}

// ListOAuthClients reads the client summaries.
func (c *Client) ListOAuthClients(ctx context.Context) ([]ClientSummary, error) {
	return listItems[ClientSummary](ctx, c, call{method: http.MethodGet, path: "oauth2clients", accept: mtClientList, object: "oauth2 clients"})
}

// CreateOAuthClient posts a new client. Access answers 500 (not 409) when the id exists.
func (c *Client) CreateOAuthClient(ctx context.Context, o OAuthClient) error {
	_, err := c.must(ctx, call{method: http.MethodPost, path: "oauth2clients", accept: mtClient, ctype: mtClient, body: o, object: clientObject(o.ClientID)})
	return err
}

// UpdateOAuthClient replaces a client (Access answers 201 to PUT; any 2xx is success).
func (c *Client) UpdateOAuthClient(ctx context.Context, id string, body any) error {
	_, err := c.must(ctx, call{method: http.MethodPut, path: "oauth2clients/" + url.PathEscape(id), accept: mtClient, ctype: mtClient, body: body, object: clientObject(id)})
	return err
}

// SecretLength is the length of generated client secrets.
const SecretLength = 64

// NewSecret returns n characters from crypto/rand over [A-Za-z0-9] (no characters that need
// quoting in a console field or a shell).
func NewSecret(n int) (string, error) {
	if n < 48 {
		n = 48
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b), nil
}

var _ object.Object = (*ClientResource)(nil)

// fix is the command that converges the client (the step's fix).
func (r *ClientResource) fix() string {
	return fmt.Sprintf("flowsctl access client create (client %s)", r.Spec.ClientID)
}

// ClientResource ensures the SCIM service client (access.scimClient).
type ClientResource struct {
	c    *Client
	cfg  *config.Config
	Spec ClientSpec
	// Rotate allows Apply to give an existing client a new secret when the sink's cannot be
	// used (apply --rotate access.scimClient); without it Apply reports the choices.
	Rotate bool
}

// NewClientResource reads access.scimClient (the Okta SCIM to Access guide's defaults).
func NewClientResource(c *Client, cfg *config.Config) (*ClientResource, error) {
	s, err := ClientSpecFrom(cfg)
	if err != nil {
		return nil, err
	}
	return &ClientResource{c: c, cfg: cfg, Spec: s}, nil
}

// Object names the client in plans and checks.
func (r *ClientResource) Object() string { return clientObject(r.Spec.ClientID) }

// SinkPath is the file the secret lives in.
func (r *ClientResource) SinkPath() string { return r.Spec.SecretSink.Target() }

func clientDiff(have *OAuthClient, want OAuthClient) plan.Diff {
	var d plan.Diff
	if have == nil {
		have = &OAuthClient{}
	}
	if !sameSet(have.Scope, want.Scope) {
		d.Add("scope", have.Scope, want.Scope)
	}
	if !sameSet(have.AuthGrantTypes, want.AuthGrantTypes) {
		d.Add("authGrantTypes", have.AuthGrantTypes, want.AuthGrantTypes)
	}
	if have.AccessTokenTTL != want.AccessTokenTTL {
		d.Add("accessTokenTTL", ttl(have.AccessTokenTTL), ttl(want.AccessTokenTTL))
	}
	if have.TokenType != "" {
		d.Add("tokenType", have.TokenType, want.TokenType)
	}
	return d
}

// secretState says whether the secret in the sink can be used: "" when it can, else why not.
func (r *ClientResource) secretState(have *OAuthClient) string {
	p := r.SinkPath()
	if !fileExists(p) {
		return "the secret sink " + p + " does not exist"
	}
	v, err := r.cfg.Secret(r.Spec.SecretSink)
	if err != nil {
		return err.Error()
	}
	// Access returns the secret on GET; when it does, the sink must hold the same value.
	if have != nil && have.Secret != "" && subtle.ConstantTimeCompare([]byte(v), []byte(have.Secret)) != 1 {
		return "the secret in " + p + " is not the client's current secret"
	}
	return ""
}

// Plan reads the client and reports what Apply would do. Read-only; secrets never appear.
func (r *ClientResource) Plan(ctx context.Context) (cs []plan.Change, err error) {
	defer withFix(&err, r.fix())
	have, _, err := r.c.GetOAuthClient(ctx, r.Spec.ClientID)
	if err != nil {
		return nil, err
	}
	want := r.Spec.Wire()
	if have == nil {
		f := append(createFields(clientDiff(nil, want)), plan.FieldChange{Path: "secret", New: "(generated, written to " + r.SinkPath() + ")"})
		return []plan.Change{{Object: r.Object(), Action: plan.Create, Fields: f}}, nil
	}
	d := clientDiff(have, want)
	var out []plan.Change
	if len(d) > 0 {
		out = append(out, plan.Change{Object: r.Object(), Action: plan.Update, Fields: d})
	}
	switch why := r.secretState(have); {
	case why != "" && r.Rotate:
		out = append(out, plan.Change{Object: r.Object() + " secret", Action: plan.Rotate,
			Fields: []plan.FieldChange{{Path: "secret", Old: "(" + why + ")", New: "(rotated, written to " + r.SinkPath() + ")"}},
			Note:   r.rePaste()})
	case why != "":
		out = append(out, plan.Change{Object: r.Object() + " secret", Action: plan.Operator,
			Note: "exists remotely; value not here (" + why + "): restore " + r.SinkPath() + ", or rotate with --rotate access.scimClient"})
	}
	if len(out) == 0 {
		return []plan.Change{{Object: r.Object(), Action: plan.NoOp}}, nil
	}
	return out, nil
}

// rePaste says who holds what the rotation replaces.
func (r *ClientResource) rePaste() string {
	return "Access keeps one secret per client, so every holder of the old secret (and of tokens it issued, if Access revokes them) gets 401: " +
		"give Okta a new token at once (flowsctl rotate okta-scim-token, or paste flowsctl access token --client " + r.Spec.ClientID +
		" into Okta's SCIM app: Provisioning > Integration > OAuth Bearer Token) and re-paste " + r.SinkPath() + " wherever else it is used"
}

// lostChecklist is the choice offered when the client exists but its secret is not here.
func (r *ClientResource) lostChecklist(why string) string {
	return fmt.Sprintf(`The secret of %s exists remotely; value not here (%s).
A new secret would cut off every holder of the current one (Okta's bearer token comes from it), so apply does not make one.
Choose one:
  1. restore %s from where you keep it (another admin's machine, your secret store), 0600; then re-run flowsctl apply
  2. rotate it: flowsctl apply --rotate access.scimClient; then %s
`, r.Object(), why, r.SinkPath(), r.rePaste())
}

// Apply looks the client up first; creates it with a fresh secret written to the sink; fixes
// differing fields with PUT; rotates the secret when the sink cannot be used. A create that
// Access answers with 500 because the id exists (a concurrent create) is resolved by a lookup
// and an update that sets the secret in the sink.
func (r *ClientResource) Apply(ctx context.Context) (res object.Result, err error) {
	defer withFix(&err, r.fix())
	res = object.Result{Object: r.Object(), Kind: "oauth2client", Key: r.Spec.ClientID, Action: plan.NoOp}
	have, raw, err := r.c.GetOAuthClient(ctx, r.Spec.ClientID)
	if err != nil {
		return res, err
	}
	want := r.Spec.Wire()
	if have == nil {
		secret, err := r.writeNewSecret()
		if err != nil {
			return res, err
		}
		body := want
		body.Secret = secret
		// Access answers 500 (not 409) to a duplicate id, and an answer may be lost: both are
		// resolved by looking the client up, never by a blind second POST.
		_, adopted, cerr := httpx.CreateChecked(ctx, r.c.hc, transient,
			func() (*OAuthClient, error) {
				h, rw, err := r.c.GetOAuthClient(ctx, r.Spec.ClientID)
				have, raw = h, rw
				return h, err
			},
			func() (*OAuthClient, error) { return &body, r.c.CreateOAuthClient(ctx, body) })
		if cerr != nil {
			return res, r.sinkNote(cerr)
		}
		if !adopted {
			res.Action, res.Fields, res.SecretSink = plan.Create, createFields(clientDiff(nil, want)), r.SinkPath()
			return res, nil
		}
		// Found after a failed create: it may be ours or a concurrent one; either way the
		// secret is set to the one in the sink.
		if err := r.c.UpdateOAuthClient(ctx, r.Spec.ClientID, withSecret(mergeRaw(raw, want), secret)); err != nil {
			return res, r.sinkNote(err)
		}
		res.Action, res.Fields, res.SecretSink = plan.Update, clientDiff(have, want), r.SinkPath()
		res.Note = "the client appeared while creating it (Access answered the create with an error); its secret was reset to the one in the sink"
		return res, nil
	}
	d := clientDiff(have, want)
	why := r.secretState(have)
	if why != "" && !r.Rotate {
		// Never rotate because a local file is missing: someone else may hold the secret.
		if len(d) > 0 {
			if err := r.c.UpdateOAuthClient(ctx, r.Spec.ClientID, mergeRaw(raw, want)); err != nil {
				return res, err
			}
			res.Fields = d
		}
		res.Action, res.Operator, res.Note = plan.Operator, r.lostChecklist(why), "exists remotely; value not here"
		return res, nil
	}
	if len(d) == 0 && why == "" {
		return res, nil
	}
	// The secret Access returned (if any) goes back unchanged, so an update never resets it.
	body := mergeRaw(raw, want)
	if why != "" {
		secret, err := r.writeNewSecret()
		if err != nil {
			return res, err
		}
		body = withSecret(body, secret)
		d = append(d, plan.FieldChange{Path: "secret", Old: "(unusable: " + why + ")", New: "(rotated)"})
		res.SecretSink = r.SinkPath()
	}
	if err := r.c.UpdateOAuthClient(ctx, r.Spec.ClientID, body); err != nil {
		if why != "" {
			return res, r.sinkNote(err)
		}
		return res, err
	}
	res.Action, res.Fields = plan.Update, d
	if why != "" {
		res.Action, res.Note = plan.Rotate, r.rePaste()
	}
	return res, nil
}

// RotateSecret sets a new secret on an existing client and writes it to the sink. With dryRun
// it only reports what it would do.
func (r *ClientResource) RotateSecret(ctx context.Context, dryRun bool) (object.Result, error) {
	res := object.Result{Object: r.Object(), Kind: "oauth2client", Key: r.Spec.ClientID, Action: plan.Update,
		Fields: []plan.FieldChange{{Path: "secret", Old: "(current)", New: "(rotated, written to " + r.SinkPath() + ")"}}}
	have, raw, err := r.c.GetOAuthClient(ctx, r.Spec.ClientID)
	if err != nil {
		return res, err
	}
	if have == nil {
		return res, fmt.Errorf("access: %s does not exist, nothing to rotate (create it with: flowsctl access client create)", r.Object())
	}
	if dryRun {
		return res, nil
	}
	secret, err := r.writeNewSecret()
	if err != nil {
		return res, err
	}
	body := mergeRaw(raw, nil)
	if len(body) == 0 {
		body = mergeRaw(nil, have.Redacted())
	}
	if err := r.c.UpdateOAuthClient(ctx, r.Spec.ClientID, withSecret(body, secret)); err != nil {
		return res, r.sinkNote(err)
	}
	res.SecretSink = r.SinkPath()
	res.Fields[0].New = "(rotated)"
	res.Note = "paste a new bearer token into Okta: flowsctl access token --client " + r.Spec.ClientID
	return res, nil
}

func withSecret(m map[string]any, secret string) map[string]any {
	m["secret"] = secret
	return m
}

// writeNewSecret generates a secret and stores it in the sink before Access sees it, so a
// secret Access accepted is never lost.
func (r *ClientResource) writeNewSecret() (string, error) {
	s, err := NewSecret(SecretLength)
	if err != nil {
		return "", fmt.Errorf("generating the secret of %s: %v", r.Object(), err)
	}
	r.c.hc.AddSecret(s)
	if err := r.cfg.WriteSecret(r.Spec.SecretSink, s); err != nil {
		return "", fmt.Errorf("writing the secret of %s to %s: %v (fix access.scimClient.secretSink)", r.Object(), r.Spec.SecretSink, err)
	}
	return s, nil
}

func (r *ClientResource) sinkNote(err error) error {
	return fmt.Errorf("%w; the new secret in %s was not accepted by Access: re-run flowsctl access client create (it looks up first)", err, r.SinkPath())
}

// Secret reads the client's secret from its sink.
func (r *ClientResource) Secret() (string, error) {
	v, err := r.cfg.Secret(r.Spec.SecretSink)
	if err != nil {
		return "", fmt.Errorf("%s: %v (create the client and its secret with: flowsctl access client create)", r.Object(), err)
	}
	return v, nil
}

// TokenSource is a token source for the SCIM client itself (secret from its sink).
func (r *ClientResource) TokenSource() (*httpx.TokenSource, error) {
	s, err := r.Secret()
	if err != nil {
		return nil, err
	}
	return NewTokenSource(r.c.hc, r.c.base, r.Spec.ClientID, s), nil
}

// Verify checks the client exists with scope admin and the client_credentials grant, its
// TTL is as configured (warning under 30 days), and a token can be obtained with its secret.
func (r *ClientResource) Verify(ctx context.Context) []doctor.Check {
	const fix = "flowsctl access client create"
	id, name := "access.scimClient", "Access client "+r.Spec.ClientID
	have, _, err := r.c.GetOAuthClient(ctx, r.Spec.ClientID)
	if err != nil {
		return []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Fail, Detail: err.Error(), Fix: fixFor(err, fix)}}
	}
	if have == nil {
		return []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Fail,
			Detail: "not found in Catalog > Settings > Remote App Access > Clients", Fix: fix}}
	}
	out := []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Pass}}
	sc := doctor.Check{ID: id + ".scope", Title: name + " has scope admin", Status: doctor.Pass, Detail: "scope: " + have.Scope}
	if !slices.Contains(words(have.Scope), "admin") {
		sc.Status, sc.Fix = doctor.Fail, fix
	}
	gc := doctor.Check{ID: id + ".grant", Title: name + " allows client_credentials", Status: doctor.Pass, Detail: "authGrantTypes: " + have.AuthGrantTypes}
	if !slices.Contains(words(have.AuthGrantTypes), "client_credentials") {
		gc.Status, gc.Fix = doctor.Fail, fix
	}
	want := r.Spec.Wire()
	tc := doctor.Check{ID: id + ".ttl", Title: name + " access-token TTL", Status: doctor.Pass, Detail: "accessTokenTTL " + ttl(have.AccessTokenTTL)}
	switch {
	case have.AccessTokenTTL != want.AccessTokenTTL:
		tc.Status, tc.Fix = doctor.Fail, fix
		tc.Detail = fmt.Sprintf("accessTokenTTL is %s, want %s", ttl(have.AccessTokenTTL), ttl(want.AccessTokenTTL))
	case time.Duration(have.AccessTokenTTL)*time.Minute < minSCIMTokenTTLWarning:
		tc.Status = doctor.Warn
		tc.Detail += ": Okta must be given a new token before it expires"
		tc.Fix = "raise access.scimClient.accessTokenTTL (e.g. 1y) and run: flowsctl access client create"
	}
	out = append(out, sc, gc, tc)
	tk := doctor.Check{ID: id + ".token", Title: "a token can be obtained as " + r.Spec.ClientID, Status: doctor.Pass}
	ts, err := r.TokenSource()
	if err == nil {
		t, terr := ts.Token(ctx)
		err = terr
		if err == nil {
			tk.Detail = "expires " + t.Expiry.UTC().Format(time.RFC3339)
			if s := t.Scope; s != "" && !slices.Contains(words(s), "admin") {
				tk.Status, tk.Detail, tk.Fix = doctor.Fail, "token scope is "+s+", Okta needs admin", fix
			}
		}
	}
	if err != nil {
		tk.Status, tk.Detail = doctor.Fail, err.Error()
		tk.Fix = "rotate the secret into the sink: flowsctl access client rotate-secret"
	}
	return append(out, tk)
}

// sinkMode reports the permissions of the sink file ("" when missing); used in show.
func sinkMode(p string) string {
	st, err := os.Stat(p)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%04o", st.Mode().Perm())
}

// SinkStatus describes the sink without reading the value.
func (r *ClientResource) SinkStatus() string {
	m := sinkMode(r.SinkPath())
	if m == "" {
		return "missing"
	}
	return strings.TrimSpace("present, mode " + m)
}
