package azure

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/google/uuid"

	"github.com/flowsctl/flowsctl/internal/httpx"
	abs "github.com/microsoft/kiota-abstractions-go"
	graphapps "github.com/microsoftgraph/msgraph-sdk-go/applications"
	uniq "github.com/microsoftgraph/msgraph-sdk-go/applicationswithuniquename"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	grants "github.com/microsoftgraph/msgraph-sdk-go/oauth2permissiongrants"
	spwa "github.com/microsoftgraph/msgraph-sdk-go/serviceprincipalswithappid"
)

// Settings are the application's properties flowsctl sets: what Spec wants, App holds and
// `azure show` prints.
type Settings struct {
	UniqueName     string   `json:"uniqueName" yaml:"uniqueName"` // the natural key, immutable in Entra
	DisplayName    string   `json:"displayName" yaml:"displayName"`
	SignInAudience string   `json:"signInAudience" yaml:"signInAudience"`
	RedirectURIs   []string `json:"redirectUris" yaml:"redirectUris"`
	LogoutURL      string   `json:"logoutUrl" yaml:"logoutUrl"`
}

// App is the part of an Entra application flowsctl manages.
type App struct {
	ID    string `json:"objectId"`
	AppID string `json:"clientId"`
	Settings
	Resources []ResourceAccess `json:"requiredResourceAccess"`
	Passwords []Password       `json:"passwordCredentials"`
}

// hasPassword reports whether the app holds the client secret with keyID.
func (a *App) hasPassword(keyID string) bool {
	for _, p := range a.Passwords {
		if strings.EqualFold(p.KeyID, keyID) {
			return true
		}
	}
	return false
}

// ResourceAccess is one requiredResourceAccess entry: permissions on one API.
type ResourceAccess struct {
	ResourceAppID string   `json:"resourceAppId"`
	Access        []Access `json:"resourceAccess"`
}

// Access is one permission id with its type: Scope (delegated) or Role (application).
type Access struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Password is a client secret's metadata; Graph never returns the value after creation.
type Password struct {
	KeyID       string    `json:"keyId" yaml:"keyId"`
	DisplayName string    `json:"displayName" yaml:"displayName"`
	Hint        string    `json:"hint" yaml:"hint"`
	Start       time.Time `json:"startDateTime" yaml:"startDateTime"`
	End         time.Time `json:"endDateTime" yaml:"endDateTime"`
}

// ServicePrincipal is the part of a service principal flowsctl reads.
type ServicePrincipal struct {
	ID     string  `json:"id"`
	AppID  string  `json:"appId"`
	Scopes []Scope `json:"oauth2PermissionScopes,omitempty"`
}

// Scope is a delegated permission an API offers.
type Scope struct {
	ID      string `json:"id"`
	Value   string `json:"value"`
	Type    string `json:"type"` // Admin | User
	Enabled bool   `json:"isEnabled"`
}

// Grant is a delegated permission grant (admin consent when ConsentType is AllPrincipals).
type Grant struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	ResourceID  string `json:"resourceId"`
	ConsentType string `json:"consentType"`
	Scope       string `json:"scope"`
}

var appSelect = []string{"id", "appId", "displayName", "uniqueName", "signInAudience", "web", "requiredResourceAccess", "passwordCredentials"}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

func uuidStr(u *uuid.UUID) string {
	if u == nil {
		return ""
	}
	return u.String()
}

func appFrom(m models.Applicationable) *App {
	if m == nil {
		return nil
	}
	a := &App{ID: str(m.GetId()), AppID: str(m.GetAppId()), Settings: Settings{DisplayName: str(m.GetDisplayName()),
		UniqueName: str(m.GetUniqueName()), SignInAudience: str(m.GetSignInAudience())}}
	if w := m.GetWeb(); w != nil {
		a.RedirectURIs = append([]string(nil), w.GetRedirectUris()...)
		a.LogoutURL = str(w.GetLogoutUrl())
	}
	for _, r := range m.GetRequiredResourceAccess() {
		ra := ResourceAccess{ResourceAppID: str(r.GetResourceAppId())}
		for _, x := range r.GetResourceAccess() {
			ra.Access = append(ra.Access, Access{ID: uuidStr(x.GetId()), Type: str(x.GetTypeEscaped())})
		}
		a.Resources = append(a.Resources, ra)
	}
	for _, p := range m.GetPasswordCredentials() {
		pw := Password{KeyID: uuidStr(p.GetKeyId()), DisplayName: str(p.GetDisplayName()), Hint: str(p.GetHint())}
		if t := p.GetStartDateTime(); t != nil {
			pw.Start = *t
		}
		if t := p.GetEndDateTime(); t != nil {
			pw.End = *t
		}
		a.Passwords = append(a.Passwords, pw)
	}
	return a
}

