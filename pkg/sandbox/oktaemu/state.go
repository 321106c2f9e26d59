package oktaemu

// State has the collections under the API's names and field names; secrets and connection
// tokens never appear.
func (e *Emulator) State() any {
	e.mu.Lock()
	defer e.mu.Unlock()
	apps, users, groups, mappings := []any{}, []any{}, []any{}, []any{}
	appGroups, appUsers, pushes := map[string]any{}, map[string]any{}, map[string]any{}
	conns, feats := map[string]any{}, map[string]any{}
	for _, a := range e.apps {
		apps = append(apps, e.appWire(a, ""))
		ag, au, gp := []any{}, []any{}, []any{}
		for _, g := range a.groups {
			ag = append(ag, e.appGroupWire(a, g))
		}
		for _, u := range a.appUsers {
			au = append(au, e.appUserWire(a, u))
		}
		for _, p := range a.pushes {
			gp = append(gp, e.pushWire(a, p))
		}
		appGroups[a.id], appUsers[a.id], pushes[a.id] = ag, au, gp
		conns[a.id] = e.connectionWire(a)
		if provisioningOn(a) {
			feats[a.id] = []any{e.featureWire(a)}
		} else {
			feats[a.id] = []any{}
		}
	}
	for _, u := range e.users {
		users = append(users, e.userWire(u))
	}
	for _, g := range e.groups {
		groups = append(groups, e.groupWire(g))
	}
	for _, m := range e.mappings {
		mappings = append(mappings, e.mappingWire(m, true))
	}
	return map[string]any{"apps": apps, "users": users, "groups": groups, "appGroups": appGroups, "appUsers": appUsers,
		"groupPushMappings": pushes, "mappings": mappings, "connections": conns, "features": feats}
}
