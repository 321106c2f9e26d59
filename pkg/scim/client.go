package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// Options configure a Client.
type Options struct {
	Dialect Dialect
	Tokens  TokenSource
	// Domain is the Access workspace extension domain put on users and groups the client
	// creates when they name none (the directory of type Other's domain).
	Domain string
	// DirectoryID is the Identity Services directory the token belongs to ("" unknown): syncs
	// and prunes touch only users and groups that report it.
	DirectoryID string
	// MethodOverride sends Access PATCHes as POST + X-HTTP-Method-Override: PATCH (priam's form).
	MethodOverride bool
	// PageSize is the count of list requests (default 100, Okta's page size).
	PageSize int
}

// Client is a SCIM client bound to one base URL and dialect. Safe for concurrent use.
type Client struct {
	hc   *httpx.Client
	base string
	o    Options

	spcMu sync.Mutex
	spc   *ServiceProviderConfig
}

// New returns a client for base (e.g. https://tenant/usergroup/scim/v2 or
// https://tenant/SAAS/jersey/manager/api/scim).
func New(hc *httpx.Client, base string, o Options) *Client {
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	return &Client{hc: hc, base: strings.TrimRight(base, "/"), o: o}
}

// Base is the SCIM base URL.
func (c *Client) Base() string { return c.base }

// Dialect is the wire dialect.
func (c *Client) Dialect() Dialect { return c.o.Dialect }

// Domain is the default Access domain.
func (c *Client) Domain() string { return c.o.Domain }

// DirectoryID is the Identity Services directory of the client's token ("" unknown).
func (c *Client) DirectoryID() string { return c.o.DirectoryID }

func (c *Client) mediaType() string {
	if c.o.Dialect == Access11 {
		return "application/json"
	}
	return "application/scim+json"
}

// Response is a raw answer, for the conformance checks.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request is one call.
type request struct {
	method  string
	path    string // under base, starting with /
	query   url.Values
	body    any
	object  string
	ifMatch string
	token   *string // override the token ("" sends no Authorization)
}

// Raw performs a request and returns any answer without turning statuses into errors.
// token, when not nil, replaces the client's token ("" = no Authorization header).
func (c *Client) Raw(ctx context.Context, method, path string, query url.Values, body any, token *string) (*Response, error) {
	return c.send(ctx, request{method: method, path: path, query: query, body: body, token: token})
}

func (c *Client) send(ctx context.Context, r request) (*Response, error) {
	resp, err := c.open(ctx, r)
	if err != nil {
		return nil, err
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// open sends r and returns the answer with its body unread (the caller closes it).
func (c *Client) open(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return nil, err
		}
	}
	method := r.method
	if method == http.MethodPatch && c.o.Dialect == Access11 && c.o.MethodOverride {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.Body = nil
	}
	if method != r.method {
		req.Header.Set("X-HTTP-Method-Override", r.method)
	}
	mt := c.mediaType()
	req.Header.Set("Accept", mt+", application/json;q=0.9")
	if body != nil {
		req.Header.Set("Content-Type", mt)
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	var tok string
	if r.token != nil {
		tok = *r.token
	} else if c.o.Tokens != nil {
		t, err := c.o.Tokens.Token(ctx)
		if err != nil {
			return nil, err
		}
		tok = t.Value
	}
	if tok != "" {
		c.hc.AddSecret(tok)
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	// Creates are made safe to retry by 409 -> look up and adopt; PATCHes set or add values.
	if r.method == http.MethodPost || r.method == http.MethodPatch {
		req = httpx.RetrySafe(req)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", describe(r), err)
	}
	return resp, nil
}

func describe(r request) string {
	if r.object != "" {
		return r.object
	}
	return r.method + " " + r.path
}

// do sends r and turns a non-2xx answer into *httpx.APIError.
func (c *Client) do(ctx context.Context, r request, out any) (*Response, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 300 {
		e := parseError(r.method, c.base+r.path, resp.Status, resp.Header, resp.Body)
		e.Object = r.object
		return resp, e
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) == 0 && resp.Status != http.StatusNoContent {
		return resp, fmt.Errorf("%s: %s %s answered %d with an empty body (want a SCIM resource): is the URL the tenant's SCIM endpoint?", describe(r), r.method, c.base+r.path, resp.Status)
	}
	if out != nil && len(bytes.TrimSpace(resp.Body)) > 0 {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, fmt.Errorf("%s: %s %s answered %d with a body that is not SCIM JSON: %v", describe(r), r.method, c.base+r.path, resp.Status, err)
		}
	}
	return resp, nil
}

// ServiceProviderConfig fetches (once) and caches /ServiceProviderConfig. Access has none:
// its dialect's features are fixed (PATCH yes, ETag no).
func (c *Client) ServiceProviderConfig(ctx context.Context) (*ServiceProviderConfig, error) {
	c.spcMu.Lock()
	defer c.spcMu.Unlock()
	if c.spc != nil {
		return c.spc, nil
	}
	if c.o.Dialect == Access11 {
		c.spc = &ServiceProviderConfig{Patch: true, Filter: true}
		return c.spc, nil
	}
	var raw map[string]any
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/ServiceProviderConfig", object: "service provider config"}, &raw); err != nil {
		return nil, err
	}
	spc := &ServiceProviderConfig{Raw: raw}
	sup := func(k string) bool {
		m, _ := raw[k].(map[string]any)
		b, _ := m["supported"].(bool)
		return b
	}
	spc.Patch, spc.ETag, spc.Filter, spc.Bulk = sup("patch"), sup("etag"), sup("filter"), sup("bulk")
	if m, ok := raw["filter"].(map[string]any); ok {
		if n, ok := m["maxResults"].(float64); ok {
			spc.MaxResults = int(n)
		}
	}
	c.spc = spc
	return spc, nil
}

