package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// IdP is an identity provider (list form plus what flowsctl sets).
type IdP struct {
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"idp_name"`
	Type         string   `json:"idp_type"`
	SourceType   string   `json:"idp_source_type,omitempty"`
	DirectoryIDs []string `json:"directory_ids,omitempty"`
}

// OIDCSpec is an Okta (or other) OIDC identity provider.
type OIDCSpec struct {
	Name             string
	SourceType       string // OKTA | ENTRA | GENERIC
	ClientID         string
	ClientSecret     string
	ConfigurationURL string
	// OIDCUserIdentifier is the claim matched (email); WorkspaceOneUserIdentifier the attribute (email).
	OIDCUserIdentifier         string
	WorkspaceOneUserIdentifier string
	DirectoryIDs               []string
}

const idpPath = "/federation/broker/identity-providers"

func idpObject(name string) string { return fmt.Sprintf("identity provider %q", name) }

// IdPs lists identity providers.
func (c *Client) IdPs(ctx context.Context) ([]IdP, error) {
	var out struct {
		Items []IdP `json:"items"`
	}
	err := c.do(ctx, http.MethodGet, idpPath, nil, nil, &out, "identity providers")
	return out.Items, err
}

// FindIdP finds an identity provider by name (case-insensitive); nil when absent.
func (c *Client) FindIdP(ctx context.Context, name string) (*IdP, error) {
	list, err := c.IdPs(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if strings.EqualFold(list[i].Name, name) {
			return &list[i], nil
		}
	}
	return nil, nil
}

func (s OIDCSpec) body() map[string]any {
	dl := make([]map[string]string, 0, len(s.DirectoryIDs))
	for _, id := range s.DirectoryIDs {
		dl = append(dl, map[string]string{"id": id})
	}
	return map[string]any{
		"idp_name": s.Name, "idp_type": "OIDC", "idp_source_type": or(s.SourceType, "OKTA"), "directory_list": dl,
		"oidc_profile": map[string]any{
			"client_id": s.ClientID, "client_secret": s.ClientSecret, "configuration_url": s.ConfigurationURL,
			"oidc_user_attribute_mapping": map[string]string{}, "authorize_params": map[string]string{}, "token_params": map[string]string{},
			"pass_through_claims": false, "open_id_user_identifier_attribute": or(s.OIDCUserIdentifier, "email"),
			"internal_user_identifier_attribute": or(s.WorkspaceOneUserIdentifier, "email"), "login_hint_user_attribute": "userName", "send_login_hint_in_request": false,
		},
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// putOIDC creates the IdP (have == nil; a lost answer is resolved by a look-up) or updates it
// with PATCH.
func (c *Client) putOIDC(ctx context.Context, have *IdP, s OIDCSpec) (*IdP, error) {
	if s.ConfigurationURL == "" || s.ClientID == "" || s.ClientSecret == "" {
		return nil, fmt.Errorf("identity provider %q: client id, client secret and configuration URL are required (identityServices.oidc)", s.Name)
	}
	c.hc.AddSecret(s.ClientSecret)
	var out IdP
	if have != nil {
		err := c.do(ctx, http.MethodPatch, idpPath+"/"+url.PathEscape(have.ID), nil, s.body(), &out, idpObject(s.Name))
		return &out, err
	}
	created, _, err := httpx.CreateChecked(ctx, c.hc, transient,
		func() (*IdP, error) { return c.FindIdP(ctx, s.Name) },
		func() (*IdP, error) {
			err := c.do(ctx, http.MethodPost, idpPath, nil, s.body(), &out, idpObject(s.Name))
			return &out, err
		})
	return created, err
}

// OktaConfigurationURL is the org authorization server's discovery document for an Okta org URL.
func OktaConfigurationURL(issuer string) string {
	issuer = strings.TrimRight(issuer, "/")
	if strings.HasSuffix(issuer, "/.well-known/openid-configuration") {
		return issuer
	}
	return issuer + "/.well-known/openid-configuration"
}

// IdPNameFor names the identity provider after the directory's source ("Okta").
func IdPNameFor(source string) string {
	switch strings.ToUpper(source) {
	case "", "OKTA":
		return "Okta"
	case "ENTRA", "AZURE":
		return "Entra ID"
	}
	return strings.ToUpper(source[:1]) + strings.ToLower(source[1:])
}

// IdPObject is identityServices.oidc: the OIDC identity provider serving the directory.
type IdPObject struct {
	c       *Client
	dirName string
	// secret reads the client secret, only when writing.
	secret func() (string, error)
	Spec   OIDCSpec
	// DirID is the directory the provider must serve ("" when it does not exist yet).
	DirID string
	// Always makes Apply send the provider's settings (and secret) even when it exists and
	// serves the directory (`identity idp create oidc`); plan/apply leave such a provider alone,
	// since the secret cannot be read back to compare.
	Always bool

	found *IdP
}

var _ object.Object = (*IdPObject)(nil)

// IdPFromConfig is identityServices.oidc for the directory dirID; name "" means the name
// after the directory's source.
func IdPFromConfig(c *Client, cfg *config.Config, dirID, name string) (*IdPObject, error) {
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
	if dirID != "" {
		s.DirectoryIDs = []string{dirID}
	}
	o := NewIdPObject(c, s, is.Directory.Name)
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
	o := &IdPObject{c: c, dirName: dirName, Spec: s, secret: func() (string, error) { return s.ClientSecret, nil }}
	if len(s.DirectoryIDs) > 0 {
		o.DirID = s.DirectoryIDs[0]
	}
	o.Spec.ClientSecret = ""
	return o
}

// Object names the provider in plans.
func (o *IdPObject) Object() string { return idpObject(o.Spec.Name) }

// Found is the provider as last read (nil when absent).
func (o *IdPObject) Found() *IdP { return o.found }

func (o *IdPObject) find(ctx context.Context) (*IdP, error) {
	p, err := o.c.FindIdP(ctx, o.Spec.Name)
	if err != nil {
		return nil, setup.Errorf(o.Object(), err, authFix)
	}
	o.found = p
	return p, nil
}

func (o *IdPObject) serves(p *IdP) bool { return o.DirID == "" || slices.Contains(p.DirectoryIDs, o.DirID) }

// Plan looks the provider up by name. Read-only.
func (o *IdPObject) Plan(ctx context.Context) ([]plan.Change, error) {
	p, err := o.find(ctx)
	switch {
	case err != nil:
		return nil, err
	case p == nil:
		return []plan.Change{{Object: o.Object(), Action: plan.Create, Fields: []plan.FieldChange{{Path: "type", New: "OIDC"},
			{Path: "configuration_url", New: o.Spec.ConfigurationURL}, {Path: "client_id", New: o.Spec.ClientID}}}}, nil
	case !o.serves(p):
		return []plan.Change{{Object: o.Object(), Action: plan.Update, Fields: []plan.FieldChange{{Path: "directory_ids", Old: strings.Join(p.DirectoryIDs, ","), New: o.DirID}}}}, nil
	case o.Always:
		return []plan.Change{{Object: o.Object(), Action: plan.Update, Note: "the settings and client secret are sent again"}}, nil
	}
	return []plan.Change{{Object: o.Object(), Action: plan.NoOp}}, nil
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
		if o.serves(p) && !o.Always {
			return res, nil // exists and serves the directory: nothing to write (the secret is not readable to compare)
		}
	}
	secret, err := o.secret()
	if err != nil {
		return res, err
	}
	s := o.Spec
	s.ClientSecret = secret
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
	switch {
	case err != nil:
		ck.Detail, ck.Fix = err.Error(), setup.FixOf(err)
	case p == nil:
		ck.Detail, ck.Fix = "not found", "flowsctl apply --only identity.idp"
	case !strings.EqualFold(p.Type, "OIDC"):
		ck.Detail, ck.Fix = "type is "+p.Type, "rename or remove it in the console (Integrations > Identity Services > Identity providers), then flowsctl apply --only identity.idp"
	case !o.serves(p):
		ck.Detail, ck.Fix = "not linked to the directory", "flowsctl apply --only identity.idp"
	default:
		ck.Status, ck.Detail = doctor.Pass, "id "+p.ID
	}
	return []doctor.Check{ck}
}
