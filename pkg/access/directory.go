package access

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// Directory types Access reports.
const (
	TypeOther = "OTHER_DIRECTORY"
	TypeJIT   = "JIT_DIRECTORY"
)

// Directory is one item of GET connectormanagement/directoryconfigs.
type Directory struct {
	DirectoryID                 string `json:"directoryId" yaml:"directoryId"`
	Name                        string `json:"name" yaml:"name"`
	Type                        string `json:"type" yaml:"type"`
	UserstoreID                 string `json:"userstoreId,omitempty" yaml:"userstoreId,omitempty"`
	CountDomains                int    `json:"countDomains" yaml:"countDomains"`
	DeleteInProgress            bool   `json:"deleteInProgress" yaml:"deleteInProgress"`
	MigratedToEnterpriseService bool   `json:"migratedToEnterpriseService" yaml:"migratedToEnterpriseService"`
	SyncConfigurationEnabled    bool   `json:"syncConfigurationEnabled" yaml:"syncConfigurationEnabled"`
	// Domains is filled from /{id}/domains by flowsctl (not part of the list item).
	Domains []string `json:"domains,omitempty" yaml:"domains,omitempty"`
}

// CreatedDirectory is the answer to a directory create.
type CreatedDirectory struct {
	DirectoryConfigurationID string   `json:"directoryConfigurationId" yaml:"directoryConfigurationId"`
	UserStoreID              string   `json:"userStoreId" yaml:"userStoreId"`
	Name                     string   `json:"name" yaml:"name"`
	Type                     string   `json:"type" yaml:"type"`
	Domains                  []string `json:"domains" yaml:"domains"`
}

const dirPath = "connectormanagement/directoryconfigs"

func directoryObject(name string) string { return fmt.Sprintf("directory %q", name) }

// ListDirectories reads every directory, JIT directories included.
func (c *Client) ListDirectories(ctx context.Context) ([]Directory, error) {
	return listItems[Directory](ctx, c, call{method: http.MethodGet, path: dirPath, query: url.Values{"includeJitDirectories": {"true"}},
		accept: mtDirectoryList, object: "directories"})
}

// DirectoryDomains reads GET directoryconfigs/{id}/domains. Items may be strings or objects
// with a name; both are accepted.
func (c *Client) DirectoryDomains(ctx context.Context, id string) ([]string, error) {
	obj := "domains of directory " + id
	items, err := listItems[json.RawMessage](ctx, c, call{method: http.MethodGet, path: dirPath + "/" + url.PathEscape(id) + "/domains", accept: mtDirectoryDomain, object: obj})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
			continue
		}
		var o map[string]any
		if json.Unmarshal(it, &o) == nil {
			for _, k := range []string{"name", "domainName", "domain"} {
				if v, ok := o[k].(string); ok && v != "" {
					out = append(out, v)
					break
				}
			}
		}
	}
	return out, nil
}

// CreateOtherDirectory creates a directory of type Other (Content-Type ...directory.other+json).
func (c *Client) CreateOtherDirectory(ctx context.Context, name string, domains []string) (*CreatedDirectory, error) {
	body := map[string]any{"type": TypeOther, "domains": domains, "name": name}
	resp, err := c.must(ctx, call{method: http.MethodPost, path: dirPath, accept: mtDirectoryOther, ctype: mtDirectoryOther, body: body, object: directoryObject(name)})
	if err != nil {
		return nil, err
	}
	var d CreatedDirectory
	json.Unmarshal(resp.body, &d)
	return &d, nil
}

const directoryFix = "flowsctl access directory create"

var _ object.Object = (*DirectoryResource)(nil)

// DirectoryResource ensures access.directory: a directory of type Other with its domains.
type DirectoryResource struct {
	c    *Client
	Spec DirectorySpec
}

// NewDirectoryResource reads access.directory.
func NewDirectoryResource(c *Client, cfg *config.Config) (*DirectoryResource, error) {
	s, err := DirectorySpecFrom(cfg)
	if err != nil {
		return nil, err
	}
	return &DirectoryResource{c: c, Spec: s}, nil
}

// Object names the directory in plans and checks.
func (r *DirectoryResource) Object() string { return directoryObject(r.Spec.Name) }