// ListOptions shape a list request.
type ListOptions struct {
	Filter             Filter
	PageSize           int
	Attributes         []string
	ExcludedAttributes []string
}

// pages iterates the raw resources of a collection: 1-based startIndex, advancing by what
// each page held (servers may return fewer than count), ending on an empty page or past
// totalResults.
func (c *Client) pages(ctx context.Context, path string, o ListOptions) iter.Seq2[json.RawMessage, error] {
	return func(yield func(json.RawMessage, error) bool) {
		if err := o.Filter.CheckDialect(c.o.Dialect); err != nil {
			yield(nil, err)
			return
		}
		n := o.PageSize
		if n <= 0 {
			n = c.o.PageSize
		}
		start := 1
		for {
			q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(n)}}
			if !o.Filter.IsZero() {
				q.Set("filter", o.Filter.String())
			}
			if len(o.Attributes) > 0 {
				q.Set("attributes", strings.Join(o.Attributes, ","))
			}
			if len(o.ExcludedAttributes) > 0 {
				q.Set("excludedAttributes", strings.Join(o.ExcludedAttributes, ","))
			}
			pi, stopped, err := c.page(ctx, path, q, start, yield)
			if err != nil {
				// Okta accepts 404 for "no match" on a filtered list; so do we.
				if IsNotFound(err) && !o.Filter.IsZero() {
					return
				}
				yield(nil, err)
				return
			}
			if stopped || pi.count == 0 {
				return
			}
			start += pi.count
			if pi.total > 0 && start > pi.total {
				return
			}
			if pi.total == 0 && pi.count < n {
				return
			}
		}
	}
}

// page reads one list page at start and yields its resources as they are decoded; a non-2xx
// answer is the API error, read whole (error bodies are small and capped).
func (c *Client) page(ctx context.Context, path string, q url.Values, start int, yield func(json.RawMessage, error) bool) (pageInfo, bool, error) {
	coll := strings.TrimPrefix(path, "/")
	r := request{method: http.MethodGet, path: path, query: q, object: "list " + coll}
	resp, err := c.open(ctx, r)
	if err != nil {
		return pageInfo{}, false, err
	}
	if resp.StatusCode >= 300 {
		b, err := httpx.ReadBody(resp)
		if err != nil {
			return pageInfo{}, false, err
		}
		e := parseError(r.method, c.base+path, resp.StatusCode, resp.Header, b)
		e.Object = r.object
		return pageInfo{}, false, e
	}
	defer resp.Body.Close()
	pi, stopped, err := decodePage(resp.Body, coll, start, MaxResource, func(raw json.RawMessage) bool { return yield(raw, nil) })
	if err != nil {
		return pi, false, fmt.Errorf("GET %s: %w", c.base+path, err)
	}
	if !pi.hasList {
		return pi, false, fmt.Errorf("list %s: GET %s answered %d with JSON that is not a SCIM ListResponse (no totalResults, no Resources): is the URL the tenant's SCIM endpoint?",
			coll, c.base+path, resp.StatusCode)
	}
	return pi, stopped, nil
}

// Users lists users matching o.Filter, page by page.
func (c *Client) Users(ctx context.Context, o ListOptions) iter.Seq2[User, error] {
	return listed(c.pages(ctx, "/Users", o), "list Users: a resource is not a SCIM user", (*wireUser).user)
}

// Groups lists groups matching o.Filter, page by page.
func (c *Client) Groups(ctx context.Context, o ListOptions) iter.Seq2[Group, error] {
	return listed(c.pages(ctx, "/Groups", o), "list Groups: a resource is not a SCIM group", (*wireGroup).group)
}

