package access

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Template is an OAuth2 app template (/oauth2apptemplates). TTLs are minutes on the wire; the
// token length field is "length", not "tokenLength".
type Template struct {
	AppProductID        string `json:"appProductId" yaml:"appProductId"`
	ResourceUUID        string `json:"resourceUuid,omitempty" yaml:"resourceUuid,omitempty"`
	Scope               string `json:"scope" yaml:"scope"`
	AuthGrantTypes      string `json:"authGrantTypes" yaml:"authGrantTypes"`
	RedirectURI         string `json:"redirectUri" yaml:"redirectUri"`
	TokenType           string `json:"tokenType" yaml:"tokenType"`
	Length              int    `json:"length" yaml:"length"`
	AccessTokenTTL      int64  `json:"accessTokenTTL" yaml:"accessTokenTTL"`
	RefreshTokenTTL     int64  `json:"refreshTokenTTL" yaml:"refreshTokenTTL"`
	RefreshTokenIdleTTL int64  `json:"refreshTokenIdleTTL" yaml:"refreshTokenIdleTTL"`
	DisplayUserGrant    bool   `json:"displayUserGrant" yaml:"displayUserGrant"`
}

func templateObject(id string) string { return fmt.Sprintf("template %q", id) }

// GetTemplate reads a template; (nil, nil, nil) when it does not exist. raw holds every field
// the server sent, so an update can send back the fields flowsctl does not manage.
func (c *Client) GetTemplate(ctx context.Context, id string) (*Template, map[string]any, error) {
	return getItem[Template](ctx, c, call{method: http.MethodGet, path: "oauth2apptemplates/" + url.PathEscape(id),
		accept: mtTemplate, object: templateObject(id)})
}

// ListTemplates reads every OAuth2 app template.
func (c *Client) ListTemplates(ctx context.Context) ([]Template, error) {
	return listItems[Template](ctx, c, call{method: http.MethodGet, path: "oauth2apptemplates", accept: mtTemplateList, object: "templates"})
}

// CreateTemplate posts a new template.
func (c *Client) CreateTemplate(ctx context.Context, t Template) error {
	_, err := c.must(ctx, call{method: http.MethodPost, path: "oauth2apptemplates", accept: mtTemplate, ctype: mtTemplate,
		body: t, object: templateObject(t.AppProductID)})
	return err
}

// UpdateTemplate replaces a template with body (a Template or a merged raw map).
func (c *Client) UpdateTemplate(ctx context.Context, id string, body any) error {
	_, err := c.must(ctx, call{method: http.MethodPut, path: "oauth2apptemplates/" + url.PathEscape(id), accept: mtTemplate,
		ctype: mtTemplate, body: body, object: templateObject(id)})
	return err
}

const templateFix = "flowsctl access template apply"

var _ object.Object = (*TemplateResource)(nil)

// TemplateResource ensures access.mobileFlowsTemplate (MobileFlows_Server_Template).
type TemplateResource struct {
	c    *Client
	Spec TemplateSpec
}

// NewTemplateResource reads the wanted template from cfg (the Teams mobile flows guide's defaults).
func NewTemplateResource(c *Client, cfg *config.Config) (*TemplateResource, error) {
	var t config.MobileFlowsTemplate
	if cfg != nil && cfg.Access != nil {
		t = cfg.Access.MobileFlowsTemplate
	}
	s := TemplateSpecFrom(t)
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &TemplateResource{c: c, Spec: s}, nil
}

// Object names the template in plans and checks.
func (r *TemplateResource) Object() string { return templateObject(r.Spec.AppProductID) }

// templateDiff lists the differing managed fields; TTLs show minutes and a duration.
func templateDiff(have *Template, want Template) plan.Diff {
	var d plan.Diff
	if have == nil {
		have = &Template{}
	}
	if !sameSet(have.Scope, want.Scope) {
		d.Add("scope", have.Scope, want.Scope)
	}
	if !sameSet(have.AuthGrantTypes, want.AuthGrantTypes) {
		d.Add("authGrantTypes", have.AuthGrantTypes, want.AuthGrantTypes)
	}
	if !sameSet(have.RedirectURI, want.RedirectURI) {
		d.Add("redirectUri", have.RedirectURI, want.RedirectURI)
	}
	d.Add("tokenType", have.TokenType, want.TokenType)
	d.Add("length", have.Length, want.Length)
	if have.AccessTokenTTL != want.AccessTokenTTL {
		d.Add("accessTokenTTL", ttl(have.AccessTokenTTL), ttl(want.AccessTokenTTL))
	}
	if have.RefreshTokenTTL != want.RefreshTokenTTL {
		d.Add("refreshTokenTTL", ttl(have.RefreshTokenTTL), ttl(want.RefreshTokenTTL))
	}
	if have.RefreshTokenIdleTTL != want.RefreshTokenIdleTTL {
		d.Add("refreshTokenIdleTTL", ttl(have.RefreshTokenIdleTTL), ttl(want.RefreshTokenIdleTTL))
	}
	d.Add("displayUserGrant", have.DisplayUserGrant, want.DisplayUserGrant)
	return d
}

