package accessemu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	filter "github.com/scim2/filter-parser/v2"
)

// SCIM 1.1 dialect of Access (/SAAS/jersey/manager/api/scim): application/json, the
// urn:scim:schemas:extension:workspace:1.0 extension, partial-resource PATCH answered 204 (also
// as POST + X-HTTP-Method-Override), no PUT, filters eq/co/sw/gt/ge/lt/le/and only, 404 for a
// bad startIndex or count, the {"errors":[...]} body. Users are routed to a directory by their
// domain: a domain no directory owns, or one owned by a directory that is not of type Other,
// fails with the Okta SCIM to Access guide's messages. Groups created without a domain land in the System domain.

const (
	scim11Core      = "urn:scim:schemas:core:1.0"
	scim11Workspace = "urn:scim:schemas:extension:workspace:1.0"
	scim11Ent       = "urn:scim:schemas:extension:enterprise:1.0"
	systemDomain    = "System Domain"

	// The Okta SCIM to Access guide's troubleshooting messages (Okta shows them prefixed "ERRORS REPORTED BY REMOTE SERVER: ").
	msgNotOtherDirectory = "USER CREATION IS NOT SUPPORTED FOR SPECIFIED DIRECTORY ID."
	msgDomainNotInDir    = "USER DOMAIN NAME SPECIFIED FOR THE USER RESOURCE DOESN'T BELONG TO THE DIRECTORY."
)

type user11 struct {
	id, userName, given, family, display string
	email, ext, domain, userType, dirID  string
	active                               bool
	created, mod                         time.Time
	ver                                  int
}

type group11 struct {
	id, name, domain string
	ext              string // externalId (Okta's group id on a push)
	members          []string
	mset             map[string]bool
	created, mod     time.Time
	ver              int
}

type scim11 struct {
	mu       sync.Mutex
	required []string // user attributes marked Required (User Attributes page)
	users    map[string]*user11
	order    []string
	byName   map[string]string
	groups   map[string]*group11
	gorder   []string
}

func (s *scim11) init() {
	if s.users == nil {
		s.users, s.byName, s.order = map[string]*user11{}, map[string]string{}, nil
		s.groups, s.gorder = map[string]*group11{}, nil
	}
}

func (s *scim11) reset() {
	s.mu.Lock()
	s.users, s.required = nil, nil
	s.init()
	s.mu.Unlock()
}

func (u *user11) wire(loc string) map[string]any {
	status := "1"
	if !u.active {
		status = "2"
	}
	m := map[string]any{
		"schemas": []string{scim11Core, scim11Workspace, scim11Ent}, "id": u.id, "userName": u.userName,
		"name": map[string]any{"givenName": u.given, "familyName": u.family}, "active": u.active,
		"meta": map[string]any{"created": u.created.Format(time.RFC3339), "lastModified": u.mod.Format(time.RFC3339),
			"location": loc + "/Users/" + u.id, "version": `W/"` + strconv.Itoa(u.ver) + `"`},
		scim11Workspace: map[string]any{"domain": u.domain, "internalUserType": u.userType, "userStatus": status, "userStoreUuid": u.dirID},
	}
	if u.display != "" {
		m["displayName"] = u.display
	}
	if u.email != "" {
		m["emails"] = []map[string]any{{"value": u.email, "primary": true}}
	}
	if u.ext != "" {
		m["externalId"] = u.ext
	}
	return m
}

func (g *group11) wire(loc string, s *scim11) map[string]any {
	ms := make([]map[string]any, 0, len(g.members))
	for _, id := range g.members {
		m := map[string]any{"value": id, "type": "User"}
		if u := s.users[id]; u != nil {
			m["display"] = u.userName
		}
		ms = append(ms, m)
	}
	out := map[string]any{"schemas": []string{scim11Core, scim11Workspace}, "id": g.id, "displayName": g.name, "members": ms,
		"meta":          map[string]any{"created": g.created.Format(time.RFC3339), "location": loc + "/Groups/" + g.id, "version": `W/"` + strconv.Itoa(g.ver) + `"`},
		scim11Workspace: map[string]any{"domain": g.domain, "internalGroupType": "INTERNAL"}}
	if g.ext != "" {
		out["externalId"] = g.ext
	}
	return out
}

