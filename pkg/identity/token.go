package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// Token TTL bounds: the console's default lifespan is six months, its longest 24.
const (
	DefaultLifespan = 6 * config.Month
	MaxLifespan     = 24 * config.Month
)

// LifespanMinutes converts a token lifespan to token_ttl minutes: default six months, at most 24.
func LifespanMinutes(d config.Duration) (int64, error) {
	if d.IsZero() {
		return int64(DefaultLifespan / time.Minute), nil
	}
	if d.D > MaxLifespan {
		return 0, fmt.Errorf("token lifespan %s is longer than 24 months (the most Identity Services allows): use e.g. 24mo", d)
	}
	if d.D < time.Minute {
		return 0, fmt.Errorf("token lifespan %s is shorter than a minute", d)
	}
	return d.Minutes(), nil
}

// SCIMToken is a generated SCIM secret token.
type SCIMToken struct {
	Token     string    `json:"-"`
	TTL       int64     `json:"tokenTtlMinutes"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// GenerateSCIMToken regenerates the directory's SCIM secret token (the previous one stops working).
func (c *Client) GenerateSCIMToken(ctx context.Context, dirID string, ttlMinutes int64) (*SCIMToken, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpireIn    int64  `json:"access_token_expire_in"`
		TokenTTL    int64  `json:"token_ttl"`
	}
	q := url.Values{"action": {"generate_credentials"}}
	body := map[string]any{"generate_token": true, "token_ttl": ttlMinutes}
	obj := fmt.Sprintf("SCIM token of directory %q", dirID)
	// Generating again has the same effect (a fresh token; the earlier one stops working), so
	// the POST may be resent by the transport after a lost or refused answer.
	if err := c.do(httpx.RetrySafeContext(ctx), http.MethodPost, dirPath+"/"+url.PathEscape(dirID)+"/sync-client", q, body, &out, obj); err != nil {
		return nil, err
	}
	if out.AccessToken == "" {
		return nil, fmt.Errorf("identity: %s: the answer holds no access_token", obj)
	}
	c.hc.AddSecret(out.AccessToken)
	now := c.now()
	exp := now.Add(time.Duration(ttlMinutes) * time.Minute)
	if out.ExpireIn > 0 {
		exp = now.Add(time.Duration(out.ExpireIn) * time.Second)
	}
	return &SCIMToken{Token: out.AccessToken, TTL: ttlMinutes, ExpiresAt: exp}, nil
}

// SCIMTokenObject is identityServices.scimToken: a working SCIM secret token of the directory
// in the sink. Apply generates one only when the sink's token does not work.
type SCIMTokenObject struct {
	c     *Client
	cfg   *config.Config
	Sink  config.SecretRef
	TTL   int64 // minutes
	DirID string
	// Warn is how long before expiry Verify warns.
	Warn time.Duration
}

var _ object.Object = (*SCIMTokenObject)(nil)

// SCIMTokenFromConfig is identityServices.scimToken for the directory dirID ("" when it does
// not exist yet).
func SCIMTokenFromConfig(c *Client, cfg *config.Config, dirID string) (*SCIMTokenObject, error) {
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
	if id, ok := claims["directory_id"].(string); ok && o.DirID != "" && id != o.DirID {
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

// Plan reports whether a token must be generated. Read-only.
func (o *SCIMTokenObject) Plan(ctx context.Context) ([]plan.Change, error) {
	if o.DirID == "" {
		return []plan.Change{{Object: o.Object(), Action: plan.Create, Note: "generated once the directory exists; written to " + string(o.Sink)}}, nil
	}
	ok, why, _, err := o.state(ctx)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, tokenFix)
	}
	if ok {
		return []plan.Change{{Object: o.Object(), Action: plan.NoOp}}, nil
	}
	return []plan.Change{{Object: o.Object(), Action: plan.Create, Note: why + "; a new token is generated and written to " + string(o.Sink)}}, nil
}

// Apply generates a token into the sink when the sink's token does not work.
func (o *SCIMTokenObject) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: o.Object(), Kind: "scim token", Key: string(o.Sink), Action: plan.NoOp}
	if o.DirID == "" {
		return res, setup.Errorf(o.Object(), errors.New("the directory id is unknown"), "flowsctl apply --only identity.directory,identity.scimToken")
	}
	ok, _, _, err := o.state(ctx)
	if err != nil {
		return res, setup.Errorf(o.Object(), err, tokenFix)
	}
	if ok {
		return res, nil
	}
	if o.Sink.Kind() != "file" {
		return res, setup.Errorf(o.Object(), fmt.Errorf("the token must be regenerated but identityServices.scimToken.sink is %s, which flowsctl cannot write", o.Sink),
			"set identityServices.scimToken.sink to file:PATH, or run flowsctl identity token generate and store the token yourself")
	}
	tok, err := o.Generate(ctx)
	if err != nil {
		return res, err
	}
	res.Action, res.SecretSink = plan.Create, o.Sink.Target()
	res.Note = fmt.Sprintf("written to %s (0600), expires %s; paste it into Okta's SCIM app (Provisioning > Integration > API Token)", o.Sink.Target(), tok.ExpiresAt.UTC().Format("2006-01-02"))
	return res, nil
}

// Generate makes a new token (the previous one stops working) and writes it to a file: sink;
// with no sink the caller must show the token once.
func (o *SCIMTokenObject) Generate(ctx context.Context) (*SCIMToken, error) {
	tok, err := o.c.GenerateSCIMToken(ctx, o.DirID, o.TTL)
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
