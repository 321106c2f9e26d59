package identityemu

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	filter "github.com/scim2/filter-parser/v2"
)

func init() {
	// Entra sends "True"/"False" strings for booleans; the real service accepts them.
	schema.SetAllowStringValues(true)
}

// MaxResults caps count on list requests (ServiceProviderConfig filter.maxResults).
const MaxResults = 1000

type ctxKey int

const keyDir ctxKey = 0

type urec struct {
	id, dir, ext string
	attrs        map[string]any
	created, mod time.Time
	ver          int
}

type grec struct {
	id, dir, ext, name string
	members            []string
	mset               map[string]bool
	created, mod       time.Time
	ver                int
}

// scimServer is the SCIM 2.0 server and its in-memory store, indexed by userName,
// externalId and group displayName so that Okta's and Entra's lookups stay O(1) at 100k users.
type scimServer struct {
	e   *Emulator
	srv scim.Server

	mu      sync.Mutex
	users   map[string]*urec
	uorder  []string
	udead   int
	byName  map[string]string // lower(userName) -> id
	byExt   map[string]string // externalId -> id
	ugroups map[string]map[string]bool
	groups  map[string]*grec
	gorder  []string
	gdead   int
	byGName map[string]string // lower(displayName) -> id
	seq     uint64
}

func newSCIMServer(e *Emulator) *scimServer {
	s := &scimServer{e: e}
	s.reset()
	s.setBase("")
	return s
}

func (s *scimServer) setBase(base string) {
	spc := &scim.ServiceProviderConfig{SupportFiltering: true, SupportPatch: true, MaxResults: MaxResults,
		AuthenticationSchemes: []scim.AuthenticationScheme{{Type: scim.AuthenticationTypeOauthBearerToken, Name: "OAuth Bearer Token",
			Description: "The secret token generated for the directory's sync client", Primary: true}}}
	user := scim.ResourceType{ID: optional.NewString("User"), Name: "User", Endpoint: "/Users", Description: optional.NewString("User Account"),
		Schema: schema.CoreUserSchema(), SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}},
		Handler: userHandler{s}}
	group := scim.ResourceType{ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups", Description: optional.NewString("Group"),
		Schema: schema.CoreGroupSchema(), Handler: groupHandler{s}}
	opts := []scim.ServerOption{scim.WithRootQueryHandler(rootQuery{s: s, base: base, types: []scim.ResourceType{user, group}})}
	if base != "" {
		opts = append(opts, scim.WithBaseURL(base))
	}
	srv, err := scim.NewServer(&scim.ServerArgs{ServiceProviderConfig: spc, ResourceTypes: []scim.ResourceType{user, group}}, opts...)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
}

func (s *scimServer) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users, s.uorder, s.udead = map[string]*urec{}, nil, 0
	s.byName, s.byExt, s.ugroups = map[string]string{}, map[string]string{}, map[string]map[string]bool{}
	s.groups, s.gorder, s.gdead = map[string]*grec{}, nil, 0
	s.byGName = map[string]string{}
}

// locked runs f on the record id of the collection recs picks, with s.mu held; an unknown id
// is the SCIM 404.
func locked[T any](s *scimServer, id string, recs func(*scimServer) map[string]*T, f func(*T) (scim.Resource, error)) (scim.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := recs(s)[id]
	if x == nil {
		return scim.Resource{}, scimerr.ScimErrorResourceNotFound(id)
	}
	return f(x)
}

// withUser runs f on user id with s.mu held; an unknown id is the SCIM 404.
func (s *scimServer) withUser(id string, f func(*urec) (scim.Resource, error)) (scim.Resource, error) {
	return locked(s, id, func(s *scimServer) map[string]*urec { return s.users }, f)
}

// withGroup runs f on group id with s.mu held; an unknown id is the SCIM 404.
func (s *scimServer) withGroup(id string, f func(*grec) (scim.Resource, error)) (scim.Resource, error) {
	return locked(s, id, func(s *scimServer) map[string]*grec { return s.groups }, f)
}