func spFrom(m models.ServicePrincipalable) *ServicePrincipal {
	if m == nil {
		return nil
	}
	sp := &ServicePrincipal{ID: str(m.GetId()), AppID: str(m.GetAppId())}
	for _, s := range m.GetOauth2PermissionScopes() {
		sc := Scope{ID: uuidStr(s.GetId()), Value: str(s.GetValue()), Type: str(s.GetTypeEscaped())}
		if b := s.GetIsEnabled(); b != nil {
			sc.Enabled = *b
		}
		sp.Scopes = append(sp.Scopes, sc)
	}
	return sp
}

// getOne reads one object with get and converts it; nil when it does not exist (or is not
// visible yet).
func getOne[M, T any](ctx context.Context, c *Client, budget time.Duration, op string, kind retryKind,
	get func(ctx context.Context) (M, error), conv func(M) *T) (*T, error) {
	var out *T
	err := c.call(ctx, budget, op, kind, func(ctx context.Context) error {
		m, err := get(ctx)
		out = conv(m)
		return err
	})
	if httpx.StatusOf(err) == http.StatusNotFound {
		return nil, nil
	}
	return out, err
}

// getApp reads the application by its uniqueName; nil when it does not exist (or is not visible yet).
func (c *Client) getApp(ctx context.Context, budget time.Duration, uniqueName string, kind retryKind) (*App, error) {
	return getOne(ctx, c, budget, `read application "`+uniqueName+`"`, kind, func(ctx context.Context) (models.Applicationable, error) {
		return uniq.NewApplicationsWithUniqueNameRequestBuilderInternal(map[string]string{}, c.adapter, &uniqueName).Get(ctx,
			&uniq.ApplicationsWithUniqueNameRequestBuilderGetRequestConfiguration{
				QueryParameters: &uniq.ApplicationsWithUniqueNameRequestBuilderGetQueryParameters{Select: appSelect}})
	}, appFrom)
}

// getSP reads a service principal by appId; nil when absent.
func (c *Client) getSP(ctx context.Context, budget time.Duration, appID string, sel []string, kind retryKind) (*ServicePrincipal, error) {
	return getOne(ctx, c, budget, "read service principal of appId "+appID, kind, func(ctx context.Context) (models.ServicePrincipalable, error) {
		return spwa.NewServicePrincipalsWithAppIdRequestBuilderInternal(map[string]string{}, c.adapter, &appID).Get(ctx,
			&spwa.ServicePrincipalsWithAppIdRequestBuilderGetRequestConfiguration{
				QueryParameters: &spwa.ServicePrincipalsWithAppIdRequestBuilderGetQueryParameters{Select: sel}})
	}, spFrom)
}

// listGrants reads the delegated permission grants of a client service principal.
func (c *Client) listGrants(ctx context.Context, budget time.Duration, clientSPID string) ([]Grant, error) {
	var out []Grant
	err := c.call(ctx, budget, "read consent grants of service principal "+strconv.Quote(clientSPID), retryRead, func(ctx context.Context) error {
		out = nil
		resp, err := grants.NewOauth2PermissionGrantsRequestBuilderInternal(map[string]string{}, c.adapter).Get(ctx,
			&grants.Oauth2PermissionGrantsRequestBuilderGetRequestConfiguration{
				QueryParameters: &grants.Oauth2PermissionGrantsRequestBuilderGetQueryParameters{
					Filter: ptr("clientId eq '" + clientSPID + "'")}})
		if err != nil {
			return err
		}
		for _, g := range resp.GetValue() {
			out = append(out, Grant{ID: str(g.GetId()), ClientID: str(g.GetClientId()), ResourceID: str(g.GetResourceId()),
				ConsentType: str(g.GetConsentType()), Scope: str(g.GetScope())})
		}
		return nil
	})
	return out, err
}

func createIfMissing() *abs.RequestHeaders {
	h := abs.NewRequestHeaders()
	h.Add("Prefer", "create-if-missing")
	return h
}

// upsertApp PATCHes the application by uniqueName with Prefer: create-if-missing. It returns
// the created app (201) or nil when an existing one was updated (204).
func (c *Client) upsertApp(ctx context.Context, budget time.Duration, uniqueName string, body models.Applicationable) (*App, error) {
	var out *App
	err := c.call(ctx, budget, `create application "`+uniqueName+`"`, retryRead, func(ctx context.Context) error {
		m, err := uniq.NewApplicationsWithUniqueNameRequestBuilderInternal(map[string]string{}, c.adapter, &uniqueName).Patch(safe(ctx), body,
			&uniq.ApplicationsWithUniqueNameRequestBuilderPatchRequestConfiguration{Headers: createIfMissing()})
		out = appFrom(m)
		return err
	})
	return out, err
}