// state: the SCIM collections under their endpoint names.
func (s *scim11) state() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	users := make([]map[string]any, 0, len(s.users))
	for _, id := range s.order {
		if u := s.users[id]; u != nil {
			users = append(users, u.wire(""))
		}
	}
	groups := make([]map[string]any, 0, len(s.groups))
	for _, id := range s.gorder {
		if g := s.groups[id]; g != nil {
			groups = append(groups, g.wire("", s))
		}
	}
	return map[string]any{"Users": users, "Groups": groups}
}

// SetRequiredUserAttributes marks user attributes Required, as on Identity & Access Management >
// Setup > User Attributes; a SCIM create without them fails with the Okta SCIM to Access guide's message. Reset
// clears the list.
func (e *Emulator) SetRequiredUserAttributes(attrs ...string) {
	e.scim.mu.Lock()
	e.scim.required = append([]string(nil), attrs...)
	e.scim.mu.Unlock()
}

func (e *Emulator) registerSCIM11(mux *router) {
	base := "/SAAS/jersey/manager/api/scim"
	s := &e.scim
	s.mu.Lock()
	s.init()
	s.mu.Unlock()
	h := func(f func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if _, ok := e.RequireAuth(w, r, "admin"); !ok {
				return
			}
			f(w, r)
		}
	}
	type handler = func(w http.ResponseWriter, r *http.Request)
	for _, c := range []struct {
		path                          string
		list, create, get, patch, del handler
	}{
		{"/Users", e.scimListUsers, e.scimCreateUser, e.scimGetUser, e.scimPatchUser, e.scimDeleteUser},
		{"/Groups", e.scimListGroups, e.scimCreateGroup, e.scimGetGroup, e.scimPatchGroup, e.scimDeleteGroup},
	} {
		mux.handle("GET "+base+c.path, h(c.list))
		mux.handle("POST "+base+c.path, h(c.create))
		mux.handle("GET "+base+c.path+"/{id}", h(c.get))
		mux.handle("PATCH "+base+c.path+"/{id}", h(c.patch))
		mux.handle("POST "+base+c.path+"/{id}", h(override(c.patch)))
		mux.handle("DELETE "+base+c.path+"/{id}", h(c.del))
		mux.handle("PUT "+base+c.path+"/{id}", h(noPut))
	}
}

func noPut(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, PATCH, DELETE")
	writeErrors(w, http.StatusMethodNotAllowed, "method.not.allowed", "PUT is not supported; use PATCH with the changed attributes.")
}

// override serves POST + X-HTTP-Method-Override: PATCH (priam's form).
func override(f http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("X-HTTP-Method-Override"), "PATCH") {
			writeErrors(w, http.StatusMethodNotAllowed, "method.not.allowed", "POST on a resource needs X-HTTP-Method-Override: PATCH.")
			return
		}
		f(w, r)
	}
}

func (e *Emulator) scimLoc() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.url + "/SAAS/jersey/manager/api/scim"
}

func scimJSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json", v)
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "invalid.request", "The request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

// paging reads startIndex (1-based, default 1) and count (default 20); bad values are 404s.
func paging(w http.ResponseWriter, r *http.Request) (start, count int, ok bool) {
	if start, ok = queryCount(w, r, "startIndex", "invalid.start.index", 1); !ok {
		return 0, 0, false
	}
	if count, ok = queryCount(w, r, "count", "invalid.count", 20); !ok {
		return 0, 0, false
	}
	return max(start, 1), count, true
}

// queryCount reads a whole number of at least 0 (def when absent); a bad one is answered 404.
func queryCount(w http.ResponseWriter, r *http.Request, name, code string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		writeErrors(w, http.StatusNotFound, code, "Invalid "+name+" "+v+".")
		return 0, false
	}
	return n, true
}

// listQuery reads a list request's paging and filter; false has been answered.
func listQuery(w http.ResponseWriter, r *http.Request) (start, count int, fe filter.Expression, ok bool) {
	if start, count, ok = paging(w, r); !ok {
		return 0, 0, nil, false
	}
	if fe, ok = parseFilter(w, r); !ok {
		return 0, 0, nil, false
	}
	return start, count, fe, true
}

var accessFilterOps = map[filter.CompareOperator]bool{filter.EQ: true, filter.CO: true, filter.SW: true, filter.GT: true, filter.GE: true, filter.LT: true, filter.LE: true}