// create runs f, which stores a new record named name, with s.mu held: an empty name is
// invalid, one that index (by lower-case name) already has is the SCIM 409 (format has one %s).
func (s *scimServer) create(name string, index func(*scimServer) map[string]string, format string, f func() (scim.Resource, error)) (scim.Resource, error) {
	if name == "" {
		return scim.Resource{}, scimerr.ScimErrorInvalidValue
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := index(s)[strings.ToLower(name)]; dup {
		return scim.Resource{}, uniqueness(format, name)
	}
	return f()
}

// insert stores a new record x under id, last in order, and indexes it by lower-case name.
func insert[T any](recs map[string]*T, order *[]string, index map[string]string, id, name string, x *T) {
	recs[id] = x
	*order = append(*order, id)
	index[strings.ToLower(name)] = id
}

// wantMembers is false when the request's excludedAttributes names members.
func wantMembers(r *http.Request) bool {
	return !strings.Contains(strings.ToLower(r.URL.Query().Get("excludedAttributes")), "members")
}

// uniqueness is the SCIM 409 for a name already taken; format has one %s for the name.
func uniqueness(format, name string) error {
	e := scimerr.ScimErrorUniqueness
	e.Detail = fmt.Sprintf(format, name)
	return e
}

func scimError(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	m := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "status": strconv.Itoa(status), "detail": detail}
	if scimType != "" {
		m["scimType"] = scimType
	}
	json.NewEncoder(w).Encode(m)
}

func (s *scimServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/usergroup/scim")
	if p != "/v2" && !strings.HasPrefix(p, "/v2/") {
		scimError(w, http.StatusNotFound, "", "No SCIM endpoint at "+r.URL.Path+"; the base is /usergroup/scim/v2.")
		return
	}
	// Okta's "Header Auth" test app sends the token without the Bearer scheme.
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	tok := h
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		tok = strings.TrimSpace(h[7:])
	}
	dir, ok := s.e.scimAuth(tok)
	if tok == "" || !ok {
		// RFC 7235 §3.1: a 401 names the scheme the client should use.
		w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM"`)
		scimError(w, http.StatusUnauthorized, "", "The bearer token is missing, invalid or expired: generate a new secret token for the directory.")
		return
	}
	rest := strings.TrimPrefix(p, "/v2")
	if rest == "/ServiceProviderConfig" && r.Method == http.MethodGet {
		s.serviceProviderConfig(w)
		return
	}
	if !s.checkIfMatch(w, r, rest) {
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), keyDir, dir))
	r2.URL.Path = p
	r2.URL.RawPath = ""
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	srv.ServeHTTP(w, r2)
}

func (s *scimServer) serviceProviderConfig(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/scim+json")
	json.NewEncoder(w).Encode(map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://docs.omnissa.com/",
		"patch":            map[string]bool{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword":   map[string]bool{"supported": false},
		"sort":             map[string]bool{"supported": false},
		"etag":             map[string]bool{"supported": true},
		"authenticationSchemes": []map[string]any{{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "The secret token generated for the directory's sync client", "primary": true}},
		"meta": map[string]string{"resourceType": "ServiceProviderConfig", "location": "/ServiceProviderConfig"},
	})
}

func version(v int) string { return `W/"` + strconv.Itoa(v) + `"` }

// checkIfMatch answers 412 when If-Match names another version of the target resource
// (RFC 7644 §3.14), with the current version in ETag and no scimType: RFC 7644's detail
// keywords are for 400 answers, and its invalidVers is about the SCIM protocol version (§3.13).
func (s *scimServer) checkIfMatch(w http.ResponseWriter, r *http.Request, rest string) bool {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" || im == "*" || r.Method == http.MethodGet || r.Method == http.MethodPost {
		return true
	}
	var cur string
	s.mu.Lock()
	switch {
	case strings.HasPrefix(rest, "/Users/"):
		if u := s.users[strings.TrimPrefix(rest, "/Users/")]; u != nil {
			cur = version(u.ver)
		}
	case strings.HasPrefix(rest, "/Groups/"):
		if g := s.groups[strings.TrimPrefix(rest, "/Groups/")]; g != nil {
			cur = version(g.ver)
		}
	}
	s.mu.Unlock()
	if cur == "" {
		return true // the handler answers 404
	}
	norm := func(v string) string { return strings.TrimPrefix(v, "W/") }
	for _, v := range strings.Split(im, ",") {
		if norm(strings.TrimSpace(v)) == norm(cur) {
			return true
		}
	}
	w.Header().Set("ETag", cur)
	scimError(w, http.StatusPreconditionFailed, "", "The resource version "+cur+" does not match If-Match "+im+"; read the resource again and retry with its version.")
	return false
}

func dirOf(r *http.Request) string { d, _ := r.Context().Value(keyDir).(string); return d }

func (s *scimServer) nextID() string {
	s.seq++
	return sandbox.NewUUID()
}

func tp(t time.Time) *time.Time { return &t }

// --- users ---

type userHandler struct{ s *scimServer }