// patchApp updates changed fields of an existing application by object id.
func (c *Client) patchApp(ctx context.Context, budget time.Duration, objectID, uniqueName string, body models.Applicationable, fresh bool) error {
	kind := retryRead
	if fresh {
		kind = retryAppWrite
	}
	return c.call(ctx, budget, `update application "`+uniqueName+`"`, kind, func(ctx context.Context) error {
		_, err := graphapps.NewApplicationsRequestBuilderInternal(map[string]string{}, c.adapter).ByApplicationId(objectID).Patch(safe(ctx), body, nil)
		return err
	})
}

// upsertSP makes sure the app's service principal exists; it returns it when created, nil when it existed.
func (c *Client) upsertSP(ctx context.Context, budget time.Duration, appID string) (*ServicePrincipal, error) {
	var out *ServicePrincipal
	err := c.call(ctx, budget, "create service principal for appId "+appID, retryCreateSP, func(ctx context.Context) error {
		m, err := spwa.NewServicePrincipalsWithAppIdRequestBuilderInternal(map[string]string{}, c.adapter, &appID).Patch(safe(ctx),
			models.NewServicePrincipal(), &spwa.ServicePrincipalsWithAppIdRequestBuilderPatchRequestConfiguration{Headers: createIfMissing()})
		out = spFrom(m)
		return err
	})
	return out, err
}

func (c *Client) createGrant(ctx context.Context, budget time.Duration, clientSPID, resourceSPID, scope string) (*Grant, error) {
	var out *Grant
	err := c.call(ctx, budget, "grant admin consent (oauth2PermissionGrant for service principal "+clientSPID+")", retryGrant, func(ctx context.Context) error {
		g := models.NewOAuth2PermissionGrant()
		g.SetClientId(&clientSPID)
		g.SetConsentType(ptr("AllPrincipals"))
		g.SetResourceId(&resourceSPID)
		g.SetScope(&scope)
		m, err := grants.NewOauth2PermissionGrantsRequestBuilderInternal(map[string]string{}, c.adapter).Post(ctx, g, nil)
		if m != nil {
			out = &Grant{ID: str(m.GetId()), ClientID: str(m.GetClientId()), ResourceID: str(m.GetResourceId()),
				ConsentType: str(m.GetConsentType()), Scope: str(m.GetScope())}
		}
		return err
	})
	return out, err
}

func (c *Client) patchGrantScope(ctx context.Context, budget time.Duration, id, scope string) error {
	return c.call(ctx, budget, "update admin consent grant "+id, retryRead, func(ctx context.Context) error {
		g := models.NewOAuth2PermissionGrant()
		g.SetScope(&scope)
		_, err := grants.NewOauth2PermissionGrantsRequestBuilderInternal(map[string]string{}, c.adapter).ByOAuth2PermissionGrantId(id).Patch(safe(ctx), g, nil)
		return err
	})
}

// addPassword creates a client secret and returns its metadata and value.
func (c *Client) addPassword(ctx context.Context, budget time.Duration, objectID, uniqueName, name string, end time.Time, fresh bool) (Password, string, error) {
	kind := retryRead
	if fresh {
		kind = retryAppWrite
	}
	var pw Password
	var value string
	err := c.call(ctx, budget, `add client secret to application "`+uniqueName+`"`, kind, func(ctx context.Context) error {
		body := graphapps.NewItemAddPasswordPostRequestBody()
		pc := models.NewPasswordCredential()
		pc.SetDisplayName(&name)
		pc.SetEndDateTime(&end)
		body.SetPasswordCredential(pc)
		m, err := graphapps.NewApplicationsRequestBuilderInternal(map[string]string{}, c.adapter).ByApplicationId(objectID).AddPassword().Post(ctx, body, nil)
		if err != nil {
			return err
		}
		pw = Password{KeyID: uuidStr(m.GetKeyId()), DisplayName: str(m.GetDisplayName()), Hint: str(m.GetHint())}
		if t := m.GetStartDateTime(); t != nil {
			pw.Start = *t
		}
		if t := m.GetEndDateTime(); t != nil {
			pw.End = *t
		}
		value = str(m.GetSecretText())
		return nil
	})
	return pw, value, err
}