// getOne sends k and converts the W it answers.
func getOne[W, T any](ctx context.Context, c *Client, k request, conv func(*W) T) (*T, error) {
	var w W
	if _, err := c.do(ctx, k, &w); err != nil {
		return nil, err
	}
	v := conv(&w)
	return &v, nil
}

// listed decodes each resource of pages as a W and yields it converted; a resource that does
// not decode ends the list with an error starting with what.
func listed[W, T any](pages iter.Seq2[json.RawMessage, error], what string, conv func(*W) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for raw, err := range pages {
			if err != nil {
				yield(zero, err)
				return
			}
			var w W
			if err := json.Unmarshal(raw, &w); err != nil {
				yield(zero, fmt.Errorf("%s: %v", what, err))
				return
			}
			if !yield(conv(&w), nil) {
				return
			}
		}
	}
}

// GetUser reads one user.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	return getOne(ctx, c, request{method: http.MethodGet, path: "/Users/" + url.PathEscape(id), object: "user " + strconv.Quote(id)}, (*wireUser).user)
}

// FindUser looks a user up by userName (case-insensitive on the server); nil when absent.
func (c *Client) FindUser(ctx context.Context, userName string) (*User, error) {
	for u, err := range c.Users(ctx, ListOptions{Filter: Eq("userName", userName), PageSize: 2}) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(u.UserName, userName) {
			return &u, nil
		}
	}
	return nil, nil
}

// userBody renders u for a create or replace in the client's dialect.
func (c *Client) userBody(u User) map[string]any {
	m := map[string]any{"userName": u.UserName, "active": u.Active}
	if u.ExternalID != "" {
		m["externalId"] = u.ExternalID
	}
	if u.Name != (Name{}) {
		m["name"] = u.Name
	}
	if u.DisplayName != "" {
		m["displayName"] = u.DisplayName
	}
	if len(u.Emails) > 0 {
		m["emails"] = u.Emails
	}
	if u.Password != "" {
		m["password"] = u.Password
	}
	if c.o.Dialect == Access11 {
		m["schemas"] = []string{SchemaCore1, SchemaWorkspace1}
		ext := map[string]any{"internalUserType": "PROVISIONED"}
		if u.InternalUserType != "" {
			ext["internalUserType"] = u.InternalUserType
		}
		d := u.Domain
		if d == "" {
			d = c.o.Domain
		}
		if d != "" {
			ext["domain"] = d
		}
		m[SchemaWorkspace1] = ext
	} else {
		m["schemas"] = []string{SchemaUser2}
	}
	return m
}

// CreateUser creates u. A 409 (the user exists) is answered by looking the user up by
// userName and adopting it: adopted is then true and the existing user is returned.
func (c *Client) CreateUser(ctx context.Context, u User) (out *User, adopted bool, err error) {
	var w wireUser
	obj := "create user " + strconv.Quote(u.UserName)
	_, err = c.do(ctx, request{method: http.MethodPost, path: "/Users", body: c.userBody(u), object: obj}, &w)
	if IsConflict(err) {
		ex, ferr := c.FindUser(ctx, u.UserName)
		if ferr != nil {
			return nil, false, fmt.Errorf("%w; looking up the existing user also failed: %v", err, ferr)
		}
		if ex == nil {
			return nil, false, fmt.Errorf("%w; but no user with userName %q is visible to this token (another directory owns it?)", err, u.UserName)
		}
		return ex, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	got := w.user()
	if got.ID == "" {
		return nil, false, fmt.Errorf("%s: POST %s/Users answered without the new user's id: is the URL the tenant's SCIM endpoint?", obj, c.base)
	}
	return &got, false, nil
}

// PatchUser sets attributes (keys as UserChanges returns them, dotted for sub-attributes).
// RFC 7644: one PatchOp replace per attribute, with If-Match when the server supports ETags and
// version is known. Access: a SCIM 1.1 partial resource (answered 204).
func (c *Client) PatchUser(ctx context.Context, id, version string, attrs map[string]any) error {
	obj := "update user " + strconv.Quote(id)
	if c.o.Dialect == Access11 {
		body := map[string]any{"schemas": []string{SchemaCore1}}
		for k, v := range attrs {
			if a, sub, ok := strings.Cut(k, "."); ok {
				m, _ := body[a].(map[string]any)
				if m == nil {
					m = map[string]any{}
					body[a] = m
				}
				m[sub] = v
				continue
			}
			body[k] = v
		}
		_, err := c.do(ctx, request{method: http.MethodPatch, path: "/Users/" + url.PathEscape(id), body: body, object: obj}, nil)
		return err
	}
	ops := make([]map[string]any, 0, len(attrs))
	for _, k := range sortedKeys(attrs) {
		ops = append(ops, map[string]any{"op": "replace", "path": k, "value": attrs[k]})
	}
	r := request{method: http.MethodPatch, path: "/Users/" + url.PathEscape(id), object: obj,
		body: map[string]any{"schemas": []string{SchemaPatch2}, "Operations": ops}}
	if version != "" {
		if spc, err := c.ServiceProviderConfig(ctx); err == nil && spc.ETag {
			r.ifMatch = version
		}
	}
	_, err := c.do(ctx, r, nil)
	return err
}

// SetActive activates or deactivates a user (Okta's deactivate shape on RFC servers).
func (c *Client) SetActive(ctx context.Context, id string, active bool) error {
	return c.PatchUser(ctx, id, "", map[string]any{"active": active})
}

// DeleteUser deletes a user; a 404 is an error (the caller decides whether it matters).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/Users/" + url.PathEscape(id), object: "delete user " + strconv.Quote(id)}, nil)
	return err
}

