package oktaemu

import (
	"net/http"
	"slices"
)

func (e *Emulator) appGroupWire(a *app, g *appGroup) map[string]any {
	self := e.url + "/api/v1/apps/" + a.id + "/groups/" + g.id
	return map[string]any{"id": g.id, "priority": g.priority, "lastUpdated": stamp(g.updated), "profile": map[string]any{},
		"_links": map[string]any{"self": map[string]any{"href": self}, "app": map[string]any{"href": e.url + "/api/v1/apps/" + a.id},
			"group": map[string]any{"href": e.url + "/api/v1/groups/" + g.id}}}
}

func (e *Emulator) listAppGroups(w http.ResponseWriter, r *http.Request, a *app) {
	listPage(e, w, r, a.groups, func(g *appGroup) string { return g.id },
		func(g *appGroup) map[string]any { return e.appGroupWire(a, g) }, 20, 200)
}

func (a *app) group(id string) *appGroup {
	return byID(a.groups, id, func(x *appGroup) string { return x.id })
}

func (e *Emulator) getAppGroup(w http.ResponseWriter, r *http.Request, a *app) {
	if g := lookup(w, r, "groupId", "AppGroup", a.group); g != nil {
		writeJSON(w, http.StatusOK, e.appGroupWire(a, g))
	}
}

// assignGroup is PUT /apps/{appId}/groups/{groupId}: the group's users become app users and
// are provisioned when the app provisions.
func (e *Emulator) assignGroup(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Priority *int `json:"priority"`
	}
	a := e.readAndLockApp(w, r, &b)
	if a == nil {
		return
	}
	gid := r.PathValue("groupId")
	if e.findGroup(gid) == nil {
		e.mu.Unlock()
		notFound(w, gid, "UserGroup")
		return
	}
	if b.Priority != nil && *b.Priority < 0 {
		e.mu.Unlock()
		invalid(w, "priority", "priority must be 0 or more")
		return
	}
	g := a.group(gid)
	if g == nil {
		g = &appGroup{id: gid, priority: len(a.groups)}
		a.groups = append(a.groups, g)
	}
	if b.Priority != nil {
		g.priority = *b.Priority
	}
	g.updated = e.now().UTC()
	e.syncAppUsersLocked(a)
	e.provisionAndReply(w, r, a.id, true, http.StatusOK, func() map[string]any { return e.appGroupWire(a, g) })
}

func (e *Emulator) unassignGroup(w http.ResponseWriter, r *http.Request, a *app) {
	i := indexOr404(w, r, "groupId", "AppGroup", a.groups, func(g *appGroup) string { return g.id })
	if i < 0 {
		return
	}
	a.groups = slices.Delete(a.groups, i, i+1)
	e.syncAppUsersLocked(a)
	w.WriteHeader(http.StatusNoContent)
}

// syncAppUsersLocked makes the app users those of the assigned groups, with profiles
// evaluated from the app's profile mapping.
func (e *Emulator) syncAppUsersLocked(a *app) {
	now := e.now().UTC()
	via := map[string][]string{}
	var order []string
	for _, ag := range a.groups {
		g := e.findGroup(ag.id)
		if g == nil {
			continue
		}
		for _, uid := range g.members {
			if _, seen := via[uid]; !seen {
				order = append(order, uid)
			}
			via[uid] = append(via[uid], g.id)
		}
	}
	m := e.findMapping(a.mapping)
	var kept []*appUser
	for _, uid := range order {
		i := slices.IndexFunc(a.appUsers, func(au *appUser) bool { return au.id == uid })
		var au *appUser
		if i >= 0 {
			au = a.appUsers[i]
		} else {
			au = &appUser{id: uid, status: "STAGED", syncState: "DISABLED", created: now, updated: now}
		}
		au.groups = via[uid]
		if u := e.findUser(uid); u != nil && m != nil {
			p := m.evaluate(u)
			if !equalProfile(p, au.profile) {
				au.profile, au.updated = p, now
			}
		}
		if !provisioningOn(a) && au.syncState != "ERROR" {
			au.syncState = "DISABLED"
		}
		kept = append(kept, au)
	}
	a.appUsers = kept
}

func equalProfile(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (e *Emulator) appUserWire(a *app, au *appUser) map[string]any {
	prof := map[string]any{}
	for k, v := range au.profile {
		prof[k] = v
	}
	m := map[string]any{
		"id": au.id, "scope": "GROUP", "status": au.status, "syncState": au.syncState,
		"created": stamp(au.created), "lastUpdated": stamp(au.updated), "statusChanged": stamp(au.updated),
		"credentials": map[string]any{"userName": au.profile["userName"]}, "profile": prof,
		"_links": map[string]any{"app": map[string]any{"href": e.url + "/api/v1/apps/" + a.id},
			"user": map[string]any{"href": e.url + "/api/v1/users/" + au.id}},
	}
	setOptional(m, map[string]any{"externalId": au.externalID, "lastSync": au.lastSync, "errorSummary": au.errorSummary})
	return m
}

func (e *Emulator) listAppUsers(w http.ResponseWriter, r *http.Request, a *app) {
	listPage(e, w, r, a.appUsers, func(u *appUser) string { return u.id },
		func(u *appUser) map[string]any { return e.appUserWire(a, u) }, 50, 500)
}

func (a *app) appUser(id string) *appUser {
	return byID(a.appUsers, id, func(x *appUser) string { return x.id })
}

func (e *Emulator) getAppUser(w http.ResponseWriter, r *http.Request, a *app) {
	if au := lookup(w, r, "userId", "AppUser", a.appUser); au != nil {
		writeJSON(w, http.StatusOK, e.appUserWire(a, au))
	}
}