// parseFilter accepts Access's subset: eq co sw gt ge lt le joined by and.
func parseFilter(w http.ResponseWriter, r *http.Request) (filter.Expression, bool) {
	f := strings.TrimSpace(r.URL.Query().Get("filter"))
	if f == "" {
		return nil, true
	}
	e, err := filter.ParseFilter([]byte(f))
	if err == nil {
		err = checkOps(e)
	}
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "invalid.filter", "Invalid filter "+strconv.Quote(f)+": "+err.Error())
		return nil, false
	}
	return e, true
}

func checkOps(e filter.Expression) error {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		if !accessFilterOps[x.Operator] {
			return fmt.Errorf("operator %s is not supported (eq, co, sw, gt, ge, lt, le)", x.Operator)
		}
	case *filter.LogicalExpression:
		if x.Operator != filter.AND {
			return fmt.Errorf("operator %s is not supported (and only)", x.Operator)
		}
		if err := checkOps(x.Left); err != nil {
			return err
		}
		return checkOps(x.Right)
	default:
		return fmt.Errorf("%T is not supported", e)
	}
	return nil
}

func unquote(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	var d string
	if json.Unmarshal([]byte(`"`+s+`"`), &d) == nil {
		return d
	}
	return s
}

func match(get func(attr string) []string, e filter.Expression) bool {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		attr := strings.ToLower(x.AttributePath.AttributeName)
		if x.AttributePath.SubAttribute != nil {
			attr += "." + strings.ToLower(*x.AttributePath.SubAttribute)
		}
		want := strings.ToLower(unquote(x.CompareValue))
		for _, got := range get(attr) {
			got = strings.ToLower(got)
			var ok bool
			switch x.Operator {
			case filter.EQ:
				ok = got == want
			case filter.CO:
				ok = strings.Contains(got, want)
			case filter.SW:
				ok = strings.HasPrefix(got, want)
			case filter.GT:
				ok = got > want
			case filter.GE:
				ok = got >= want
			case filter.LT:
				ok = got < want
			case filter.LE:
				ok = got <= want
			}
			if ok {
				return true
			}
		}
		return false
	case *filter.LogicalExpression:
		return match(get, x.Left) && match(get, x.Right)
	}
	return false
}

// attrOf is attribute a (lower-case) of a record whose attributes are attrs, nil when unknown.
func attrOf(attrs map[string]string, a string) []string {
	if v, ok := attrs[a]; ok {
		return []string{v}
	}
	return nil
}

func (u *user11) attr(a string) []string {
	return attrOf(map[string]string{"username": u.userName, "id": u.id, "externalid": u.ext,
		"name.givenname": u.given, "name.familyname": u.family, "emails": u.email, "emails.value": u.email, "email": u.email,
		"domain": u.domain, "active": strconv.FormatBool(u.active), "displayname": u.display}, a)
}

// list answers the page of ids from start (1-based), at most count, each as wire makes it.
func list(w http.ResponseWriter, start, count int, ids []string, wire func(id string) map[string]any) {
	items := []map[string]any{}
	for i := start - 1; i < len(ids) && len(items) < count; i++ {
		items = append(items, wire(ids[i]))
	}
	total := len(ids)
	scimJSON(w, http.StatusOK, map[string]any{"schemas": []string{scim11Core}, "totalResults": total,
		"itemsPerPage": len(items), "startIndex": start, "Resources": items})
}

// scimList answers a list request: pick chooses the ids that pass the filter (nil: no filter)
// with the store locked, and the requested page of them is written as wire makes each.
func (e *Emulator) scimList(w http.ResponseWriter, r *http.Request, pick func(s *scim11, fe filter.Expression) []string, wire func(s *scim11, loc, id string) map[string]any) {
	start, count, fe, ok := listQuery(w, r)
	if !ok {
		return
	}
	loc := e.scimLoc()
	s := &e.scim
	s.mu.Lock()
	defer s.mu.Unlock()
	list(w, start, count, pick(s, fe), func(id string) map[string]any { return wire(s, loc, id) })
}

// matching is the ids in order of the records of recs that pass fe (all when fe is nil).
func matching[T any](order []string, recs map[string]*T, fe filter.Expression, attr func(*T, string) []string) []string {
	var ids []string
	for _, id := range order {
		if x := recs[id]; x != nil && (fe == nil || match(func(a string) []string { return attr(x, a) }, fe)) {
			ids = append(ids, id)
		}
	}
	return ids
}

