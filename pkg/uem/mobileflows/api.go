package mobileflows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/text"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// AdminBasePath is where the modeled admin API lives under uem.mobileFlows.adminUrl
// (docs/mobile-flows-admin-api.md).
const AdminBasePath = "/connector-management/v1"

// WireAuth is a connector's authentication block on the modeled admin API.
type WireAuth struct {
	Type         string `json:"type"`
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"` // write-only
	// Read-only: whether a secret is stored and the first 16 hex digits of its SHA-256.
	ClientSecretSet         bool              `json:"clientSecretSet,omitempty"`
	ClientSecretFingerprint string            `json:"clientSecretFingerprint,omitempty"`
	AuthorizeURL            string            `json:"authorizeUrl,omitempty"`
	TokenURL                string            `json:"tokenUrl,omitempty"`
	Scopes                  []string          `json:"scopes,omitempty"`
	TokenServerHints        map[string]string `json:"tokenServerHints,omitempty"`
	TokenURIBodyParameters  map[string]string `json:"tokenUriBodyParameters,omitempty"`
}

// WireConnector is a connector on the modeled admin API, keyed by name.
type WireConnector struct {
	ID             string   `json:"id,omitempty"`
	Name           string   `json:"name"`
	CatalogID      string   `json:"catalogId,omitempty"`
	DiscoveryURL   string   `json:"discoveryUrl,omitempty"`
	BaseURL        string   `json:"baseUrl,omitempty"`
	Active         bool     `json:"active"`
	Categories     []string `json:"categories"`
	Authentication WireAuth `json:"authentication"`
	Notification   struct {
		Method string `json:"method"`
	} `json:"notification"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
	// AuthorizedUsers (read-only; nil when the API does not report it) counts the users who
	// hold a token of the connector: they signed in to it once in the Access user portal.
	AuthorizedUsers *int `json:"authorizedUsers,omitempty"`
}

// TenantStatus is GET /tenant on the modeled API.
type TenantStatus struct {
	Registered   bool   `json:"registered"`
	AccessURL    string `json:"accessUrl,omitempty"`
	RegisteredAt string `json:"registeredAt,omitempty"`
	// HubNotifications: mobile flows enabled in Hub Services for the tenant.
	HubNotifications bool `json:"hubNotifications"`
}

// API is the `api` registrar: a REST client for the modeled admin API.
type API struct {
	HC   *httpx.Client
	Base string // uem.mobileFlows.adminUrl
	// Authorize adds the admin credentials (the UEM client's Authorize: the same admin who
	// would use the console).
	Authorize func(ctx context.Context, req *http.Request) error
	// Config reads the connectors' client secrets (cfg.Secret); nil reads loaded refs as they are.
	Config *config.Config
	// Seen, when set, keeps the user counts Apply's answers showed (the connector as read, or
	// as the PUT returned it), so ConnectorUsers need not ask again in the same run.
	Seen *Seen
}

// Seen is the run's user counts of connectors as the admin API last answered them, by name
// (case-insensitive). Each is used once: a later look asks the API again.
type Seen struct {
	mu    sync.Mutex
	users map[string]int
}

// note keeps c's user count, when the API reported one.
func (s *Seen) note(name string, c *WireConnector) {
	if s == nil || c == nil || c.AuthorizedUsers == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users == nil {
		s.users = map[string]int{}
	}
	s.users[strings.ToLower(name)] = *c.AuthorizedUsers
}

// take returns the count kept for name, once.
func (s *Seen) take(name string) (int, bool) {
	if s == nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.users[strings.ToLower(name)]
	delete(s.users, strings.ToLower(name))
	return n, ok
}

func (a *API) Mode() string { return "api" }

func (a *API) url(p string) string { return strings.TrimRight(a.Base, "/") + AdminBasePath + p }

// authFix is shown when the admin API refuses the credentials.
const authFix = "check uem.auth: the admin API takes the UEM admin credentials"

// ParseError decodes an error answer {code, message} of the admin API into an httpx.APIError
// (Service "mobileflows"); other bodies (HTML pages, text) add nothing. Code and message are
// bounded excerpts.
func ParseError(method, path string, resp *http.Response, body []byte) *httpx.APIError {
	e := httpx.NewAPIError("mobileflows", resp, body)
	e.Method, e.Object, e.Message = method, path, ""
	var eb struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &eb) == nil {
		e.Code, e.Message = httpx.Excerpt(eb.Code, 80), httpx.Excerpt(eb.Message, 300)
	}
	if httpx.IsAuth(e) {
		e.FixMsg = authFix
	}
	return e
}

func (a *API) do(ctx context.Context, method, p string, body, out any) (int, error) {
	req, err := httpx.NewJSONRequest(ctx, method, a.url(p), nil, body)
	if err != nil {
		return 0, err
	}
	if a.Authorize != nil {
		if err := a.Authorize(ctx, req); err != nil {
			return 0, err
		}
	}
	resp, err := a.HC.Do(req)
	if err != nil {
		return 0, fmt.Errorf("mobile flows admin API %s %s: %w", method, p, err)
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, ParseError(method, p, resp, b)
	}
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("mobile flows admin API %s %s: decoding the answer: %w", method, p, err)
		}
	}
	return resp.StatusCode, nil
}

// Get returns the connector named name, or nil when there is none.
func (a *API) Get(ctx context.Context, name string) (*WireConnector, error) {
	var c WireConnector
	st, err := a.do(ctx, http.MethodGet, "/connectors/"+url.PathEscape(name), nil, &c)
	if st == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ListWire lists every connector.
func (a *API) ListWire(ctx context.Context) ([]WireConnector, error) {
	var out struct {
		Connectors []WireConnector `json:"connectors"`
	}
	if _, err := a.do(ctx, http.MethodGet, "/connectors", nil, &out); err != nil {
		return nil, err
	}
	return out.Connectors, nil
}

// Tenant reads the tenant registration state.
func (a *API) Tenant(ctx context.Context) (TenantStatus, error) {
	var t TenantStatus
	_, err := a.do(ctx, http.MethodGet, "/tenant", nil, &t)
	return t, err
}

// ConnectorUsers is how many users hold a token of the named connector, as the admin API
// reports it (0 while the connector is not registered); known is false when the API does not
// report the count.
func (a *API) ConnectorUsers(ctx context.Context, name string) (n int, known bool, err error) {
	if n, ok := a.Seen.take(name); ok {
		return n, true, nil // this run's Apply read or wrote the connector: its answer had the count
	}
	c, err := a.Get(ctx, name)
	switch {
	case err != nil:
		return 0, false, err
	case c == nil:
		return 0, true, nil
	case c.AuthorizedUsers == nil:
		return 0, false, nil
	}
	return *c.AuthorizedUsers, true, nil
}

func wireFrom(s ConnectorSpec) WireConnector {
	w := WireConnector{Name: s.Name, CatalogID: s.CatalogID, DiscoveryURL: s.DiscoveryURL, BaseURL: s.BaseURL, Active: s.Active,
		Categories: s.Categories}
	if w.Categories == nil {
		w.Categories = []string{}
	}
	w.Authentication = WireAuth{Type: s.Auth, ClientID: s.Grant.ClientID, AuthorizeURL: s.Grant.AuthorizeURL, TokenURL: s.Grant.TokenURL,
		Scopes: s.Grant.Scopes, TokenServerHints: s.Grant.TokenServerHints, TokenURIBodyParameters: s.Grant.TokenURIBodyParameters}
	w.Notification.Method = s.Notification
	return w
}

// diff compares the wanted connector with the stored one. secretFP is the wanted secret's
// fingerprint ("" when the spec has no secret or it cannot be read).
func diff(want, have WireConnector, secretFP string) plan.Diff {
	var d plan.Diff
	d.Add("catalogId", have.CatalogID, want.CatalogID)
	d.Add("discoveryUrl", have.DiscoveryURL, want.DiscoveryURL)
	if !config.SameConnectorBaseURL(have.BaseURL, want.BaseURL) {
		d.Add("baseUrl", have.BaseURL, want.BaseURL)
	}
	d.Add("active", have.Active, want.Active)
	if !sameSet(have.Categories, want.Categories) {
		d.Add("categories", strings.Join(have.Categories, ","), strings.Join(want.Categories, ","))
	}
	d.Add("authentication.type", have.Authentication.Type, want.Authentication.Type)
	d.Add("authentication.clientId", have.Authentication.ClientID, want.Authentication.ClientID)
	d.Add("authentication.authorizeUrl", have.Authentication.AuthorizeURL, want.Authentication.AuthorizeURL)
	d.Add("authentication.tokenUrl", have.Authentication.TokenURL, want.Authentication.TokenURL)
	if !sameSet(have.Authentication.Scopes, want.Authentication.Scopes) {
		d.Add("authentication.scopes", strings.Join(have.Authentication.Scopes, " "), strings.Join(want.Authentication.Scopes, " "))
	}
	if !mapEq(have.Authentication.TokenServerHints, want.Authentication.TokenServerHints) {
		d = append(d, plan.FieldChange{Path: "authentication.tokenServerHints", Old: fmt.Sprint(have.Authentication.TokenServerHints), New: fmt.Sprint(want.Authentication.TokenServerHints)})
	}
	if !mapEq(have.Authentication.TokenURIBodyParameters, want.Authentication.TokenURIBodyParameters) {
		d = append(d, plan.FieldChange{Path: "authentication.tokenUriBodyParameters", Old: fmt.Sprint(have.Authentication.TokenURIBodyParameters), New: fmt.Sprint(want.Authentication.TokenURIBodyParameters)})
	}
	if secretFP != "" && have.Authentication.ClientSecretFingerprint != secretFP {
		old := "(none)"
		if have.Authentication.ClientSecretSet {
			old = "(another secret)"
		}
		d = append(d, plan.FieldChange{Path: "authentication.clientSecret", Old: old, New: "(from the secret sink)"})
	}
	d.Add("notification.method", have.Notification.Method, want.Notification.Method)
	return d
}

func sameSet(a, b []string) bool {
	x := append([]string(nil), a...)
	y := append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, "\x00") == strings.Join(y, "\x00")
}

func mapEq(a, b map[string]string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

// createFields lists the wanted values of a new connector (no old values).
func createFields(want WireConnector, secretFP string) []plan.FieldChange {
	d := diff(want, WireConnector{Active: !want.Active}, secretFP)
	for i := range d {
		d[i].Old = ""
	}
	return d
}

// secretFor resolves the spec's secret and its fingerprint ("" when the spec has none).
func secretFor(cfg *config.Config, s ConnectorSpec) (string, string, error) {
	if s.Grant.ClientSecret.IsZero() {
		return "", "", nil
	}
	v, err := cfg.Secret(s.Grant.ClientSecret)
	if err != nil {
		return "", "", fmt.Errorf("connector %q: the client secret: %w (the Entra step writes it: flowsctl azure register)", s.Name, err)
	}
	return v, SecretFingerprint(v), nil
}

func objectName(s ConnectorSpec) string { return fmt.Sprintf("mobile flows connector %q", s.Name) }

// result starts the Result of one connector.
func result(s ConnectorSpec, a plan.Action) object.Result {
	return object.Result{Object: objectName(s), Kind: "mobile flows connector", Key: s.Name, Action: a}
}

// Plan compares the stored connector with the spec. Read-only.
func (a *API) Plan(ctx context.Context, s ConnectorSpec) (plan.Change, error) {
	ch := plan.Change{Object: objectName(s)}
	have, err := a.Get(ctx, s.Name)
	if err != nil {
		return ch, err
	}
	_, fp, serr := secretFor(a.Config, s)
	want := wireFrom(s)
	if have == nil {
		ch.Action = plan.Create
		ch.Fields = createFields(want, fp)
		if serr != nil {
			ch.Note = serr.Error()
		}
		return ch, nil
	}
	d := diff(want, *have, fp)
	if len(d) == 0 {
		ch.Action = plan.NoOp
		return ch, nil
	}
	ch.Action, ch.Fields = plan.Update, d
	return ch, nil
}

// Apply creates or replaces the connector when it differs (PUT by name); a matching one is
// left alone. The secret is sent only when it is new or changed.
func (a *API) Apply(ctx context.Context, s ConnectorSpec) (object.Result, error) {
	res := result(s, plan.Create)
	have, err := a.Get(ctx, s.Name)
	if err != nil {
		return res, err
	}
	a.Seen.note(s.Name, have)
	sec, fp, serr := secretFor(a.Config, s)
	want := wireFrom(s)
	if have != nil {
		d := diff(want, *have, fp)
		if len(d) == 0 {
			res.Action, res.ID = plan.NoOp, have.ID
			if serr != nil {
				// The stored connector matches every readable value; the unreadable secret cannot be checked.
				res.Note = "secret not checked: " + serr.Error()
			}
			return res, nil
		}
		res.Action, res.Fields = plan.Update, d
	} else {
		res.Fields = createFields(want, fp)
	}
	if serr != nil {
		return res, serr
	}
	if sec != "" && (have == nil || have.Authentication.ClientSecretFingerprint != fp) {
		a.HC.AddSecret(sec)
		want.Authentication.ClientSecret = sec
	}
	var got WireConnector
	if _, err := a.do(ctx, http.MethodPut, "/connectors/"+url.PathEscape(s.Name), want, &got); err != nil {
		return res, fmt.Errorf("registering %s: %w", objectName(s), err)
	}
	a.Seen.note(s.Name, &got)
	res.ID = got.ID
	return res, nil
}

// Verify checks the connector exists, is active, has the right base URL and client id.
func (a *API) Verify(ctx context.Context, s ConnectorSpec) []doctor.Check {
	id := "uem.connector." + text.Slug(s.Name)
	ck := doctor.Check{ID: id, Title: objectName(s) + " registered", Status: doctor.Pass}
	have, err := a.Get(ctx, s.Name)
	switch {
	case err != nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, err.Error(), "check uem.mobileFlows.adminUrl and uem.auth"
	case have == nil:
		ck.Status, ck.Detail, ck.Fix = doctor.Fail, "not found", "flowsctl uem connector add "+addArg(s)
	default:
		var bad []string
		if !have.Active && s.Active {
			bad = append(bad, "inactive")
		}
		if !config.SameConnectorBaseURL(have.BaseURL, s.BaseURL) {
			msg := fmt.Sprintf("base URL %q, want %q", have.BaseURL, s.BaseURL)
			if why := config.ConnectorBaseURLProblem(s.CatalogID, have.BaseURL); why != "" {
				msg += " (" + why + ")"
			}
			bad = append(bad, msg)
		}
		if have.Authentication.ClientID != s.Grant.ClientID {
			bad = append(bad, fmt.Sprintf("client id %q, want %q", have.Authentication.ClientID, s.Grant.ClientID))
		}
		fix := "flowsctl uem connector add " + addArg(s)
		if s.Grant.ClientSecret != "" && !have.Authentication.ClientSecretSet {
			bad = append(bad, "no client secret stored")
		} else if _, fp, err := secretFor(a.Config, s); err == nil && fp != "" && have.Authentication.ClientSecretFingerprint != fp {
			// Compared by fingerprint: no value leaves flowsctl. The Entra check proves the
			// sink's value is among the application's unexpired credentials (its hint).
			bad = append(bad, "its client secret is not the one in "+string(s.Grant.ClientSecret)+" (an old or foreign secret: sign-ins fail once it is removed or expires)")
			fix = "flowsctl rotate teams-secret"
		}
		if len(bad) > 0 {
			ck.Status, ck.Detail, ck.Fix = doctor.Fail, strings.Join(bad, "; "), fix
		} else {
			ck.Detail = fmt.Sprintf("active, base URL %s", orNone(have.BaseURL))
			if have.Authentication.ClientID != "" {
				ck.Detail += ", client id " + have.Authentication.ClientID
			}
		}
	}
	return []doctor.Check{ck}
}

// List reports every registered connector.
func (a *API) List(ctx context.Context) ([]Registered, error) {
	ws, err := a.ListWire(ctx)
	if err != nil {
		return nil, err
	}
	out := []Registered{}
	for _, w := range ws {
		out = append(out, Registered{Name: w.Name, Mode: "api", CatalogID: w.CatalogID, DiscoveryURL: w.DiscoveryURL, BaseURL: w.BaseURL,
			Active: w.Active, Authentication: w.Authentication.Type, ClientID: w.Authentication.ClientID, Notification: w.Notification.Method,
			Status: "registered", ID: w.ID})
	}
	return out, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func addArg(s ConnectorSpec) string {
	if s.CatalogID != "" {
		if e, ok := Lookup(s.CatalogID); ok && len(e.Aliases) > 0 {
			return e.Aliases[0]
		}
		return s.CatalogID
	}
	return "--discovery-url " + s.DiscoveryURL + " --name " + shellQuote(s.Name)
}

func shellQuote(s string) string {
	if strings.ContainsAny(s, " '\"$`\\") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