// createFields are the fields of a diff against nothing, as a create sets them (no old values).
func createFields(d plan.Diff) plan.Diff {
	for i := range d {
		d[i].Old = ""
	}
	return d
}

// Plan reads the template and reports what Apply would do. Read-only.
func (r *TemplateResource) Plan(ctx context.Context) ([]plan.Change, error) {
	have, _, err := r.c.GetTemplate(ctx, r.Spec.AppProductID)
	if err != nil {
		return nil, fixed(err, templateFix)
	}
	want := r.Spec.Wire()
	if have == nil {
		return []plan.Change{{Object: r.Object(), Action: plan.Create, Fields: createFields(templateDiff(nil, want))}}, nil
	}
	if d := templateDiff(have, want); len(d) > 0 {
		return []plan.Change{{Object: r.Object(), Action: plan.Update, Fields: d}}, nil
	}
	return []plan.Change{{Object: r.Object(), Action: plan.NoOp}}, nil
}

// Apply creates the template when missing (GET 404 -> POST) and puts it back when a managed
// field differs (fields flowsctl does not manage are sent back unchanged).
func (r *TemplateResource) Apply(ctx context.Context) (res object.Result, err error) {
	defer withFix(&err, templateFix)
	res = object.Result{Object: r.Object(), Kind: "oauth2apptemplate", Key: r.Spec.AppProductID, Action: plan.NoOp}
	have, raw, err := r.c.GetTemplate(ctx, r.Spec.AppProductID)
	if err != nil {
		return res, err
	}
	want := r.Spec.Wire()
	if have == nil {
		// A lost answer is resolved by looking the template up, never by a blind second POST.
		_, adopted, err := httpx.CreateChecked(ctx, r.c.hc, transient,
			func() (*Template, error) { t, _, err := r.c.GetTemplate(ctx, r.Spec.AppProductID); return t, err },
			func() (*Template, error) { return &want, r.c.CreateTemplate(ctx, want) })
		if err != nil {
			return res, err
		}
		res.Action, res.Fields = plan.Create, createFields(templateDiff(nil, want))
		if adopted {
			res.Note = "the create's answer was lost; the template was found afterwards"
		}
		return res, nil
	}
	d := templateDiff(have, want)
	if len(d) == 0 {
		return res, nil
	}
	body := mergeRaw(raw, want)
	if err := r.c.UpdateTemplate(ctx, r.Spec.AppProductID, body); err != nil {
		return res, err
	}
	res.Action, res.Fields = plan.Update, d
	return res, nil
}

// Verify checks that the template exists and each managed field matches.
func (r *TemplateResource) Verify(ctx context.Context) []doctor.Check {
	const fix = templateFix
	id := "access.template"
	have, _, err := r.c.GetTemplate(ctx, r.Spec.AppProductID)
	if err != nil {
		return []doctor.Check{{ID: id, Title: "Access template " + r.Spec.AppProductID + " exists", Status: doctor.Fail,
			Detail: err.Error(), Fix: fixFor(err, fix)}}
	}
	if have == nil {
		return []doctor.Check{{ID: id, Title: "Access template " + r.Spec.AppProductID + " exists", Status: doctor.Fail,
			Detail: "not found in Catalog > Settings > Remote App Access > Templates", Fix: fix}}
	}
	out := []doctor.Check{{ID: id, Title: "Access template " + r.Spec.AppProductID + " exists", Status: doctor.Pass}}
	want := r.Spec.Wire()
	diff := map[string]plan.FieldChange{}
	for _, f := range templateDiff(have, want) {
		diff[f.Path] = f
	}
	for _, f := range []string{"scope", "authGrantTypes", "redirectUri", "tokenType", "length", "accessTokenTTL", "refreshTokenTTL", "refreshTokenIdleTTL", "displayUserGrant"} {
		c := doctor.Check{ID: id + "." + f, Title: "Access template " + r.Spec.AppProductID + " " + f + " as configured", Status: doctor.Pass}
		if fc, bad := diff[f]; bad {
			c.Status = doctor.Fail
			c.Detail = fmt.Sprintf("%s is %s, want %s", f, fc.Old, fc.New)
			c.Fix = fix
		}
		out = append(out, c)
	}
	return out
}

// mergeRaw overlays the managed fields of v on the server's raw object.
func mergeRaw(raw map[string]any, v any) map[string]any {
	out := map[string]any{}
	for k, x := range raw {
		out[k] = x
	}
	if v != nil {
		b, _ := json.Marshal(v)
		var m map[string]any
		json.Unmarshal(b, &m)
		for k, x := range m {
			out[k] = x
		}
	}
	delete(out, "_links")
	return out
}

// fixFor picks the fix for an error: authentication problems point at access.auth.
func fixFor(err error, def string) string {
	if httpx.IsAuth(err) {
		return "check access.auth (client id, secret, scope admin) in flowsctl.yaml; run: flowsctl doctor --only access"
	}
	return def
}