func (s *scimServer) userResource(u *urec) scim.Resource {
	attrs := make(scim.ResourceAttributes, len(u.attrs)+1)
	for k, v := range u.attrs {
		attrs[k] = v
	}
	if gs := s.ugroups[u.id]; len(gs) > 0 {
		refs := make([]map[string]any, 0, len(gs))
		for gid := range gs {
			if g := s.groups[gid]; g != nil {
				refs = append(refs, map[string]any{"value": gid, "display": g.name, "type": "direct"})
			}
		}
		attrs["groups"] = refs
	}
	res := scim.Resource{ID: u.id, Attributes: attrs, Meta: scim.Meta{Created: tp(u.created), LastModified: tp(u.mod), Version: version(u.ver)}}
	if u.ext != "" {
		res.ExternalID = optional.NewString(u.ext)
	}
	return res
}

// cleanUser drops what is never stored: ids, meta, write-only and read-only attributes.
func cleanUser(a map[string]any) (map[string]any, string) {
	out := make(map[string]any, len(a))
	ext := ""
	for k, v := range a {
		switch strings.ToLower(k) {
		case "id", "meta", "schemas", "password", "groups":
			continue
		case "externalid":
			ext, _ = v.(string)
			continue
		case "active":
			v = toBool(v)
		}
		out[k] = v
	}
	if _, ok := lookup(out, "active"); !ok {
		out["active"] = true
	}
	return out, ext
}

func toBool(v any) any {
	if s, ok := v.(string); ok {
		b, err := strconv.ParseBool(strings.ToLower(s))
		if err == nil {
			return b
		}
	}
	return v
}

// lookup finds an attribute case-insensitively.
func lookup(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return name, false
}

func userName(a map[string]any) string {
	k, _ := lookup(a, "userName")
	s, _ := a[k].(string)
	return s
}

func (h userHandler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s := h.s
	a, ext := cleanUser(attrs)
	if err := canonMulti(a); err != nil {
		return scim.Resource{}, err
	}
	name := userName(a)
	return s.create(name, func(s *scimServer) map[string]string { return s.byName }, "User with userName %s already exists.", func() (scim.Resource, error) {
		now := time.Now().UTC()
		u := &urec{id: s.nextID(), dir: dirOf(r), ext: ext, attrs: a, created: now, mod: now, ver: 1}
		insert(s.users, &s.uorder, s.byName, u.id, name, u)
		if ext != "" {
			s.byExt[ext] = u.id
		}
		return s.userResource(u), nil
	})
}

func (h userHandler) Get(r *http.Request, id string) (scim.Resource, error) {
	s := h.s
	return s.withUser(id, func(u *urec) (scim.Resource, error) {
		return s.userResource(u), nil
	})
}

// indexed answers `attr eq "value"` on an indexed attribute without a scan.
func indexed(v *scim.ListRequestParams, names ...string) (attr, value string, ok bool) {
	if v.FilterValidator == nil {
		return "", "", false
	}
	ae, isAttr := v.FilterValidator.GetFilter().(*filter.AttributeExpression)
	if !isAttr || ae.Operator != filter.EQ || ae.AttributePath.SubAttribute != nil {
		return "", "", false
	}
	raw, isStr := ae.CompareValue.(string)
	if !isStr {
		return "", "", false
	}
	// The parser keeps escapes; a JSON decode of the quoted form undoes them.
	var val string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &val); err != nil {
		val = raw
	}
	for _, n := range names {
		if strings.EqualFold(ae.AttributePath.AttributeName, n) {
			return n, val, true
		}
	}
	return "", "", false
}

func page[T any](all []T, start, count int) []T {
	if start < 1 {
		start = 1
	}
	if start > len(all) || count <= 0 {
		return nil
	}
	end := start - 1 + count
	if end > len(all) {
		end = len(all)
	}
	return all[start-1 : end]
}

func (s *scimServer) compactUsers() { compact(&s.uorder, &s.udead, s.users) }

// compact drops the ids of deleted records from order once dead says there are any.
func compact[T any](order *[]string, dead *int, recs map[string]*T) {
	if *dead == 0 {
		return
	}
	keep := (*order)[:0]
	for _, id := range *order {
		if recs[id] != nil {
			keep = append(keep, id)
		}
	}
	*order, *dead = keep, 0
}

