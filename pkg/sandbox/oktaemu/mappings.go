package oktaemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type profileMapping struct {
	id, appID, appName string
	props              map[string]mappingProp
	order              []string
}

type mappingProp struct{ expression, pushStatus string }

// defaultMapping is what Okta maps when a catalog app is added.
func defaultMapping(name string) [][2]string {
	switch name {
	case AppAccess:
		return [][2]string{{"userName", "user.login"}, {"firstName", "user.firstName"}, {"lastName", "user.lastName"}, {"email", "user.email"}}
	case AppSCIM2:
		return [][2]string{{"userName", "user.login"}, {"givenName", "user.firstName"}, {"familyName", "user.lastName"}, {"email", "user.email"}}
	}
	return [][2]string{{"userName", "user.login"}, {"email", "user.email"}}
}

// addMappingLocked creates the Okta user -> app user mapping of a new app.
func (e *Emulator) addMappingLocked(a *app) {
	m := &profileMapping{id: newID("prm"), appID: a.id, appName: a.name, props: map[string]mappingProp{}}
	for _, kv := range defaultMapping(a.name) {
		m.props[kv[0]] = mappingProp{kv[1], "PUSH"}
		m.order = append(m.order, kv[0])
	}
	e.mappings = append(e.mappings, m)
	a.mapping = m.id
}

func (e *Emulator) findMapping(id string) *profileMapping {
	return byID(e.mappings, id, func(x *profileMapping) string { return x.id })
}

// evaluate computes the app user profile for u: a constant string literal or user.<attr>.
func (m *profileMapping) evaluate(u *user) map[string]string {
	out := map[string]string{}
	for _, k := range m.order {
		v, _ := evalExpr(m.props[k].expression, u)
		out[k] = v
	}
	return out
}

// evalExpr evaluates the expression language subset: "literal" or user.attr. ok is false for
// anything else.
func evalExpr(expr string, u *user) (string, bool) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, `"`) {
		var s string
		if json.Unmarshal([]byte(expr), &s) != nil {
			return "", false
		}
		return s, true
	}
	if attr, ok := strings.CutPrefix(expr, "user."); ok {
		if u == nil {
			u = &user{}
		}
		return u.attr(attr)
	}
	return "", false
}

func (e *Emulator) mappingWire(m *profileMapping, withProps bool) map[string]any {
	out := map[string]any{
		"id":     m.id,
		"source": map[string]any{"id": DefaultUserType, "name": "user", "type": "user", "_links": map[string]any{"self": map[string]any{"href": e.url + "/api/v1/meta/types/user/" + DefaultUserType}, "schema": map[string]any{"href": e.url + "/api/v1/meta/schemas/user/default"}}},
		"target": map[string]any{"id": m.appID, "name": m.appName, "type": "appuser", "_links": map[string]any{"self": map[string]any{"href": e.url + "/api/v1/apps/" + m.appID}, "schema": map[string]any{"href": e.url + "/api/v1/meta/schemas/apps/" + m.appID + "/default"}}},
		"_links": map[string]any{"self": map[string]any{"href": e.url + "/api/v1/mappings/" + m.id}},
	}
	if withProps {
		p := map[string]any{}
		for _, k := range m.order {
			p[k] = map[string]any{"expression": m.props[k].expression, "pushStatus": m.props[k].pushStatus}
		}
		out["properties"] = p
	}
	return out
}

func (e *Emulator) listMappings(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	src, tgt := q.Get("sourceId"), q.Get("targetId")
	e.mu.Lock()
	defer e.mu.Unlock()
	var found []*profileMapping
	for _, m := range e.mappings {
		// Every mapping here has the default user type as its source.
		if (src == "" || src == DefaultUserType) && (tgt == "" || tgt == m.appID) {
			found = append(found, m)
		}
	}
	listPage(e, w, r, found, func(m *profileMapping) string { return m.id },
		func(m *profileMapping) map[string]any { return e.mappingWire(m, false) }, 20, 200)
}

func (e *Emulator) getMapping(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m := lookup(w, r, "mappingId", "ProfileMapping", e.findMapping); m != nil {
		writeJSON(w, http.StatusOK, e.mappingWire(m, true))
	}
}

// updateMapping merges properties (a null value removes one) and re-provisions the app.
func (e *Emulator) updateMapping(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Properties map[string]*struct {
			Expression string `json:"expression"`
			PushStatus string `json:"pushStatus"`
		} `json:"properties"`
	}
	if !readBody(w, r, &b) {
		return
	}
	if b.Properties == nil {
		invalid(w, "properties", "The field cannot be left blank")
		return
	}
	e.mu.Lock()
	m := lookup(w, r, "mappingId", "ProfileMapping", e.findMapping)
	if m == nil {
		e.mu.Unlock()
		return
	}
	known := appSchemaBase(m.appName)
	keys := make([]string, 0, len(b.Properties))
	for k := range b.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := b.Properties[k]
		var cause string
		switch {
		case !slices.Contains(known, k):
			cause = "Property " + strconv.Quote(k) + " does not exist in the target app user schema"
		case p == nil:
		case p.PushStatus != "" && p.PushStatus != "PUSH" && p.PushStatus != "DONT_PUSH":
			cause = "pushStatus must be PUSH or DONT_PUSH"
		default:
			if _, ok := evalExpr(p.Expression, nil); !ok {
				cause = "Invalid expression " + strconv.Quote(p.Expression) + ": use a string literal or user.<attribute>"
			}
		}
		if cause != "" {
			e.mu.Unlock()
			invalid(w, "properties", cause)
			return
		}
	}
	for _, k := range keys {
		p := b.Properties[k]
		if p == nil {
			delete(m.props, k)
			m.order = slices.DeleteFunc(m.order, func(x string) bool { return x == k })
			continue
		}
		ps := p.PushStatus
		if ps == "" {
			ps = "PUSH"
		}
		if _, had := m.props[k]; !had {
			m.order = append(m.order, k)
		}
		m.props[k] = mappingProp{p.Expression, ps}
	}
	if a := e.findApp(m.appID); a != nil {
		e.syncAppUsersLocked(a)
	}
	appID := m.appID
	e.provisionAndReply(w, r, appID, true, http.StatusOK, func() map[string]any { return e.mappingWire(m, true) })
}