// DomainConflictError is a wanted domain that already belongs to another directory.
type DomainConflictError struct {
	Directory string // the directory being ensured
	Domain    string
	Other     Directory
}

func (e *DomainConflictError) Error() string {
	kind := e.Other.Type
	if kind == TypeJIT {
		kind = "Just-in-Time (JIT)"
	}
	return fmt.Sprintf("access: directory %q: domain %q already belongs to directory %q (type %s). "+
		"Okta would then fail with \"USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID\": users are provisioned "+
		"into the directory that owns their domain, and only a directory of type Other accepts them; a domain used for "+
		"Just-in-Time users belongs to the JIT directory. Fix: pick a domain no other directory uses, set it in "+
		"access.directory.domains and in Okta's domain attribute mapping, then run: flowsctl access directory create",
		e.Directory, e.Domain, e.Other.Name, kind)
}

// MissingDomainsError is an existing directory that lacks wanted domains.
type MissingDomainsError struct {
	Directory string
	Missing   []string
}

func (e *MissingDomainsError) Error() string {
	return fmt.Sprintf("access: directory %q exists without domain(s) %s and Access has no API to add a domain to it. "+
		"Fix: add them in the Access console (Identity & Access Management > Directories > %s), or delete the directory "+
		"and run: flowsctl access directory create", e.Directory, strings.Join(e.Missing, ", "), e.Directory)
}

// WrongTypeError is a directory with the wanted name but not of type Other.
type WrongTypeError struct {
	Directory Directory
}

func (e *WrongTypeError) Error() string {
	return fmt.Sprintf("access: directory %q exists with type %s, not %s: Okta can only provision into a directory of type Other. "+
		"Fix: choose another access.directory.name and run: flowsctl access directory create", e.Directory.Name, e.Directory.Type, TypeOther)
}

// observed is what the tenant holds for this directory.
type observed struct {
	mine      *Directory
	conflicts []*DomainConflictError
	missing   []string
}

func (r *DirectoryResource) observe(ctx context.Context) (*observed, error) {
	dirs, err := r.c.ListDirectories(ctx)
	if err != nil {
		return nil, err
	}
	ob := &observed{}
	for i := range dirs {
		d := &dirs[i]
		if d.DeleteInProgress {
			continue
		}
		doms, err := r.c.DirectoryDomains(ctx, d.DirectoryID)
		if err != nil {
			return nil, err
		}
		d.Domains = doms
		if strings.EqualFold(d.Name, r.Spec.Name) && ob.mine == nil {
			ob.mine = d
			continue
		}
		for _, want := range r.Spec.Domains {
			for _, have := range doms {
				if strings.EqualFold(want, have) {
					ob.conflicts = append(ob.conflicts, &DomainConflictError{Directory: r.Spec.Name, Domain: want, Other: *d})
				}
			}
		}
	}
	if ob.mine != nil {
		for _, want := range r.Spec.Domains {
			if !containsFold(ob.mine.Domains, want) {
				ob.missing = append(ob.missing, want)
			}
		}
	}
	return ob, nil
}

func (ob *observed) err() error {
	if len(ob.conflicts) > 0 {
		return ob.conflicts[0]
	}
	return nil
}

// Plan reads the directories and reports what Apply would do. A domain owned by another
// directory is an error (the Okta SCIM to Access guide's explanation and fix).
func (r *DirectoryResource) Plan(ctx context.Context) (cs []plan.Change, err error) {
	defer withFix(&err, directoryFix)
	ob, err := r.observe(ctx)
	if err != nil {
		return nil, err
	}
	if err := ob.err(); err != nil {
		return nil, err
	}
	if ob.mine == nil {
		return []plan.Change{{Object: r.Object(), Action: plan.Create, Fields: []plan.FieldChange{
			{Path: "type", New: TypeOther}, {Path: "domains", New: strings.Join(r.Spec.Domains, ", ")}}}}, nil
	}
	if ob.mine.Type != TypeOther {
		return nil, &WrongTypeError{Directory: *ob.mine}
	}
	if len(ob.missing) > 0 {
		return []plan.Change{{Object: r.Object(), Action: plan.Operator,
			Fields: []plan.FieldChange{{Path: "domains", Old: strings.Join(ob.mine.Domains, ", "), New: strings.Join(r.Spec.Domains, ", ")}},
			Note:   (&MissingDomainsError{Directory: r.Spec.Name, Missing: ob.missing}).Error()}}, nil
	}
	return []plan.Change{{Object: r.Object(), Action: plan.NoOp}}, nil
}