func (h userHandler) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if attr, val, ok := indexed(&p, "userName", "externalId", "id"); ok {
		var id string
		switch attr {
		case "userName":
			id = s.byName[strings.ToLower(val)]
		case "externalId":
			id = s.byExt[val]
		case "id":
			id = val
		}
		var res []scim.Resource
		if u := s.users[id]; u != nil && p.StartIndex <= 1 && p.Count > 0 {
			res = append(res, s.userResource(u))
		}
		n := 0
		if s.users[id] != nil {
			n = 1
		}
		return scim.Page{TotalResults: n, Resources: res}, nil
	}
	s.compactUsers()
	if p.FilterValidator == nil {
		ids := page(s.uorder, p.StartIndex, p.Count)
		res := make([]scim.Resource, 0, len(ids))
		for _, id := range ids {
			res = append(res, s.userResource(s.users[id]))
		}
		return scim.Page{TotalResults: len(s.uorder), Resources: res}, nil
	}
	var match []scim.Resource
	for _, id := range s.uorder {
		res := s.userResource(s.users[id])
		m := map[string]any(res.Attributes)
		m["id"] = res.ID
		if res.ExternalID.Present() {
			m["externalId"] = res.ExternalID.Value()
		}
		if p.FilterValidator.PassesFilter(m) == nil {
			match = append(match, res)
		}
	}
	return scim.Page{TotalResults: len(match), Resources: page(match, p.StartIndex, p.Count)}, nil
}

func (h userHandler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s := h.s
	a, ext := cleanUser(attrs)
	if err := canonMulti(a); err != nil {
		return scim.Resource{}, err
	}
	return s.withUser(id, func(u *urec) (scim.Resource, error) {
		return s.setUser(u, a, ext)
	})
}

// setUser gives user u the attributes a and externalId ext (a new version). Caller holds s.mu.
func (s *scimServer) setUser(u *urec, a map[string]any, ext string) (scim.Resource, error) {
	if err := s.renameUser(u, userName(a)); err != nil {
		return scim.Resource{}, err
	}
	s.setExt(u, ext)
	u.attrs = a
	u.mod, u.ver = time.Now().UTC(), u.ver+1
	return s.userResource(u), nil
}

func (s *scimServer) renameUser(u *urec, name string) error {
	if name == "" {
		return scimerr.ScimErrorInvalidValue
	}
	old := strings.ToLower(userName(u.attrs))
	nw := strings.ToLower(name)
	if old == nw {
		return nil
	}
	if other, dup := s.byName[nw]; dup && other != u.id {
		return uniqueness("User with userName %s already exists.", name)
	}
	delete(s.byName, old)
	s.byName[nw] = u.id
	return nil
}

func (s *scimServer) setExt(u *urec, ext string) {
	if u.ext == ext {
		return
	}
	if u.ext != "" && s.byExt[u.ext] == u.id {
		delete(s.byExt, u.ext)
	}
	u.ext = ext
	if ext != "" {
		s.byExt[ext] = u.id
	}
}

func (h userHandler) Delete(r *http.Request, id string) error {
	_, err := h.s.withUser(id, func(*urec) (scim.Resource, error) {
		h.s.deleteUserLocked(id)
		return scim.Resource{}, nil
	})
	return err
}

func (s *scimServer) deleteUserLocked(id string) {
	u := s.users[id]
	delete(s.byName, strings.ToLower(userName(u.attrs)))
	if u.ext != "" && s.byExt[u.ext] == id {
		delete(s.byExt, u.ext)
	}
	for gid := range s.ugroups[id] {
		if g := s.groups[gid]; g != nil {
			g.removeMember(id)
		}
	}
	delete(s.ugroups, id)
	delete(s.users, id)
	s.udead++
}

func (h userHandler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	s := h.s
	return s.withUser(id, func(u *urec) (scim.Resource, error) {
		a := make(map[string]any, len(u.attrs))
		for k, v := range u.attrs {
			a[k] = copyList(v)
		}
		ext := u.ext
		for _, op := range ops {
			if err := applyOp(a, &ext, op); err != nil {
				return scim.Resource{}, err
			}
		}
		if err := canonMulti(a); err != nil {
			return scim.Resource{}, err
		}
		return s.setUser(u, a, ext)
	})
}

