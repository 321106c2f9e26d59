package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// App is an Okta application (the fields flowsctl reads and writes).
type App struct {
	ID          string          `json:"id,omitempty"`
	Name        string          `json:"name"`
	Label       string          `json:"label"`
	Status      string          `json:"status,omitempty"`
	SignOnMode  string          `json:"signOnMode,omitempty"`
	Settings    AppSettings     `json:"settings"`
	Credentials *AppCredentials `json:"credentials,omitempty"`
}

// AppSettings holds the catalog app's own fields (app) and an OIDC app's client settings.
type AppSettings struct {
	App         map[string]any       `json:"app,omitempty"`
	OAuthClient *OAuthClientSettings `json:"oauthClient,omitempty"`
}

// OAuthClientSettings are an OIDC app's client settings.
type OAuthClientSettings struct {
	RedirectURIs    []string `json:"redirect_uris"`
	ResponseTypes   []string `json:"response_types"`
	GrantTypes      []string `json:"grant_types"`
	ApplicationType string   `json:"application_type"`
}

// AppCredentials holds an OIDC app's client credentials.
type AppCredentials struct {
	OAuthClient *OAuthClientCredentials `json:"oauthClient,omitempty"`
}

// OAuthClientCredentials: the client secret is in a create answer only.
type OAuthClientCredentials struct {
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	AuthMethod   string `json:"token_endpoint_auth_method,omitempty"`
}

// ClientID is an OIDC app's client id ("" for other apps).
func (a *App) ClientID() string {
	if a == nil || a.Credentials == nil || a.Credentials.OAuthClient == nil {
		return ""
	}
	return a.Credentials.OAuthClient.ClientID
}

