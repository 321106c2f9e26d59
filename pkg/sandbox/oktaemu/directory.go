package oktaemu

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

type user struct {
	id, login, email, first, last, status string
	created, updated                      time.Time
}

type group struct {
	id, name, desc, typ string
	members             []string // user ids
	created, updated    time.Time
}

// attr is a profile attribute for expressions and searches ("" and false when unknown).
func (u *user) attr(name string) (string, bool) {
	v, ok := map[string]string{"login": u.login, "email": u.email, "firstName": u.first, "lastName": u.last,
		"displayName": u.first + " " + u.last, "id": u.id, "status": u.status}[name]
	return v, ok
}

func (u *user) searchAttr(name string) (string, bool) {
	if p, ok := strings.CutPrefix(name, "profile."); ok {
		if p == "id" || p == "status" {
			return "", false
		}
		return u.attr(p)
	}
	if name == "id" || name == "status" {
		return u.attr(name)
	}
	return "", false
}

func (e *Emulator) userWire(u *user) map[string]any {
	return map[string]any{
		"id": u.id, "status": u.status, "created": stamp(u.created), "activated": stamp(u.created), "statusChanged": stamp(u.created),
		"lastLogin": nil, "lastUpdated": stamp(u.updated), "passwordChanged": stamp(u.created),
		"type":        map[string]any{"id": DefaultUserType},
		"profile":     map[string]any{"login": u.login, "email": u.email, "firstName": u.first, "lastName": u.last, "mobilePhone": nil, "secondEmail": nil},
		"credentials": map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
		"_links":      map[string]any{"self": map[string]any{"href": e.url + "/api/v1/users/" + u.id}},
	}
}

func (g *group) searchAttr(name string) (string, bool) {
	v, ok := map[string]string{"id": g.id, "type": g.typ, "profile.name": g.name, "profile.description": g.desc}[name]
	return v, ok
}

func (e *Emulator) groupWire(g *group) map[string]any {
	return map[string]any{
		"id": g.id, "created": stamp(g.created), "lastUpdated": stamp(g.updated), "lastMembershipUpdated": stamp(g.updated),
		"objectClass": []string{"okta:user_group"}, "type": g.typ,
		"profile": map[string]any{"name": g.name, "description": g.desc},
		"_links": map[string]any{
			"self":  map[string]any{"href": e.url + "/api/v1/groups/" + g.id},
			"users": map[string]any{"href": e.url + "/api/v1/groups/" + g.id + "/users"},
			"apps":  map[string]any{"href": e.url + "/api/v1/groups/" + g.id + "/apps"},
		},
	}
}

func (e *Emulator) userByID(id string) map[string]any { return e.userWire(e.findUser(id)) }

func (e *Emulator) findUser(id string) *user {
	for _, u := range e.users {
		if u.id == id || strings.EqualFold(u.login, id) {
			return u
		}
	}
	return nil
}

func (e *Emulator) findGroup(id string) *group {
	return byID(e.groups, id, func(g *group) string { return g.id })
}

// search filters objects by q (prefix of qAttrs), and search/filter expressions.
func search[T any](w http.ResponseWriter, r *http.Request, objs []T, id func(T) string, get func(T, string) (string, bool), qAttrs []string) ([]string, bool) {
	q := r.URL.Query()
	var exprs [][]clause
	for _, p := range []string{"search", "filter"} {
		if s := q.Get(p); s != "" {
			cs, err := parseExpr(s, "eq", "sw")
			if err == nil && len(objs) > 0 {
				_, err = matches(cs, func(a string) (string, bool) { return get(objs[0], a) })
			}
			if err != nil {
				invalid(w, p, err.Error())
				return nil, false
			}
			exprs = append(exprs, cs)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	var ids []string
	for _, o := range objs {
		if prefix != "" && !slices.ContainsFunc(qAttrs, func(a string) bool {
			v, _ := get(o, a)
			return strings.HasPrefix(strings.ToLower(v), prefix)
		}) {
			continue
		}
		ok := true
		for _, cs := range exprs {
			m, _ := matches(cs, func(a string) (string, bool) { return get(o, a) })
			ok = ok && m
		}
		if ok {
			ids = append(ids, id(o))
		}
	}
	return ids, true
}

func (e *Emulator) listGroups(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids, ok := search(w, r, e.groups, func(g *group) string { return g.id }, (*group).searchAttr, []string{"profile.name"})
	if !ok {
		return
	}
	listPage(e, w, r, ids, func(id string) string { return id }, func(id string) map[string]any { return e.groupWire(e.findGroup(id)) }, 200, 10000)
}

func (e *Emulator) getGroup(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := lookup(w, r, "groupId", "UserGroup", e.findGroup); g != nil {
		writeJSON(w, http.StatusOK, e.groupWire(g))
	}
}

func (e *Emulator) listGroupUsers(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := lookup(w, r, "groupId", "UserGroup", e.findGroup); g != nil {
		listPage(e, w, r, g.members, func(id string) string { return id }, e.userByID, 200, 10000)
	}
}

func (e *Emulator) listUsers(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids, ok := search(w, r, e.users, func(u *user) string { return u.id }, (*user).searchAttr,
		[]string{"profile.login", "profile.email", "profile.firstName", "profile.lastName"})
	if !ok {
		return
	}
	listPage(e, w, r, ids, func(id string) string { return id }, e.userByID, 200, 200)
}

func (e *Emulator) getUser(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if u := lookup(w, r, "userId", "User", e.findUser); u != nil {
		writeJSON(w, http.StatusOK, e.userWire(u))
	}
}