func (e *Emulator) scimListUsers(w http.ResponseWriter, r *http.Request) {
	e.scimList(w, r, func(s *scim11, fe filter.Expression) []string {
		if ae, isAttr := fe.(*filter.AttributeExpression); isAttr && ae.Operator == filter.EQ && strings.EqualFold(ae.AttributePath.AttributeName, "userName") && ae.AttributePath.SubAttribute == nil {
			if id, found := s.byName[strings.ToLower(unquote(ae.CompareValue))]; found {
				return []string{id}
			}
			return nil
		}
		return matching(s.order, s.users, fe, (*user11).attr)
	}, func(s *scim11, loc, id string) map[string]any { return s.users[id].wire(loc) })
}

type userBody11 struct {
	UserName    *string `json:"userName"`
	ExternalID  *string `json:"externalId"`
	DisplayName *string `json:"displayName"`
	Active      *bool   `json:"active"`
	Name        *struct {
		GivenName  *string `json:"givenName"`
		FamilyName *string `json:"familyName"`
	} `json:"name"`
	Emails []struct {
		Value string `json:"value"`
	} `json:"emails"`
	Password  *string `json:"password"`
	Workspace *struct {
		Domain            *string `json:"domain"`
		InternalUserType  *string `json:"internalUserType"`
		UserStatus        *string `json:"userStatus"`
		DistinguishedName *string `json:"distinguishedName"`
		UserPrincipalName *string `json:"userPrincipalName"`
	} `json:"urn:scim:schemas:extension:workspace:1.0"`
}

// missing lists the required attributes the body does not carry, upper-cased like Access.
func (b *userBody11) missing(required []string) []string {
	var out []string
	for _, a := range required {
		ok := false
		switch strings.ToLower(a) {
		case "distinguishedname":
			ok = b.Workspace != nil && b.Workspace.DistinguishedName != nil && *b.Workspace.DistinguishedName != ""
		case "userprincipalname":
			ok = b.Workspace != nil && b.Workspace.UserPrincipalName != nil && *b.Workspace.UserPrincipalName != ""
		case "email", "emails":
			ok = len(b.Emails) > 0
		case "firstname", "givenname":
			ok = b.Name != nil && b.Name.GivenName != nil && *b.Name.GivenName != ""
		case "lastname", "familyname":
			ok = b.Name != nil && b.Name.FamilyName != nil && *b.Name.FamilyName != ""
		default:
			ok = true
		}
		if !ok {
			out = append(out, strings.ToUpper(a))
		}
	}
	return out
}

// present reports whether a required attribute is there and not blank; false has been
// answered 400.
func present(w http.ResponseWriter, v *string, name string) bool {
	if v == nil || strings.TrimSpace(*v) == "" {
		writeErrors(w, http.StatusBadRequest, "missing.attribute", name+" is required.")
		return false
	}
	return true
}

func (e *Emulator) scimCreateUser(w http.ResponseWriter, r *http.Request) {
	var b userBody11
	if !readJSON(w, r, &b) || !present(w, b.UserName, "userName") {
		return
	}
	domain := ""
	if b.Workspace != nil && b.Workspace.Domain != nil {
		domain = *b.Workspace.Domain
	}
	dirID, dirType, _, found := e.DirectoryForDomain(domain)
	switch {
	case !found:
		writeErrors(w, http.StatusBadRequest, "user.domain.not.in.directory", msgDomainNotInDir)
		return
	case dirType != "OTHER_DIRECTORY":
		writeErrors(w, http.StatusBadRequest, "user.creation.not.supported", msgNotOtherDirectory)
		return
	}
	e.scim.mu.Lock()
	miss := b.missing(e.scim.required)
	e.scim.mu.Unlock()
	if len(miss) > 0 {
		writeErrors(w, http.StatusBadRequest, "required.attributes.missing", "REQUIRED USER ATTRIBUTES: ["+strings.Join(miss, ", ")+"] ARE MISSING.")
		return
	}
	now := time.Now().UTC()
	u := &user11{id: sandbox.NewUUID(), userName: *b.UserName, domain: domain, userType: "PROVISIONED", dirID: dirID, active: true, created: now, mod: now, ver: 1}
	applyUser11(u, &b)
	loc := e.scimLoc()
	s := &e.scim
	s.mu.Lock()
	if _, dup := s.byName[strings.ToLower(u.userName)]; dup {
		s.mu.Unlock()
		writeErrors(w, http.StatusConflict, "user.already.exists", "User with userName "+u.userName+" already exists.")
		return
	}
	s.users[u.id] = u
	s.order = append(s.order, u.id)
	s.byName[strings.ToLower(u.userName)] = u.id
	out := u.wire(loc)
	s.mu.Unlock()
	w.Header().Set("Location", loc+"/Users/"+u.id)
	w.Header().Set("ETag", `W/"1"`)
	scimJSON(w, http.StatusCreated, out)
}