// Group is an Okta group.
type Group struct {
	ID      string `json:"id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

// Connection is an app's provisioning connection (never its token).
type Connection struct {
	AuthScheme string `json:"authScheme"`
	Status     string `json:"status"`
	BaseURL    string `json:"baseUrl,omitempty"`
}

// Toggle is an ENABLED/DISABLED switch of a capability.
type Toggle struct {
	Status string `json:"status"`
}

// Capabilities of USER_PROVISIONING: To App create, update attributes, deactivate.
type Capabilities struct {
	Create struct {
		LifecycleCreate Toggle `json:"lifecycleCreate"`
	} `json:"create"`
	Update struct {
		LifecycleDeactivate Toggle `json:"lifecycleDeactivate"`
		Profile             Toggle `json:"profile"`
	} `json:"update"`
}

// Feature is an app feature (USER_PROVISIONING).
type Feature struct {
	Name         string       `json:"name"`
	Status       string       `json:"status"`
	Capabilities Capabilities `json:"capabilities"`
}

// PushMapping is a group push mapping.
type PushMapping struct {
	ID            string `json:"id,omitempty"`
	SourceGroupID string `json:"sourceGroupId"`
	TargetGroupID string `json:"targetGroupId,omitempty"`
	Status        string `json:"status"`
	ErrorSummary  string `json:"errorSummary,omitempty"`
}

// Mapping is a profile mapping (Okta user -> app user).
type Mapping struct {
	ID         string                     `json:"id"`
	Properties map[string]MappingProperty `json:"properties,omitempty"`
}

// MappingProperty maps one attribute with an Okta expression.
type MappingProperty struct {
	Expression string `json:"expression"`
	PushStatus string `json:"pushStatus,omitempty"`
}

// AppUser is a user assigned to an app, with what provisioning did.
type AppUser struct {
	ID         string         `json:"id"`
	ExternalID string         `json:"externalId"`
	Status     string         `json:"status"`
	SyncState  string         `json:"syncState"`
	Profile    map[string]any `json:"profile"`
}

// name is how a report names the app user: its user name or email, else its id.
func (u AppUser) name() string {
	for _, k := range []string{"userName", "email"} {
		if v, ok := u.Profile[k].(string); ok && v != "" {
			return v
		}
	}
	return u.ID
}

// Discovery is the org's OpenID Connect discovery document (the fields flowsctl compares).
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

const apps = "/api/v1/apps"

// FindApp returns the app with exactly this label, or nil.
func (c *Client) FindApp(ctx context.Context, label string) (*App, error) {
	all, err := list[App](ctx, c, apps, url.Values{"q": {label}, "limit": {"200"}})
	if err != nil {
		return nil, err
	}
	var found *App
	for i := range all {
		if all[i].Label == label && all[i].Status != "DELETED" {
			if found != nil {
				return nil, fmt.Errorf("okta: two apps are labelled %q (%s, %s); rename one or delete the extra one in Okta", label, found.ID, all[i].ID)
			}
			found = &all[i]
		}
	}
	return found, nil
}

// CreateApp creates an app; creates are not idempotent, so the caller looks up first.
func (c *Client) CreateApp(ctx context.Context, a App) (*App, error) {
	var out App
	if _, err := c.do(ctx, http.MethodPost, apps, nil, a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceApp writes an app's label and settings (PUT replaces the app).
func (c *Client) ReplaceApp(ctx context.Context, a *App) (*App, error) {
	var out App
	if _, err := c.do(ctx, http.MethodPut, apps+"/"+url.PathEscape(a.ID), nil, a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// NewClientSecret adds a client secret to an OIDC app; the value is in the answer only.
func (c *Client) NewClientSecret(ctx context.Context, appID string) (string, error) {
	var out struct {
		Secret string `json:"client_secret"`
	}
	if _, err := c.do(ctx, http.MethodPost, apps+"/"+url.PathEscape(appID)+"/credentials/secrets", nil, map[string]any{}, &out); err != nil {
		return "", err
	}
	if out.Secret == "" {
		return "", errors.New("okta: the new client secret's answer holds no client_secret")
	}
	return out.Secret, nil
}

// FindGroup returns the group with this name (case-insensitive), or nil.
func (c *Client) FindGroup(ctx context.Context, name string) (*Group, error) {
	all, err := list[Group](ctx, c, "/api/v1/groups", url.Values{"q": {name}, "limit": {"200"}})
	if err != nil {
		return nil, err
	}
	for i := range all {
		if strings.EqualFold(all[i].Profile.Name, name) {
			return &all[i], nil
		}
	}
	return nil, nil
}

// AppGroups are the ids of the groups assigned to an app.
func (c *Client) AppGroups(ctx context.Context, appID string) (map[string]bool, error) {
	type ag struct {
		ID string `json:"id"`
	}
	all, err := list[ag](ctx, c, apps+"/"+url.PathEscape(appID)+"/groups", url.Values{"limit": {"200"}})
	out := map[string]bool{}
	for _, g := range all {
		out[g.ID] = true
	}
	return out, err
}

// AssignGroup assigns a group to an app (PUT: idempotent).
func (c *Client) AssignGroup(ctx context.Context, appID, groupID string) error {
	_, err := c.do(ctx, http.MethodPut, apps+"/"+url.PathEscape(appID)+"/groups/"+url.PathEscape(groupID), nil, map[string]any{}, nil)
	return err
}

// AppUsers lists the users assigned to an app (at most limit; 0 = all).
func (c *Client) AppUsers(ctx context.Context, appID string, limit int) ([]AppUser, error) {
	q := url.Values{"limit": {"200"}}
	if limit > 0 {
		var out []AppUser
		_, err := c.do(ctx, http.MethodGet, apps+"/"+url.PathEscape(appID)+"/users", url.Values{"limit": {fmt.Sprint(limit)}}, nil, &out)
		return out, err
	}
	return list[AppUser](ctx, c, apps+"/"+url.PathEscape(appID)+"/users", q)
}

// LogsScope is the scope that reads the System Log. It is not among the default scopes: a
// token request naming a scope the service app was not granted fails as a whole.
const LogsScope = "okta.logs.read"

// LogEvent is a System Log event (the fields flowsctl reads).
type LogEvent struct {
	UUID      string `json:"uuid"`
	Published string `json:"published"`
	EventType string `json:"eventType"`
	Outcome   struct {
		Result string `json:"result"`
		Reason string `json:"reason"`
	} `json:"outcome"`
	Target []LogTarget `json:"target"`
}

// LogTarget is one target of a LogEvent.
type LogTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

// User is the event's target of type User, if any.
func (ev LogEvent) User() (LogTarget, bool) {
	for _, t := range ev.Target {
		if t.Type == "User" {
			return t, true
		}
	}
	return LogTarget{}, false
}

// CanReadLogs reports whether the credentials may read the System Log: an API token, or a
// service app with okta.logs.read among okta.auth.scopes.
func (c *Client) CanReadLogs() bool { return c.logs }

// ProvisioningFailures reads the System Log for the app's failed user provisioning tasks
// (application.provision.user.*, outcome FAILURE) of the last week, newest first, at most
// limit (one page).
func (c *Client) ProvisioningFailures(ctx context.Context, appID string, limit int) ([]LogEvent, error) {
	f := fmt.Sprintf(`eventType sw "application.provision.user" and outcome.result eq "FAILURE" and target.id eq %q`, appID)
	var out []LogEvent
	_, err := c.do(ctx, http.MethodGet, "/api/v1/logs", url.Values{"filter": {f}, "sortOrder": {"DESCENDING"}, "limit": {fmt.Sprint(limit)}}, nil, &out)
	return out, err
}

// Connection reads an app's provisioning connection.
func (c *Client) Connection(ctx context.Context, appID string) (*Connection, error) {
	var out Connection
	if _, err := c.do(ctx, http.MethodGet, apps+"/"+url.PathEscape(appID)+"/connections/default", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetConnection sets the provisioning connection (token scheme) and activates it in the same
// request (activate=true, as Okta's update of the default connection documents), one round
// trip instead of a second POST to lifecycle/activate. The token is registered with the
// redactor before it is sent.
func (c *Client) SetConnection(ctx context.Context, appID, baseURL, token string) error {
	c.hc.AddSecret(token)
	body := map[string]any{"profile": map[string]any{"authScheme": "TOKEN", "token": token}}
	if baseURL != "" {
		body["baseUrl"] = baseURL
	}
	p := apps + "/" + url.PathEscape(appID) + "/connections/default"
	_, err := c.do(httpx.RetrySafeContext(ctx), http.MethodPost, p, url.Values{"activate": {"true"}}, body, nil)
	return err
}

// Provisioning reads the USER_PROVISIONING feature (nil when the app has none yet).
func (c *Client) Provisioning(ctx context.Context, appID string) (*Feature, error) {
	var out Feature
	_, err := c.do(ctx, http.MethodGet, apps+"/"+url.PathEscape(appID)+"/features/USER_PROVISIONING", nil, nil, &out)
	if httpx.StatusOf(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// EnableProvisioning turns on To App create, update attributes and deactivate.
func (c *Client) EnableProvisioning(ctx context.Context, appID string) error {
	var caps Capabilities
	caps.Create.LifecycleCreate.Status = "ENABLED"
	caps.Update.Profile.Status = "ENABLED"
	caps.Update.LifecycleDeactivate.Status = "ENABLED"
	_, err := c.do(ctx, http.MethodPut, apps+"/"+url.PathEscape(appID)+"/features/USER_PROVISIONING", nil, caps, nil)
	return err
}

// PushMappings lists an app's group push mappings.
func (c *Client) PushMappings(ctx context.Context, appID string) ([]PushMapping, error) {
	return list[PushMapping](ctx, c, apps+"/"+url.PathEscape(appID)+"/group-push/mappings", url.Values{"limit": {"200"}})
}

// CreatePushMapping pushes a group (ACTIVE: push memberships now).
func (c *Client) CreatePushMapping(ctx context.Context, appID, groupID, name string) (*PushMapping, error) {
	var out PushMapping
	body := map[string]any{"sourceGroupId": groupID, "status": "ACTIVE", "targetGroupName": name}
	if _, err := c.do(ctx, http.MethodPost, apps+"/"+url.PathEscape(appID)+"/group-push/mappings", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ActivatePushMapping sets an INACTIVE mapping ACTIVE.
func (c *Client) ActivatePushMapping(ctx context.Context, appID, mappingID string) error {
	_, err := c.do(httpx.RetrySafeContext(ctx), http.MethodPatch, apps+"/"+url.PathEscape(appID)+"/group-push/mappings/"+url.PathEscape(mappingID), nil, map[string]any{"status": "ACTIVE"}, nil)
	return err
}

// UserMapping is the profile mapping from Okta users to the app's users.
func (c *Client) UserMapping(ctx context.Context, appID string) (*Mapping, error) {
	type ref struct {
		ID string `json:"id"`
	}
	refs, err := list[ref](ctx, c, "/api/v1/mappings", url.Values{"targetId": {appID}, "limit": {"200"}})
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("okta: app %s has no profile mapping from Okta users (Okta creates it with the app; check Directory > Profile Editor)", appID)
	}
	var m Mapping
	if _, err := c.do(ctx, http.MethodGet, "/api/v1/mappings/"+url.PathEscape(refs[0].ID), nil, nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// SetMapping sets attribute expressions of a profile mapping (other properties stay).
func (c *Client) SetMapping(ctx context.Context, mappingID string, props map[string]MappingProperty) error {
	_, err := c.do(httpx.RetrySafeContext(ctx), http.MethodPost, "/api/v1/mappings/"+url.PathEscape(mappingID), nil, map[string]any{"properties": props}, nil)
	return err
}

// Discovery reads the org's /.well-known/openid-configuration (no credentials needed).
func (c *Client) Discovery(ctx context.Context) (*Discovery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	var d Discovery
	if err := httpx.DecodeJSON(resp, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Refused reports an answer by which Okta declines to do something through the API for this
// app (the provisioning connection of most catalog apps): then a person does it in the console.
func Refused(err error) bool {
	switch httpx.StatusOf(err) {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	case http.StatusForbidden:
		// A missing scope is the admin's to fix (exit 4 naming it), not a console step.
		return !strings.Contains(err.Error(), "lacks the scope")
	}
	return false
}