// applyOp applies one PATCH operation to a user's attributes: pathless values (Okta's
// deactivate, Entra's dotted keys), simple and sub-attribute paths, and value-filter paths
// such as emails[type eq "work"].value.
func applyOp(a map[string]any, ext *string, op scim.PatchOperation) error {
	opn := strings.ToLower(op.Op)
	if op.Path == nil {
		m, ok := op.Value.(map[string]any)
		if !ok || opn == "remove" {
			return scimerr.ScimErrorNoTarget
		}
		for k, v := range m {
			if strings.EqualFold(k, "externalId") {
				*ext, _ = v.(string)
				continue
			}
			if strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") || strings.EqualFold(k, "schemas") || strings.EqualFold(k, "password") {
				continue
			}
			if strings.HasPrefix(strings.ToLower(k), "urn:") {
				if em, ok := v.(map[string]any); ok {
					key, _ := lookup(a, k)
					cur, _ := a[key].(map[string]any)
					if cur == nil {
						cur = map[string]any{}
					}
					for ek, evv := range em {
						cur[ek] = evv
					}
					a[key] = cur
				}
				continue
			}
			if attr, sub, dotted := strings.Cut(k, "."); dotted {
				setSub(a, attr, sub, v)
				continue
			}
			key, _ := lookup(a, k)
			if strings.EqualFold(k, "active") {
				v = toBool(v)
			}
			a[key] = v
		}
		return nil
	}
	p := op.Path
	name := p.AttributePath.AttributeName
	if strings.EqualFold(name, "externalId") {
		if opn == "remove" {
			*ext = ""
		} else {
			*ext, _ = op.Value.(string)
		}
		return nil
	}
	key, exists := lookup(a, name)
	if p.ValueExpression != nil {
		list, _ := a[key].([]any)
		if opn != "remove" && p.SubAttribute != nil && strings.EqualFold(*p.SubAttribute, "primary") && toBool(op.Value) == true {
			clearPrimary(list)
		} else if opn != "remove" && p.SubAttribute == nil && hasPrimary(op.Value) {
			clearPrimary(list)
		}
		var out []any
		hit := false
		for _, el := range list {
			m, _ := el.(map[string]any)
			if m == nil || !matches(m, p.ValueExpression) {
				out = append(out, el)
				continue
			}
			hit = true
			switch {
			case opn == "remove" && p.SubAttribute == nil:
				continue
			case opn == "remove":
				sk, _ := lookup(m, *p.SubAttribute)
				delete(m, sk)
			case p.SubAttribute != nil:
				sk, _ := lookup(m, *p.SubAttribute)
				m[sk] = op.Value
			default:
				if vm, ok := op.Value.(map[string]any); ok {
					for k, v := range vm {
						m[k] = v
					}
				}
			}
			out = append(out, m)
		}
		if !hit {
			switch opn {
			case "replace":
				// RFC 7644 §3.5.2.3: a value filter that selects nothing is noTarget.
				e := scimerr.ScimErrorNoTarget
				e.Detail = "No value of " + name + " matches the path's filter; use add to create one."
				return e
			case "add":
				// Entra adds a typed value through its filter path, e.g. emails[type eq "work"].value.
				if el := fromFilter(p.ValueExpression, p.SubAttribute, op.Value); el != nil {
					out = append(out, el)
				}
			}
		}
		a[key] = out
		return nil
	}
	sub := p.AttributePath.SubAttribute
	if sub == nil {
		sub = p.SubAttribute
	}
	switch {
	case opn == "remove" && sub == nil:
		delete(a, key)
	case opn == "remove":
		if m, ok := a[key].(map[string]any); ok {
			sk, _ := lookup(m, *sub)
			delete(m, sk)
		}
	case sub != nil:
		setSub(a, key, *sub, op.Value)
	case opn == "add" && exists:
		if list, ok := a[key].([]any); ok {
			if add, ok := op.Value.([]any); ok {
				if hasPrimary(add) {
					clearPrimary(list)
				}
				a[key] = append(list, add...)
				return nil
			}
		}
		a[key] = op.Value
	default:
		if strings.EqualFold(name, "active") {
			a[key] = toBool(op.Value)
		} else {
			a[key] = op.Value
		}
	}
	return nil
}

func setSub(a map[string]any, attr, sub string, v any) {
	key, _ := lookup(a, attr)
	m, _ := a[key].(map[string]any)
	if m == nil {
		m = map[string]any{}
	} else {
		cp := make(map[string]any, len(m))
		for k, x := range m {
			cp[k] = x
		}
		m = cp
	}
	sk, _ := lookup(m, sub)
	m[sk] = v
	a[key] = m
}