// GetGroup reads one group.
func (c *Client) GetGroup(ctx context.Context, id string) (*Group, error) {
	return getOne(ctx, c, request{method: http.MethodGet, path: "/Groups/" + url.PathEscape(id), object: "group " + strconv.Quote(id)}, (*wireGroup).group)
}

// FindGroups returns the groups named displayName (the RFC allows several).
func (c *Client) FindGroups(ctx context.Context, displayName string) ([]Group, error) {
	var out []Group
	for g, err := range c.Groups(ctx, ListOptions{Filter: Eq("displayName", displayName)}) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(g.DisplayName, displayName) {
			out = append(out, g)
		}
	}
	return out, nil
}

// CreateGroup creates g (with the Access domain extension in that dialect); 409 -> adopt the
// existing group of that displayName.
func (c *Client) CreateGroup(ctx context.Context, g Group) (out *Group, adopted bool, err error) {
	body := map[string]any{"displayName": g.DisplayName}
	if g.ExternalID != "" {
		body["externalId"] = g.ExternalID
	}
	if c.o.Dialect == Access11 {
		body["schemas"] = []string{SchemaCore1, SchemaWorkspace1}
		d := g.Domain
		if d == "" {
			d = c.o.Domain
		}
		if d != "" {
			body[SchemaWorkspace1] = map[string]any{"domain": d}
		}
	} else {
		body["schemas"] = []string{SchemaGroup2}
		body["members"] = []Ref{}
	}
	var w wireGroup
	_, err = c.do(ctx, request{method: http.MethodPost, path: "/Groups", body: body, object: "create group " + strconv.Quote(g.DisplayName)}, &w)
	if IsConflict(err) {
		gs, ferr := c.FindGroups(ctx, g.DisplayName)
		if ferr != nil || len(gs) == 0 {
			return nil, false, fmt.Errorf("%w; and the existing group could not be found: %v", err, ferr)
		}
		return &gs[0], true, nil
	}
	if err != nil {
		return nil, false, err
	}
	got := w.group()
	return &got, false, nil
}

// DeleteGroup deletes a group.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/Groups/" + url.PathEscape(id), object: "delete group " + strconv.Quote(id)}, nil)
	return err
}

// UpdateMembers adds and removes user ids. RFC 7644: an add of members plus one remove per
// member with a value-filter path; Access: a SCIM 1.1 members list with operation "delete".
func (c *Client) UpdateMembers(ctx context.Context, groupID string, add, remove []string) error {
	if len(add) == 0 && len(remove) == 0 {
		return nil
	}
	obj := "update members of group " + strconv.Quote(groupID)
	var body map[string]any
	if c.o.Dialect == Access11 {
		ms := make([]map[string]any, 0, len(add)+len(remove))
		for _, id := range add {
			ms = append(ms, map[string]any{"value": id, "type": "User"})
		}
		for _, id := range remove {
			ms = append(ms, map[string]any{"value": id, "type": "User", "operation": "delete"})
		}
		body = map[string]any{"schemas": []string{SchemaCore1}, "members": ms}
	} else {
		var ops []map[string]any
		if len(add) > 0 {
			vs := make([]Ref, 0, len(add))
			for _, id := range add {
				vs = append(vs, Ref{Value: id})
			}
			ops = append(ops, map[string]any{"op": "add", "path": "members", "value": vs})
		}
		for _, id := range remove {
			ops = append(ops, map[string]any{"op": "remove", "path": "members[value eq " + Quote(id) + "]"})
		}
		body = map[string]any{"schemas": []string{SchemaPatch2}, "Operations": ops}
	}
	_, err := c.do(ctx, request{method: http.MethodPatch, path: "/Groups/" + url.PathEscape(groupID), body: body, object: obj}, nil)
	return err
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}