func applyUser11(u *user11, b *userBody11) {
	if b.ExternalID != nil {
		u.ext = *b.ExternalID
	}
	if b.DisplayName != nil {
		u.display = *b.DisplayName
	}
	if b.Active != nil {
		u.active = *b.Active
	}
	if b.Name != nil {
		if b.Name.GivenName != nil {
			u.given = *b.Name.GivenName
		}
		if b.Name.FamilyName != nil {
			u.family = *b.Name.FamilyName
		}
	}
	if len(b.Emails) > 0 {
		u.email = b.Emails[0].Value
	}
	if b.Workspace != nil {
		if b.Workspace.InternalUserType != nil {
			u.userType = *b.Workspace.InternalUserType
		}
		if b.Workspace.UserStatus != nil {
			u.active = *b.Workspace.UserStatus == "1"
		}
	}
}

// withRec runs f with the SCIM store locked on the record of recs the path's id names; an
// unknown id is answered 404 as kind.
func withRec[T any](e *Emulator, w http.ResponseWriter, r *http.Request, recs func(*scim11) map[string]*T, kind string, f func(s *scim11, x *T)) {
	s := &e.scim
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	x := recs(s)[id]
	if x == nil {
		notFound(w, kind, id)
		return
	}
	f(s, x)
}

func (e *Emulator) withUser(w http.ResponseWriter, r *http.Request, f func(s *scim11, u *user11)) {
	withRec(e, w, r, func(s *scim11) map[string]*user11 { return s.users }, "user", f)
}

func (e *Emulator) withGroup(w http.ResponseWriter, r *http.Request, f func(s *scim11, g *group11)) {
	withRec(e, w, r, func(s *scim11) map[string]*group11 { return s.groups }, "group", f)
}

func notFound(w http.ResponseWriter, kind, id string) {
	writeErrors(w, http.StatusNotFound, kind+".not.found", kind+" "+id+" not found.")
}

func (e *Emulator) scimGetUser(w http.ResponseWriter, r *http.Request) {
	loc := e.scimLoc()
	e.withUser(w, r, func(s *scim11, u *user11) {
		scimJSON(w, http.StatusOK, u.wire(loc))
	})
}

func (e *Emulator) scimPatchUser(w http.ResponseWriter, r *http.Request) {
	var b userBody11
	if !readJSON(w, r, &b) {
		return
	}
	if b.Workspace != nil && b.Workspace.Domain != nil {
		if _, t, _, found := e.DirectoryForDomain(*b.Workspace.Domain); !found || t != "OTHER_DIRECTORY" {
			writeErrors(w, http.StatusBadRequest, "user.domain.not.in.directory", msgDomainNotInDir)
			return
		}
	}
	e.withUser(w, r, func(s *scim11, u *user11) {
		if b.UserName != nil && !strings.EqualFold(*b.UserName, u.userName) {
			if _, dup := s.byName[strings.ToLower(*b.UserName)]; dup {
				writeErrors(w, http.StatusConflict, "user.already.exists", "User with userName "+*b.UserName+" already exists.")
				return
			}
			delete(s.byName, strings.ToLower(u.userName))
			u.userName = *b.UserName
			s.byName[strings.ToLower(u.userName)] = u.id
		}
		applyUser11(u, &b)
		if b.Workspace != nil && b.Workspace.Domain != nil {
			u.domain = *b.Workspace.Domain
		}
		u.mod, u.ver = time.Now().UTC(), u.ver+1
		w.WriteHeader(http.StatusNoContent)
	})
}