// matches evaluates a value filter (eq / and / or on sub-attributes) against one element.
func matches(m map[string]any, e filter.Expression) bool {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		name := x.AttributePath.AttributeName
		if x.AttributePath.SubAttribute != nil {
			name = *x.AttributePath.SubAttribute
		}
		k, ok := lookup(m, name)
		if x.Operator == filter.PR {
			return ok
		}
		want := fmt.Sprint(x.CompareValue)
		if s, isStr := x.CompareValue.(string); isStr {
			var d string
			if json.Unmarshal([]byte(`"`+s+`"`), &d) == nil {
				want = d
			}
		}
		got := fmt.Sprint(m[k])
		switch x.Operator {
		case filter.EQ:
			return ok && strings.EqualFold(got, want)
		case filter.NE:
			return !strings.EqualFold(got, want)
		case filter.CO:
			return strings.Contains(strings.ToLower(got), strings.ToLower(want))
		case filter.SW:
			return strings.HasPrefix(strings.ToLower(got), strings.ToLower(want))
		case filter.EW:
			return strings.HasSuffix(strings.ToLower(got), strings.ToLower(want))
		}
	case *filter.LogicalExpression:
		if x.Operator == filter.AND {
			return matches(m, x.Left) && matches(m, x.Right)
		}
		return matches(m, x.Left) || matches(m, x.Right)
	case *filter.NotExpression:
		return !matches(m, x.Expression)
	}
	return false
}

// --- groups ---

type groupHandler struct{ s *scimServer }

func (g *grec) addMember(id string) bool {
	if g.mset[id] {
		return false
	}
	g.mset[id] = true
	g.members = append(g.members, id)
	return true
}

func (g *grec) removeMember(id string) bool {
	if !g.mset[id] {
		return false
	}
	delete(g.mset, id)
	for i, m := range g.members {
		if m == id {
			g.members = append(g.members[:i], g.members[i+1:]...)
			break
		}
	}
	return true
}

func (s *scimServer) groupResource(g *grec, withMembers bool) scim.Resource {
	attrs := scim.ResourceAttributes{"displayName": g.name}
	if withMembers {
		ms := make([]map[string]any, 0, len(g.members))
		for _, id := range g.members {
			m := map[string]any{"value": id, "type": "User"}
			if u := s.users[id]; u != nil {
				m["display"] = userName(u.attrs)
			}
			ms = append(ms, m)
		}
		attrs["members"] = ms
	}
	res := scim.Resource{ID: g.id, Attributes: attrs, Meta: scim.Meta{Created: tp(g.created), LastModified: tp(g.mod), Version: version(g.ver)}}
	if g.ext != "" {
		res.ExternalID = optional.NewString(g.ext)
	}
	return res
}

func memberIDs(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if m, ok := el.(map[string]any); ok {
				k, _ := lookup(m, "value")
				if s, ok := m[k].(string); ok {
					out = append(out, s)
				}
			}
		}
	case []map[string]any:
		for _, m := range x {
			if s, ok := m["value"].(string); ok {
				out = append(out, s)
			}
		}
	case map[string]any:
		return memberIDs([]any{x})
	}
	return out
}

func (s *scimServer) setMembers(g *grec, ids []string) error {
	for _, id := range g.members {
		if gs := s.ugroups[id]; gs != nil {
			delete(gs, g.id)
		}
	}
	g.members, g.mset = nil, map[string]bool{}
	return s.addMembers(g, ids)
}

func (s *scimServer) addMembers(g *grec, ids []string) error {
	for _, id := range ids {
		if s.users[id] == nil {
			e := scimerr.ScimErrorInvalidValue
			e.Detail = "members: no user with id " + id + "."
			return e
		}
	}
	for _, id := range ids {
		if g.addMember(id) {
			gs := s.ugroups[id]
			if gs == nil {
				gs = map[string]bool{}
				s.ugroups[id] = gs
			}
			gs[g.id] = true
		}
	}
	return nil
}

func (s *scimServer) removeMembers(g *grec, ids []string) {
	for _, id := range ids {
		if g.removeMember(id) {
			delete(s.ugroups[id], g.id)
		}
	}
}

func attrString(a map[string]any, name string) string {
	k, _ := lookup(a, name)
	v, _ := a[k].(string)
	return v
}

func (h groupHandler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s := h.s
	name := attrString(attrs, "displayName")
	return s.create(name, func(s *scimServer) map[string]string { return s.byGName }, "Group with displayName %s already exists.", func() (scim.Resource, error) {
		now := time.Now().UTC()
		g := &grec{id: s.nextID(), dir: dirOf(r), ext: attrString(attrs, "externalId"), name: name, mset: map[string]bool{}, created: now, mod: now, ver: 1}
		k, _ := lookup(attrs, "members")
		if err := s.addMembers(g, memberIDs(attrs[k])); err != nil {
			return scim.Resource{}, err
		}
		insert(s.groups, &s.gorder, s.byGName, g.id, name, g)
		return s.groupResource(g, true), nil
	})
}