// removePassword removes a client secret. When the answer was lost or refused the secret may
// be gone already: httpx.CreateChecked looks before it sends again, since removing a key that
// is not there is a 400.
func (c *Client) removePassword(ctx context.Context, budget time.Duration, objectID, uniqueName, keyID string) error {
	id, err := uuid.Parse(keyID)
	if err != nil {
		return err
	}
	op := `remove client secret ` + keyID + ` of application "` + uniqueName + `"`
	done := &struct{}{}
	_, _, err = httpx.CreateChecked(ctx, c.hc, lostAnswer, func() (*struct{}, error) {
		app, err := c.getApp(ctx, budget, uniqueName, retryRead)
		if err != nil || (app != nil && app.hasPassword(keyID)) {
			return nil, err
		}
		return done, nil
	}, func() (*struct{}, error) {
		return done, c.call(ctx, budget, op, retryRead, func(ctx context.Context) error {
			body := graphapps.NewItemRemovePasswordPostRequestBody()
			body.SetKeyId(&id)
			return graphapps.NewApplicationsRequestBuilderInternal(map[string]string{}, c.adapter).ByApplicationId(objectID).RemovePassword().Post(ctx, body, nil)
		})
	})
	return err
}

// safe marks an idempotent PATCH so the HTTP stack may retry it after a reset or a 5xx.
func safe(ctx context.Context) context.Context { return httpx.RetrySafeContext(ctx) }

// ErrNotRegistered is returned by Outputs, Show and Rotate when the app does not exist yet.
var ErrNotRegistered = errors.New("the Entra application is not registered yet (run: flowsctl azure register)")

const roleFix = "sign in as a user with the Entra role Cloud Application Administrator (or Application Administrator), " +
	"or give the signing-in app the Microsoft Graph application permissions Application.ReadWrite.All and " +
	"DelegatedPermissionGrant.ReadWrite.All with admin consent (Entra admin center > App registrations > <sign-in app> > API permissions)"

// authFailure is a refused sign-in or a missing right: an httpx.APIError marked Auth, so
// httpx.IsAuth classifies it and the CLI exits 4 (cmdutil.CodeOf).
func authFailure(resp *http.Response, msg, fix string) error {
	e := httpx.NewAPIError("entra", resp, nil)
	e.Message, e.FixMsg, e.Auth = msg, fix, true
	return e
}

// signInErr classifies an azidentity failure.
func (c *Client) signInErr(err error) error {
	var af *azidentity.AuthenticationFailedError
	var cu interface{ NonRetriable() }
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &af):
		return authFailure(af.RawResponse, fmt.Sprintf("sign-in to Entra ID failed (azure.signIn.method=%s, tenant %s): %s", c.method, c.tenant, firstLine(af.Error())),
			"check azure.tenantId, azure.signIn.clientId and the client secret or certificate, then retry")
	case errors.As(err, &cu):
		return authFailure(nil, fmt.Sprintf("sign-in to Entra ID is not possible with azure.signIn.method=%s: %s", c.method, firstLine(err.Error())),
			"choose another azure.signIn.method (devicecode works everywhere)")
	}
	return authFailure(nil, fmt.Sprintf("sign-in to Entra ID failed (azure.signIn.method=%s): %s", c.method, firstLine(err.Error())),
		"check azure.authority and the network path to it")
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	// azidentity errors carry a long multi-line explanation with the raw response; keep the gist.
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "AADSTS") {
			if i := strings.Index(l, " Trace ID:"); i > 0 {
				l = l[:i]
			}
			return strings.Trim(l, `"`)
		}
	}
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// graphErr turns an SDK error into an *httpx.APIError (Service "graph", Graph's error code and
// message, the request id), naming op. Transport failures keep their error; sign-in failures
// are already classified.
func (c *Client) graphErr(op string, err error) error {
	if err == nil || httpx.IsAuth(err) {
		return err
	}
	e := &httpx.APIError{Service: "graph", Object: op, URL: c.graphBase}
	var oe *odataerrors.ODataError
	var api *abs.ApiError
	var h *abs.ResponseHeaders
	switch {
	case errors.As(err, &oe):
		e.Status, h = oe.ResponseStatusCode, oe.GetResponseHeaders()
		if m := oe.GetErrorEscaped(); m != nil {
			e.Code, e.Message = str(m.GetCode()), str(m.GetMessage())
			if in := m.GetInnerError(); in != nil {
				e.RequestID = str(in.GetRequestId())
			}
		}
	case errors.As(err, &api):
		e.Status, h = api.ResponseStatusCode, api.GetResponseHeaders()
	default:
		var ue *url.Error
		if errors.As(err, &ue) || httpx.TransientError(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: Graph %s (azure.graphUrl): %w", op, c.graphBase, err)
		}
		// The SDK could not parse the answer (HTML, truncated or foreign JSON). It is not
		// repeated: the same endpoint gives the same answer.
		e.Message = fmt.Sprintf("Graph %s (azure.graphUrl) answered with something that is not Graph JSON (%v)", c.graphBase, err)
		e.FixMsg = "check that azure.graphUrl is the Microsoft Graph endpoint, e.g. https://graph.microsoft.com, and that no proxy rewrites the answer"
		return e
	}
	for _, k := range []string{"request-id", "client-request-id"} {
		if h == nil || e.RequestID != "" {
			break
		}
		if v := h.Get(k); len(v) > 0 {
			e.RequestID = httpx.Excerpt(v[0], 80)
		}
	}
	switch e.Status {
	case http.StatusUnauthorized:
		e.FixMsg = "sign in again; check that azure.tenantId and azure.graphUrl belong to the same cloud"
	case http.StatusForbidden:
		if !isReplication(e, retryCreateSP) {
			e.FixMsg = roleFix
		}
	}
	return e
}