// Apply creates the directory of type Other when no directory has its name.
func (r *DirectoryResource) Apply(ctx context.Context) (res object.Result, err error) {
	defer withFix(&err, directoryFix)
	res = object.Result{Object: r.Object(), Kind: "directory", Key: r.Spec.Name, Action: plan.NoOp}
	ob, err := r.observe(ctx)
	if err != nil {
		return res, err
	}
	if err := ob.err(); err != nil {
		return res, err
	}
	if ob.mine != nil {
		res.ID = ob.mine.DirectoryID
		if ob.mine.Type != TypeOther {
			return res, &WrongTypeError{Directory: *ob.mine}
		}
		if len(ob.missing) > 0 {
			return res, &MissingDomainsError{Directory: r.Spec.Name, Missing: ob.missing}
		}
		return res, nil
	}
	// A lost answer is resolved by looking the directory up, never by a blind second POST.
	d, _, err := httpx.CreateChecked(ctx, r.c.hc, transient,
		func() (*CreatedDirectory, error) {
			ob, err := r.observe(ctx)
			if err != nil || ob.mine == nil {
				return nil, err
			}
			return &CreatedDirectory{DirectoryConfigurationID: ob.mine.DirectoryID}, nil
		},
		func() (*CreatedDirectory, error) { return r.c.CreateOtherDirectory(ctx, r.Spec.Name, r.Spec.Domains) })
	if err != nil {
		return res, err
	}
	res.Action, res.ID = plan.Create, d.DirectoryConfigurationID
	res.Fields = []plan.FieldChange{{Path: "type", New: TypeOther}, {Path: "domains", New: strings.Join(r.Spec.Domains, ", ")}}
	return res, nil
}

// Verify checks the directory exists with type OTHER_DIRECTORY, holds each domain, and no
// other directory claims one of them.
func (r *DirectoryResource) Verify(ctx context.Context) []doctor.Check {
	const fix = directoryFix
	id, name := "access.directory", "Access directory "+r.Spec.Name
	ob, err := r.observe(ctx)
	if err != nil {
		return []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Fail, Detail: err.Error(), Fix: fixFor(err, fix)}}
	}
	uc := doctor.Check{ID: id + ".unique", Title: name + " domains belong to no other directory", Status: doctor.Pass}
	if c := ob.err(); c != nil {
		uc.Status, uc.Detail = doctor.Fail, c.Error()
		uc.Fix = "choose a domain no other directory uses in access.directory.domains, then: " + fix
	}
	if ob.mine == nil {
		return []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Fail, Detail: "no directory named " + r.Spec.Name, Fix: fix}, uc}
	}
	out := []doctor.Check{{ID: id, Title: name + " exists", Status: doctor.Pass, Detail: "id " + ob.mine.DirectoryID}}
	tc := doctor.Check{ID: id + ".type", Title: name + " is of type Other", Status: doctor.Pass, Detail: "type " + ob.mine.Type}
	if ob.mine.Type != TypeOther {
		tc.Status, tc.Fix = doctor.Fail, (&WrongTypeError{Directory: *ob.mine}).Error()
	}
	dc := doctor.Check{ID: id + ".domains", Title: name + " has the configured domains", Status: doctor.Pass,
		Detail: "domains: " + strings.Join(ob.mine.Domains, ", ")}
	if len(ob.missing) > 0 {
		dc.Status = doctor.Fail
		dc.Detail = fmt.Sprintf("domains are %s, missing %s (Okta's domain attribute must equal one of them)", strings.Join(ob.mine.Domains, ", "), strings.Join(ob.missing, ", "))
		dc.Fix = "add the domain in Identity & Access Management > Directories > " + r.Spec.Name
	}
	return append(out, tc, dc, uc)
}

func containsFold(xs []string, x string) bool {
	for _, v := range xs {
		if strings.EqualFold(v, x) {
			return true
		}
	}
	return false
}