func (h groupHandler) Get(r *http.Request, id string) (scim.Resource, error) {
	s := h.s
	return s.withGroup(id, func(g *grec) (scim.Resource, error) {
		return s.groupResource(g, wantMembers(r)), nil
	})
}

func (h groupHandler) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	return h.list(r, p, wantMembers(r))
}

// list answers a group query; withMembers is false when excludedAttributes names members.
func (h groupHandler) list(r *http.Request, p scim.ListRequestParams, withMembers bool) (scim.Page, error) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if attr, val, ok := indexed(&p, "displayName", "id"); ok {
		id := val
		if attr == "displayName" {
			id = s.byGName[strings.ToLower(val)]
		}
		g := s.groups[id]
		if g == nil {
			return scim.Page{}, nil
		}
		var res []scim.Resource
		if p.StartIndex <= 1 && p.Count > 0 {
			res = append(res, s.groupResource(g, withMembers))
		}
		return scim.Page{TotalResults: 1, Resources: res}, nil
	}
	compact(&s.gorder, &s.gdead, s.groups)
	var match []scim.Resource
	for _, id := range s.gorder {
		res := s.groupResource(s.groups[id], true)
		if p.FilterValidator != nil {
			m := map[string]any(res.Attributes)
			m["id"] = res.ID
			if p.FilterValidator.PassesFilter(m) != nil {
				continue
			}
		}
		if !withMembers {
			delete(res.Attributes, "members")
		}
		match = append(match, res)
	}
	return scim.Page{TotalResults: len(match), Resources: page(match, p.StartIndex, p.Count)}, nil
}

func (h groupHandler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	s := h.s
	return s.withGroup(id, func(g *grec) (scim.Resource, error) {
		if err := s.renameGroup(g, attrString(attrs, "displayName")); err != nil {
			return scim.Resource{}, err
		}
		k, _ := lookup(attrs, "members")
		if err := s.setMembers(g, memberIDs(attrs[k])); err != nil {
			return scim.Resource{}, err
		}
		g.ext = attrString(attrs, "externalId")
		g.mod, g.ver = time.Now().UTC(), g.ver+1
		return s.groupResource(g, true), nil
	})
}

func (s *scimServer) renameGroup(g *grec, name string) error {
	if name == "" || strings.EqualFold(name, g.name) {
		if name != "" {
			g.name = name
		}
		return nil
	}
	if other, dup := s.byGName[strings.ToLower(name)]; dup && other != g.id {
		return uniqueness("Group with displayName %s already exists.", name)
	}
	delete(s.byGName, strings.ToLower(g.name))
	s.byGName[strings.ToLower(name)] = g.id
	g.name = name
	return nil
}

func (h groupHandler) Delete(r *http.Request, id string) error {
	_, err := h.s.withGroup(id, func(g *grec) (scim.Resource, error) {
		h.s.deleteGroupLocked(g)
		return scim.Resource{}, nil
	})
	return err
}

func (s *scimServer) deleteGroupLocked(g *grec) {
	for _, m := range g.members {
		delete(s.ugroups[m], g.id)
	}
	delete(s.byGName, strings.ToLower(g.name))
	delete(s.groups, g.id)
	s.gdead++
}

// Patch handles Okta's (add/remove with value-filter paths, replace with {id, displayName})
// and Entra's (capitalised ops, remove with a members value list) membership shapes. It
// answers 204: membership replies may omit members.
func (h groupHandler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	s := h.s
	return s.withGroup(id, func(g *grec) (scim.Resource, error) {
		undo := groupSnapshot{name: g.name, ext: g.ext, members: append([]string(nil), g.members...)}
		res, err := s.patchGroup(g, ops)
		if err != nil {
			// RFC 7644 §3.5.2: a PATCH is atomic; a failed operation leaves the group as it was.
			s.restoreGroup(g, undo)
		}
		return res, err
	})
}

