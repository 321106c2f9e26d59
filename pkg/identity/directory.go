package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
	"github.com/flowsctl/flowsctl/pkg/setup"
)

// Directory is an Identity Services directory.
type Directory struct {
	ID               string         `json:"id,omitempty"`
	Name             string         `json:"name"`
	Domains          []string       `json:"domains"`
	DefaultDomain    string         `json:"default_domain,omitempty"`
	Source           string         `json:"source,omitempty"`
	Type             string         `json:"type,omitempty"`
	Attributes       map[string]any `json:"attributes,omitempty"`
	DeleteInProgress bool           `json:"delete_in_progress,omitempty"`
}

// Domain is the directory's one domain.
func (d *Directory) Domain() string {
	if d.DefaultDomain != "" {
		return d.DefaultDomain
	}
	if len(d.Domains) > 0 {
		return d.Domains[0]
	}
	return ""
}

// ValidateDirectoryName applies the console's rule: at most 128 characters of letters, digits,
// space, '-' and '_'.
func ValidateDirectoryName(name string) error {
	if name == "" {
		return errors.New("identityServices.directory.name is empty")
	}
	if len(name) > 128 {
		return fmt.Errorf("directory name %q is %d characters long: at most 128 are allowed", name, len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_') {
			return fmt.Errorf("directory name %q has %q: only letters, digits, space, hyphen (-) and underscore (_) are allowed", name, r)
		}
	}
	return nil
}

const dirPath = "/usergroup/broker/directories"

func dirObject(name string) string { return fmt.Sprintf("directory %q", name) }

// Directories lists every directory.
func (c *Client) Directories(ctx context.Context) ([]Directory, error) {
	var out struct {
		Items []Directory `json:"items"`
	}
	err := c.do(ctx, http.MethodGet, dirPath, nil, nil, &out, "directories")
	return out.Items, err
}

// Directory reads one directory (with default_domain).
func (c *Client) Directory(ctx context.Context, id string) (*Directory, error) {
	var d Directory
	if err := c.do(ctx, http.MethodGet, dirPath+"/"+url.PathEscape(id), nil, nil, &d, dirObject(id)); err != nil {
		return nil, err
	}
	return &d, nil
}

// FindDirectory finds a directory by name (case-insensitive) and reads it in full; nil when
// absent.
func (c *Client) FindDirectory(ctx context.Context, name string) (*Directory, error) {
	ds, err := c.Directories(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if strings.EqualFold(ds[i].Name, name) {
			if full, err := c.Directory(ctx, ds[i].ID); err == nil {
				return full, nil
			}
			return &ds[i], nil
		}
	}
	return nil, nil
}

// CreateDirectory creates a PROVISIONED directory with one domain.
func (c *Client) CreateDirectory(ctx context.Context, name, domain, source string) (*Directory, error) {
	if err := ValidateDirectoryName(name); err != nil {
		return nil, err
	}
	if domain == "" || strings.ContainsAny(domain, " ,;") {
		return nil, fmt.Errorf("directory %q: domain %q must be one domain name (Identity Services supports one domain per directory)", name, domain)
	}
	if source == "" {
		source = "OKTA"
	}
	body := map[string]any{"name": name, "domains": []string{domain}, "default_domain": domain, "source": strings.ToUpper(source),
		"type": "PROVISIONED", "attributes": map[string]any{"attemptDecodeExternalIdAsMSGuid": false}}
	var d Directory
	if err := c.do(ctx, http.MethodPost, dirPath, nil, body, &d, dirObject(name)); err != nil {
		if IsConflict(err) {
			return nil, fmt.Errorf("%w (a directory with this name or domain %q exists: list them with `flowsctl identity directory list`; a domain can belong to one directory only)", err, domain)
		}
		return nil, err
	}
	return &d, nil
}

// DeleteDirectory starts the asynchronous delete (202); it also removes the directory's
// sync clients, users and groups.
func (c *Client) DeleteDirectory(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, dirPath+"/"+url.PathEscape(id), nil, nil, nil, dirObject(id))
}

// DirectoryObject is identityServices.directory: a PROVISIONED directory found by its name,
// with one domain (a directory keeps the domain it was created with).
type DirectoryObject struct {
	c                    *Client
	Name, Domain, Source string

	mu    sync.Mutex
	found *Directory
}

var _ object.Object = (*DirectoryObject)(nil)

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
func (o *DirectoryObject) Object() string { return "Identity Services directory " + fmt.Sprintf("%q", o.Name) }

// Found is the directory as last read (nil before a look-up or when absent).
func (o *DirectoryObject) Found() *Directory {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.found
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
		d, _, err = httpx.CreateChecked(ctx, o.c.hc, transient,
			func() (*Directory, error) { return o.c.FindDirectory(ctx, o.Name) },
			func() (*Directory, error) { return o.c.CreateDirectory(ctx, o.Name, o.Domain, o.Source) })
		if err != nil {
			return res, setup.Errorf(o.Object(), err, "flowsctl identity directory create")
		}
		o.mu.Lock()
		o.found = d
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