// retryKind says which of Entra's replication errors a call may meet.
type retryKind int

const (
	retryRead      retryKind = iota // none: the call reads what exists
	retryAppWrite                   // PATCH/addPassword on an app created moments ago: 404, 409
	retryCreateSP                   // SP for an app created moments ago: 400 "does not reference", 403 "local tenant"
	retryGrant                      // grant for an SP created moments ago: 404, 400 "does not exist"
	retryFreshRead                  // GET of an object this run created: 404
)

// Replication error texts Entra returns while a new object has not reached every replica
// (reference §2, as the Azure CLI and Terraform match them).
const (
	replNoApp    = " does not reference a valid application object"
	replLocal    = "service principal being created must in the local tenant"
	replNotExist = "does not exist or one of its queried reference-property objects are not present"
)

// isReplication reports one of the replication errors kind expects.
func isReplication(e *httpx.APIError, kind retryKind) bool {
	switch kind {
	case retryAppWrite:
		return e.Status == http.StatusNotFound || e.Status == http.StatusConflict
	case retryCreateSP:
		return (e.Status == http.StatusBadRequest && strings.Contains(e.Message, replNoApp)) ||
			(e.Status == http.StatusForbidden && strings.Contains(e.Message, replLocal))
	case retryGrant:
		return e.Status == http.StatusNotFound || (e.Status == http.StatusBadRequest && strings.Contains(e.Message, replNotExist))
	case retryFreshRead:
		return e.Status == http.StatusNotFound
	}
	return false
}

// call runs fn and waits out, for kind, Entra's replication errors (an object created moments
// ago is not yet on every replica) with capped backoff until budget (azure.replicationBudget)
// is spent. It is the only repeat in this package and it is semantic: transient statuses
// (429, 502/503/504, resets, a repeated 500 on idempotent calls) are retried by httpx's
// transport alone, so the maximum sends for one logical call is 1 + MaxRetries (6) per
// replication attempt. Anything else fails at once with Graph's code and message.
func (c *Client) call(ctx context.Context, budget time.Duration, op string, kind retryKind, fn func(ctx context.Context) error) error {
	deadline := c.now().Add(budget)
	for attempt := 0; ; attempt++ {
		err := c.graphErr(op, fn(ctx))
		var e *httpx.APIError
		if err == nil || !errors.As(err, &e) || !isReplication(e, kind) {
			return err
		}
		d := replicationBackoff(attempt)
		if c.now().Add(d).After(deadline) {
			return fmt.Errorf("%w (Entra replication did not finish within azure.replicationBudget=%s; re-run the same command: it looks up before it writes)", err, budget)
		}
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// replicationBackoff is 0.5s, 1s, 2s, 4s, 8s, then 10s, with jitter on the upper quarter.
func replicationBackoff(attempt int) time.Duration {
	d := 500 * time.Millisecond << min(attempt, 5)
	if d > 10*time.Second {
		d = 10 * time.Second
	}
	return d - d/4 + rand.N(d/4+1)
}

// lostAnswer reports a failure after which a write may or may not have been applied (a 5xx,
// 429 or a broken connection): httpx.CreateChecked looks up before it writes again.
func lostAnswer(err error) bool {
	if err == nil || httpx.IsAuth(err) || errors.Is(err, context.Canceled) {
		return false
	}
	if s := httpx.StatusOf(err); s != 0 {
		return httpx.TransientStatus(s)
	}
	return httpx.TransientError(err)
}