// patchGroup applies ops to g in order. Caller holds s.mu.
func (s *scimServer) patchGroup(g *grec, ops []scim.PatchOperation) (scim.Resource, error) {
	for _, op := range ops {
		opn := strings.ToLower(op.Op)
		if op.Path == nil {
			m, ok := op.Value.(map[string]any)
			if !ok {
				return scim.Resource{}, scimerr.ScimErrorNoTarget
			}
			for k, v := range m {
				switch strings.ToLower(k) {
				case "displayname":
					name, _ := v.(string)
					if err := s.renameGroup(g, name); err != nil {
						return scim.Resource{}, err
					}
				case "externalid":
					g.ext, _ = v.(string)
				case "members":
					var err error
					if opn == "replace" {
						err = s.setMembers(g, memberIDs(v))
					} else {
						err = s.addMembers(g, memberIDs(v))
					}
					if err != nil {
						return scim.Resource{}, err
					}
				}
			}
			continue
		}
		name := strings.ToLower(op.Path.AttributePath.AttributeName)
		switch name {
		case "displayname":
			n, _ := op.Value.(string)
			if err := s.renameGroup(g, n); err != nil {
				return scim.Resource{}, err
			}
		case "externalid":
			g.ext, _ = op.Value.(string)
		case "members":
			switch {
			case opn == "remove" && op.Path.ValueExpression != nil:
				var rm []string
				for _, mid := range g.members {
					if matches(map[string]any{"value": mid}, op.Path.ValueExpression) {
						rm = append(rm, mid)
					}
				}
				s.removeMembers(g, rm)
			case opn == "remove" && op.Value != nil:
				s.removeMembers(g, memberIDs(op.Value))
			case opn == "remove":
				s.setMembers(g, nil)
			case opn == "replace" && op.Path.ValueExpression != nil:
				// RFC 7644 §3.5.2.3: a value filter that selects nothing is noTarget;
				// otherwise the selected members give way to the new values.
				var hit []string
				for _, mid := range g.members {
					if matches(map[string]any{"value": mid}, op.Path.ValueExpression) {
						hit = append(hit, mid)
					}
				}
				if len(hit) == 0 {
					e := scimerr.ScimErrorNoTarget
					e.Detail = "No member of group " + g.name + " matches the path's filter."
					return scim.Resource{}, e
				}
				s.removeMembers(g, hit)
				if err := s.addMembers(g, memberIDs(op.Value)); err != nil {
					return scim.Resource{}, err
				}
			case opn == "replace":
				if err := s.setMembers(g, memberIDs(op.Value)); err != nil {
					return scim.Resource{}, err
				}
			default:
				if err := s.addMembers(g, memberIDs(op.Value)); err != nil {
					return scim.Resource{}, err
				}
			}
		default:
			return scim.Resource{}, scimerr.ScimErrorInvalidPath
		}
	}
	g.mod, g.ver = time.Now().UTC(), g.ver+1
	return scim.Resource{}, nil
}

// groupSnapshot is what a group PATCH can change.
type groupSnapshot struct {
	name, ext string
	members   []string
}

// restoreGroup puts g back as snap had it (its old name, externalId and members). Caller holds s.mu.
func (s *scimServer) restoreGroup(g *grec, snap groupSnapshot) {
	if !strings.EqualFold(g.name, snap.name) {
		delete(s.byGName, strings.ToLower(g.name))
		s.byGName[strings.ToLower(snap.name)] = g.id
	}
	g.name, g.ext = snap.name, snap.ext
	s.setMembers(g, snap.members) // they were members a moment ago, so every id still exists
}

// deleteDirectory removes the users and groups a directory's token provisioned.
func (s *scimServer) deleteDirectory(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, u := range s.users {
		if u.dir == dir {
			s.deleteUserLocked(id)
		}
	}
	for _, g := range s.groups {
		if g.dir == dir {
			s.deleteGroupLocked(g)
		}
	}
}

// state renders users and groups as SCIM resources.
func (s *scimServer) state() ([]map[string]any, []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.compactUsers()
	users := make([]map[string]any, 0, len(s.uorder))
	for _, id := range s.uorder {
		u := s.users[id]
		m := map[string]any{"id": u.id, "schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}}
		for k, v := range u.attrs {
			m[k] = v
		}
		if u.ext != "" {
			m["externalId"] = u.ext
		}
		m["meta"] = map[string]any{"resourceType": "User", "version": version(u.ver), "created": u.created.Format(time.RFC3339)}
		users = append(users, m)
	}
	groups := make([]map[string]any, 0, len(s.groups))
	for _, id := range s.gorder {
		g := s.groups[id]
		if g == nil {
			continue
		}
		res := s.groupResource(g, true)
		m := map[string]any(res.Attributes)
		m["id"] = g.id
		m["schemas"] = []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}
		if g.ext != "" {
			m["externalId"] = g.ext
		}
		groups = append(groups, m)
	}
	return users, groups
}