func (e *Emulator) scimDeleteUser(w http.ResponseWriter, r *http.Request) {
	e.withUser(w, r, func(s *scim11, u *user11) {
		id := u.id
		delete(s.byName, strings.ToLower(u.userName))
		delete(s.users, id)
		s.order = without(s.order, id)
		for _, g := range s.groups {
			if g.mset[id] {
				g.remove(id)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (g *group11) remove(id string) {
	delete(g.mset, id)
	g.members = without(g.members, id)
}

// add makes user id a member (once).
func (g *group11) add(id string) {
	if !g.mset[id] {
		g.mset[id] = true
		g.members = append(g.members, id)
	}
}

// without is ids less the first id equal to id.
func without(ids []string, id string) []string {
	if i := slices.Index(ids, id); i >= 0 {
		return slices.Delete(ids, i, i+1)
	}
	return ids
}

func (g *group11) attr(a string) []string {
	return attrOf(map[string]string{"displayname": g.name, "id": g.id, "domain": g.domain}, a)
}

func (e *Emulator) scimListGroups(w http.ResponseWriter, r *http.Request) {
	e.scimList(w, r, func(s *scim11, fe filter.Expression) []string {
		return matching(s.gorder, s.groups, fe, (*group11).attr)
	}, func(s *scim11, loc, id string) map[string]any { return s.groups[id].wire(loc, s) })
}

type groupBody11 struct {
	DisplayName *string `json:"displayName"`
	ExternalID  string  `json:"externalId"`
	Members     []struct {
		Value     string `json:"value"`
		Operation string `json:"operation"`
	} `json:"members"`
	Workspace *struct {
		Domain *string `json:"domain"`
	} `json:"urn:scim:schemas:extension:workspace:1.0"`
}

func (e *Emulator) scimCreateGroup(w http.ResponseWriter, r *http.Request) {
	var b groupBody11
	if !readJSON(w, r, &b) || !present(w, b.DisplayName, "displayName") {
		return
	}
	// Okta's group push sends no domain: the group lands in the System domain (the Okta SCIM to Access guide).
	domain := systemDomain
	if b.Workspace != nil && b.Workspace.Domain != nil && *b.Workspace.Domain != "" {
		domain = *b.Workspace.Domain
		if _, _, _, found := e.DirectoryForDomain(domain); !found && !strings.EqualFold(domain, systemDomain) {
			writeErrors(w, http.StatusBadRequest, "group.domain.invalid", "Domain "+domain+" does not belong to any directory.")
			return
		}
	}
	loc := e.scimLoc()
	s := &e.scim
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.groups {
		if strings.EqualFold(g.name, *b.DisplayName) && strings.EqualFold(g.domain, domain) {
			writeErrors(w, http.StatusConflict, "group.already.exists", "Group "+g.name+" already exists in domain "+domain+".")
			return
		}
	}
	now := time.Now().UTC()
	g := &group11{id: sandbox.NewUUID(), name: *b.DisplayName, domain: domain, ext: b.ExternalID, mset: map[string]bool{}, created: now, mod: now, ver: 1}
	for _, m := range b.Members {
		if s.users[m.Value] != nil {
			g.add(m.Value)
		}
	}
	s.groups[g.id] = g
	s.gorder = append(s.gorder, g.id)
	w.Header().Set("Location", loc+"/Groups/"+g.id)
	scimJSON(w, http.StatusCreated, g.wire(loc, s))
}

func (e *Emulator) scimGetGroup(w http.ResponseWriter, r *http.Request) {
	loc := e.scimLoc()
	e.withGroup(w, r, func(s *scim11, g *group11) {
		scimJSON(w, http.StatusOK, g.wire(loc, s))
	})
}

func (e *Emulator) scimPatchGroup(w http.ResponseWriter, r *http.Request) {
	var b groupBody11
	if !readJSON(w, r, &b) {
		return
	}
	e.withGroup(w, r, func(s *scim11, g *group11) {
		for _, m := range b.Members {
			if strings.EqualFold(m.Operation, "delete") {
				g.remove(m.Value)
				continue
			}
			if s.users[m.Value] == nil {
				writeErrors(w, http.StatusBadRequest, "member.not.found", "No user with id "+m.Value+".")
				return
			}
			g.add(m.Value)
		}
		if b.DisplayName != nil {
			g.name = *b.DisplayName
		}
		g.mod, g.ver = time.Now().UTC(), g.ver+1
		w.WriteHeader(http.StatusNoContent)
	})
}

func (e *Emulator) scimDeleteGroup(w http.ResponseWriter, r *http.Request) {
	e.withGroup(w, r, func(s *scim11, g *group11) {
		id := g.id
		delete(s.groups, id)
		s.gorder = without(s.gorder, id)
		w.WriteHeader(http.StatusNoContent)
	})
}
