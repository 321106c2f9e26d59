package uememu

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Handler serves the API. Paths are case-insensitive (/API/... and /api/... both work).
func (e *Emulator) Handler() http.Handler { return http.HandlerFunc(e.serve) }

type route struct {
	method   string
	pattern  []string // lower-case segments; "*" matches one segment
	versions []int
	// scope is the permission a role needs ("tags"); restricted clients lack "tags".
	scope string
	fn    func(e *Emulator, w http.ResponseWriter, r *http.Request, args []string, v int)
}

var routes = []route{
	{"GET", seg("/api/system/info"), []int{1}, "", (*Emulator).systemInfo},
	{"GET", seg("/api/system/groups/search"), []int{1, 2}, "groups", (*Emulator).groupsSearch},
	{"GET", seg("/api/system/groups/*"), []int{1}, "groups", (*Emulator).groupGet},
	{"GET", seg("/api/system/groups/*/children"), []int{1}, "groups", (*Emulator).groupChildren},
	{"GET", seg("/api/mdm/smartgroups/search"), []int{1}, "smartgroups", (*Emulator).smartGroupsSearch},
	{"GET", seg("/api/mdm/smartgroups/*"), []int{1}, "smartgroups", (*Emulator).smartGroupGet},
	{"GET", seg("/api/system/users/search"), []int{1}, "users", (*Emulator).usersSearch},
	{"GET", seg("/api/system/admins/search"), []int{1, 2}, "admins", (*Emulator).adminsSearch},
	{"GET", seg("/api/mdm/devices/search"), []int{1, 2, 3}, "devices", (*Emulator).devicesSearch},
	{"GET", seg("/api/mam/apps/search"), []int{1}, "apps", (*Emulator).appsSearch},
	{"GET", seg("/api/mam/apps/*/assignment-rules"), []int{2}, "apps", (*Emulator).rulesGet},
	{"PUT", seg("/api/mam/apps/*/assignment-rules"), []int{2}, "apps-write", (*Emulator).rulesPut},
	{"GET", seg("/api/mdm/tags/search"), []int{1}, "tags", (*Emulator).tagsSearch},
	{"POST", seg("/api/mdm/tags/*/adddevices"), []int{1}, "tags", (*Emulator).tagDevices},
	{"POST", seg("/api/mdm/tags/*/removedevices"), []int{1}, "tags", (*Emulator).tagDevices},
}

func seg(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

func match(pattern []string, path string) ([]string, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != len(pattern) {
		return nil, false
	}
	var args []string
	for i, p := range pattern {
		if p == "*" {
			args = append(args, parts[i])
			continue
		}
		if !strings.EqualFold(p, parts[i]) {
			return nil, false
		}
	}
	return args, true
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	lp := strings.ToLower(p)
	if lp == "/connect/token" || (strings.HasSuffix(lp, "/connect/token") && strings.Count(lp, "/") == 3) {
		e.token(w, r)
		return
	}
	var rt *route
	var args []string
	methodSeen := false
	for i := range routes {
		a, ok := match(routes[i].pattern, p)
		if !ok {
			continue
		}
		methodSeen = true
		if routes[i].method == r.Method {
			rt, args = &routes[i], a
			break
		}
	}
	if rt == nil {
		if methodSeen {
			e.fail(w, http.StatusMethodNotAllowed, 405, "The requested resource does not support http method '"+r.Method+"'.")
			return
		}
		e.fail(w, http.StatusNotFound, 404, "No HTTP resource was found that matches the request URI '"+p+"'.")
		return
	}
	client, ok := e.authenticate(w, r)
	if !ok {
		return
	}
	if !e.spend(w) {
		return
	}
	v, ok := version(r.Header.Get("Accept"))
	// Like the recorded session: a newer version than the endpoint has is served with the
	// newest it has (x-api-version tells which); an older one than it has is refused.
	if ok && !contains(rt.versions, v) {
		best := 0
		for _, sv := range rt.versions {
			if sv <= v && sv > best {
				best = sv
			}
		}
		v, ok = best, best > 0
	}
	if !ok {
		w.Header().Set("api-supported-versions", joinInts(rt.versions))
		e.fail(w, http.StatusNotAcceptable, 406, fmt.Sprintf("API version %d is not supported by this resource (supported: %s)", v, joinInts(rt.versions)))
		return
	}
	if client == RestrictedClientID && rt.scope == "tags" {
		e.fail(w, http.StatusForbidden, 1002, "User does not have the required permission to perform this operation: Tags - Read")
		return
	}
	w.Header().Set("x-api-version", "v"+strconv.Itoa(v))
	w.Header().Set("api-supported-versions", joinInts(rt.versions))
	rt.fn(e, w, r, args, v)
}

// version reads application/json;version=N (default 1).
func version(accept string) (int, bool) {
	if accept == "" {
		return 1, true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mt != "application/json" && mt != "*/*" && mt != "application/*" {
			continue
		}
		if s, ok := params["version"]; ok {
			n, err := strconv.Atoi(s)
			return n, err == nil
		}
		return 1, true
	}
	return 0, false
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func activityID() string {
	b := sandbox.RandHex(16)
	return b[:8] + "-" + b[8:12] + "-" + b[12:16] + "-" + b[16:20] + "-" + b[20:32]
}

func (e *Emulator) fail(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errorCode": code, "message": msg, "activityId": activityID()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-correlation-id", activityID())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// authenticate accepts a Bearer token from the token endpoint (with or without aw-tenant-code)
// or Basic with the API account and the tenant code.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(h, "Bearer "):
		tok := strings.TrimPrefix(h, "Bearer ")
		e.mu.Lock()
		ti, ok := e.tokens[tok]
		e.mu.Unlock()
		if !ok || e.now().After(ti.exp) {
			e.fail(w, http.StatusUnauthorized, 1005, "An error occurred while validating remote service client credentials or user not found : bearer token invalid or expired")
			return "", false
		}
		if tc := r.Header.Get("aw-tenant-code"); tc != "" && !eq(tc, e.tenantCode) {
			e.fail(w, http.StatusForbidden, 1013, "Tenant code "+mask(tc)+" does not identify an Organization Group.")
			return "", false
		}
		return ti.client, true
	case strings.HasPrefix(h, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		user, pass, _ := strings.Cut(string(raw), ":")
		if err != nil || user != BasicUser || !eq(pass, e.password) {
			e.fail(w, http.StatusUnauthorized, 1005, "An error occurred while validating remote service client credentials or user not found : "+user)
			return "", false
		}
		tc := r.Header.Get("aw-tenant-code")
		if tc == "" || !eq(tc, e.tenantCode) {
			e.fail(w, http.StatusForbidden, 1013, "Tenant code "+mask(tc)+" does not identify an Organization Group.")
			return "", false
		}
		return user, true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="AirWatch"`)
	e.fail(w, http.StatusUnauthorized, 1005, "Authorization header is missing")
	return "", false
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func mask(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:2] + strings.Repeat("*", len(s)-4) + s[len(s)-2:]
}

// spend counts the request against the quota and sets the x-ratelimit-* headers.
func (e *Emulator) spend(w http.ResponseWriter) bool {
	e.mu.Lock()
	now := e.now()
	if e.windowEnd.IsZero() || !now.Before(e.windowEnd) {
		e.used, e.windowEnd = 0, now.Add(e.window)
	}
	ok := e.used < e.quota
	if ok {
		e.used++
	}
	rem := e.quota - e.used
	end := e.windowEnd
	e.mu.Unlock()
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(e.quota))
	h.Set("x-ratelimit-remaining", strconv.Itoa(rem))
	h.Set("x-ratelimit-reset", strconv.FormatInt(end.Unix(), 10))
	if !ok {
		h.Set("Retry-After", strconv.Itoa(int(time.Until(end).Seconds())+1))
		e.fail(w, http.StatusTooManyRequests, 429, "API request limit reached for this tenant; it resets at "+end.UTC().Format(time.RFC3339))
	}
	return ok
}

// token is the OAuth client-credentials endpoint: form POST, client in the form or Basic.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost {
		oauthErr(http.StatusMethodNotAllowed, "invalid_request", "use POST")
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		oauthErr(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if form.Get("grant_type") != "client_credentials" {
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported")
		return
	}
	id, sec := form.Get("client_id"), form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, sec = u, p
	}
	var want string
	switch id {
	case OAuthClientID:
		want = e.oauthSecret
	case RestrictedClientID:
		want = e.restrictedSecret
	case DashboardClientID:
		want = e.dashboardSecret
	}
	if want == "" || !eq(sec, want) {
		oauthErr(http.StatusBadRequest, "invalid_client", "client authentication failed")
		return
	}
	tok := "uem." + sandbox.RandHex(24)
	e.mu.Lock()
	e.tokens[tok] = tokenInfo{client: id, exp: e.now().Add(time.Hour)}
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": 3600, "token_type": "Bearer", "scope": "api"})
}

// paging reads page/pagesize (0-based, max 500).
func paging(q url.Values) (int, int) {
	page, _ := strconv.Atoi(first(q, "page"))
	size, _ := strconv.Atoi(first(q, "pagesize"))
	if page < 0 {
		page = 0
	}
	if size <= 0 || size > 500 {
		size = 500
	}
	return page, size
}

// first reads a query parameter case-insensitively.
func first(q url.Values, k string) string {
	for key, v := range q {
		if strings.EqualFold(key, k) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func window[T any](xs []T, page, size int) []T {
	lo := page * size
	if lo >= len(xs) {
		return nil
	}
	hi := lo + size
	if hi > len(xs) {
		hi = len(xs)
	}
	return xs[lo:hi]
}

func has(hay, needle string) bool {
	return needle == "" || strings.Contains(strings.ToLower(hay), strings.ToLower(needle))
}

// writePage answers one page of a search: 204 when the page is empty, else the rows under key
// with the paging fields.
func writePage[T any](w http.ResponseWriter, q url.Values, key string, hits []T) {
	page, size := paging(q)
	rows := window(hits, page, size)
	if len(rows) == 0 {
		noContent(w)
		return
	}
	writeJSON(w, 200, map[string]any{key: rows, "Page": page, "PageSize": size, "Total": len(hits)})
}

// search answers a search: collect picks the matching rows under the lock, and one page of them
// is written under key.
func (e *Emulator) search(w http.ResponseWriter, r *http.Request, key string, collect func(q url.Values) []map[string]any) {
	q := r.URL.Query()
	e.mu.Lock()
	hits := collect(q)
	e.mu.Unlock()
	writePage(w, q, key, hits)
}

func noContent(w http.ResponseWriter) {
	w.Header().Set("x-correlation-id", activityID())
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) systemInfo(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	writeJSON(w, 200, map[string]any{"ProductName": "Workspace ONE UEM", "ProductVersion": ProductVersion,
		"ProductYear": 2024, "ProductMonth": 6})
}

func (e *Emulator) ogByID(id int) *og {
	for _, g := range e.ogs {
		if g.ID == id {
			return g
		}
	}
	return nil
}

func (e *Emulator) ogLevel(g *og) int {
	n := 0
	for p := g.Parent; p != 0; {
		n++
		pg := e.ogByID(p)
		if pg == nil {
			break
		}
		p = pg.Parent
	}
	return n
}

func (e *Emulator) ogV2(g *og) map[string]any {
	return map[string]any{"Id": g.ID, "Uuid": g.UUID, "Name": g.Name, "GroupId": g.GroupID, "LocationGroupType": g.Type,
		"Country": g.Country, "Locale": g.Locale, "CreatedOn": g.Created, "LgLevel": e.ogLevel(g),
		"Users": strconv.Itoa(g.Users), "Admins": strconv.Itoa(g.Admins), "Devices": strconv.Itoa(g.Devices)}
}

func (e *Emulator) ogV1(g *og) map[string]any {
	m := map[string]any{"Id": map[string]any{"Value": g.ID}, "Uuid": g.UUID, "Name": g.Name, "GroupId": g.GroupID,
		"LocationGroupType": g.Type, "Country": g.Country, "Locale": g.Locale, "CreatedOn": g.Created, "LgLevel": e.ogLevel(g),
		"Users": strconv.Itoa(g.Users), "Admins": strconv.Itoa(g.Admins), "Devices": strconv.Itoa(g.Devices)}
	if p := e.ogByID(g.Parent); p != nil {
		m["ParentLocationGroup"] = map[string]any{"Id": map[string]any{"Value": p.ID}, "Uuid": p.UUID}
	}
	return m
}

func (e *Emulator) groupsSearch(w http.ResponseWriter, r *http.Request, _ []string, v int) {
	q := r.URL.Query()
	e.mu.Lock()
	var hits []*og
	for _, g := range e.ogs {
		if has(g.GroupID, first(q, "groupid")) && has(g.Name, first(q, "name")) && has(g.Type, first(q, "type")) {
			hits = append(hits, g)
		}
	}
	page, size := paging(q)
	rows := window(hits, page, size)
	var out []map[string]any
	for _, g := range rows {
		if v >= 2 {
			out = append(out, e.ogV2(g))
		} else {
			out = append(out, e.ogV1(g))
		}
	}
	e.mu.Unlock()
	if len(out) == 0 {
		noContent(w)
		return
	}
	if v >= 2 {
		self := fmt.Sprintf("%s/API/system/groups/search?page=%d&pagesize=%d", e.url, page, size)
		writeJSON(w, 200, map[string]any{"OrganizationGroups": out,
			"AdditionalInfo": map[string]any{"Links": []any{map[string]any{"Rel": "self", "Href": self}}}, "TotalResults": len(hits)})
		return
	}
	writeJSON(w, 200, map[string]any{"LocationGroups": out, "Page": page, "PageSize": size, "Total": len(hits)})
}

// ogArg finds the OG whose numeric id is the path argument; when there is none it answers 404
// and returns nil. The caller holds e.mu.
func (e *Emulator) ogArg(w http.ResponseWriter, arg string) *og {
	id, _ := strconv.Atoi(arg)
	return orNotFound(e, w, e.ogByID(id), 660, "Organization group not found.")
}

// orNotFound returns x, having answered 404 with the API's code and message when x is nil.
func orNotFound[T any](e *Emulator, w http.ResponseWriter, x *T, code int, msg string) *T {
	if x == nil {
		e.fail(w, http.StatusNotFound, code, msg)
	}
	return x
}

func (e *Emulator) groupGet(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g := e.ogArg(w, args[0]); g != nil {
		writeJSON(w, 200, e.ogV1(g))
	}
}

// groupChildren returns the OG itself and every descendant, as the real endpoint does.
func (e *Emulator) groupChildren(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	root := e.ogArg(w, args[0])
	if root == nil {
		return
	}
	out := []map[string]any{e.ogV1(root)}
	var walk func(p int)
	walk = func(p int) {
		for _, g := range e.ogs {
			if g.Parent == p {
				out = append(out, e.ogV1(g))
				walk(g.ID)
			}
		}
	}
	walk(root.ID)
	writeJSON(w, 200, out)
}

// visible reports whether an object managed at OG managed is visible from OG at (same OG or an ancestor).
func (e *Emulator) visible(managed, at int) bool {
	if at == 0 {
		return true
	}
	if found, whole := e.within(at, managed); found || !whole {
		return found
	}
	// also visible from an ancestor of the managing OG
	found, _ := e.within(managed, at)
	return found
}

// within reports whether ancestor is og itself or one of its parents; whole is false when the
// walk met an unknown OG.
func (e *Emulator) within(og, ancestor int) (found, whole bool) {
	for p := og; p != 0; {
		if p == ancestor {
			return true, true
		}
		g := e.ogByID(p)
		if g == nil {
			return false, false
		}
		p = g.Parent
	}
	return false, true
}

func (e *Emulator) sgJSON(g *smartGroup) map[string]any {
	name := ""
	if o := e.ogByID(g.Managed); o != nil {
		name = o.Name
	}
	return map[string]any{"Name": g.Name, "SmartGroupID": g.ID, "SmartGroupUuid": g.UUID,
		"ManagedByOrganizationGroupId": strconv.Itoa(g.Managed), "ManagedByOrganizationGroupName": name, "Devices": g.Devices,
		"Assignments": 0, "Exclusions": 0}
}

func (e *Emulator) smartGroupsSearch(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	e.search(w, r, "SmartGroups", func(q url.Values) (hits []map[string]any) {
		og, _ := strconv.Atoi(first(q, "organizationgroupid"))
		for _, g := range e.sgs {
			if has(g.Name, first(q, "name")) && e.visible(g.Managed, og) {
				hits = append(hits, e.sgJSON(g))
			}
		}
		return hits
	})
}

func (e *Emulator) smartGroupGet(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.sgs {
		if strconv.Itoa(g.ID) == args[0] || strings.EqualFold(g.UUID, args[0]) {
			writeJSON(w, 200, e.sgJSON(g))
			return
		}
	}
	e.fail(w, http.StatusNotFound, 404, "Smart group not found.")
}

func (e *Emulator) usersSearch(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	e.search(w, r, "Users", func(q url.Values) (hits []map[string]any) {
		for _, u := range e.users {
			if has(u.UserName, first(q, "username")) && has(u.Email, first(q, "email")) &&
				has(u.FirstName, first(q, "firstname")) && has(u.LastName, first(q, "lastname")) {
				hits = append(hits, map[string]any{"Id": map[string]any{"Value": u.ID}, "Uuid": u.UUID, "UserName": u.UserName,
					"Email": u.Email, "FirstName": u.FirstName, "LastName": u.LastName, "Status": true,
					"LocationGroupId": strconv.Itoa(u.OG), "SecurityType": 2})
			}
		}
		return hits
	})
}

func (e *Emulator) admins() []map[string]any {
	acme := e.ogByID(acmeID)
	role := func(name string) []any {
		return []any{map[string]any{"uuid": "db089645-68c7-4df4-888d-ec5c511c1a6c", "organizationGroupUuid": acme.UUID, "Name": name,
			"LocationGroup": acme.Name, "LocationGroupId": strconv.Itoa(acme.ID), "IsActive": true, "UserLinkId": 0}}
	}
	mk := func(uuid, user, first, last, email, roleName string) map[string]any {
		return map[string]any{"uuid": uuid, "username": user, "firstName": first, "lastName": last, "email": email,
			"LocationGroup": acme.Name, "LocationGroupId": strconv.Itoa(acme.ID), "organizationGroupUuid": acme.UUID,
			"timeZone": "UTC", "locale": "en-US", "initialLandingPage": "/Device/Dashboard", "LastLoginTimeStamp": "2024-06-01T09:00:00.000",
			"roles": role(roleName), "messageTemplateId": 0, "messageTemplateUuid": "00000000-0000-0000-0000-000000000000"}
	}
	return []map[string]any{
		mk("c0f5e60a-c1e1-480f-902c-3d864294153e", "acme.admin", "ACME", "Admin", "admin@acme.example", "AirWatch Administrator"),
		mk("e291bbe4-dc42-4205-834e-a3cb254c134d", BasicUser, "flowsctl", "API", "api@acme.example", "API Integration"),
	}
}

func (e *Emulator) adminsSearch(w http.ResponseWriter, r *http.Request, _ []string, v int) {
	key := "admins"
	if v < 2 {
		key = "Admins"
	}
	e.search(w, r, key, func(q url.Values) (hits []map[string]any) {
		for _, a := range e.admins() {
			if has(a["username"].(string), first(q, "username")) {
				hits = append(hits, a)
			}
		}
		return hits
	})
}

func (e *Emulator) devicesSearch(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	e.search(w, r, "Devices", func(q url.Values) (hits []map[string]any) {
		lg, _ := strconv.Atoi(first(q, "lgid"))
		for _, d := range e.devs {
			var u user
			for _, x := range e.users {
				if x.ID == d.User {
					u = x
				}
			}
			if !has(u.UserName, first(q, "user")) || !has(d.Platform, first(q, "platform")) || !has(d.Model, first(q, "model")) {
				continue
			}
			if lg != 0 && d.OG != lg {
				continue
			}
			og := e.ogByID(d.OG)
			hits = append(hits, map[string]any{"Id": map[string]any{"Value": d.ID}, "Uuid": d.UUID, "Udid": strings.ReplaceAll(d.UUID, "-", ""),
				"SerialNumber": d.Serial, "DeviceFriendlyName": d.Name,
				"LocationGroupId": map[string]any{"Id": map[string]any{"Value": og.ID}, "Name": og.Name, "Uuid": og.UUID},
				"UserId":          map[string]any{"Id": map[string]any{"Value": u.ID}, "Name": u.FirstName + " " + u.LastName, "Uuid": u.UUID},
				"UserName":        u.UserName, "UserEmailAddress": u.Email, "Ownership": "C", "Platform": d.Platform, "Model": d.Model,
				"OperatingSystem": d.OS, "LastSeen": "2024-06-01T08:00:00.000", "EnrollmentStatus": "Enrolled", "ComplianceStatus": "Compliant",
				"CompromisedStatus": false})
		}
		return hits
	})
}

func (e *Emulator) appJSON(a *app) map[string]any {
	return map[string]any{"Id": map[string]any{"Value": a.ID}, "Uuid": a.UUID, "ApplicationName": a.Name, "BundleId": a.BundleID,
		"AppType": a.AppType, "Platform": a.Platform, "Status": a.Status, "LocationGroupId": a.OG, "AssignmentStatus": "Assigned"}
}

func (e *Emulator) appsSearch(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	e.search(w, r, "Application", func(q url.Values) (hits []map[string]any) {
		lg, _ := strconv.Atoi(first(q, "locationgroupid"))
		for _, a := range e.apps {
			t := first(q, "applicationtype")
			if !has(a.Name, first(q, "applicationname")) || (t != "" && !strings.EqualFold(t, a.AppType)) ||
				!has(a.BundleID, first(q, "bundleid")) || !e.visible(a.OG, lg) {
				continue
			}
			hits = append(hits, e.appJSON(a))
		}
		return hits
	})
}

func (e *Emulator) appByUUID(id string) *app {
	for _, a := range e.apps {
		if strings.EqualFold(a.UUID, id) {
			return a
		}
	}
	return nil
}

// appArg finds the application whose UUID is the path argument; when there is none it answers
// 404 and returns nil. The caller holds e.mu.
func (e *Emulator) appArg(w http.ResponseWriter, id string) *app {
	return orNotFound(e, w, e.appByUUID(id), 404, "Application not found.")
}

func (e *Emulator) rulesGet(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.appArg(w, args[0]); a != nil {
		writeJSON(w, 200, a.Rules)
	}
}

var configTypes = map[string]bool{"STRING": true, "BOOLEAN": true, "INTEGER": true}

// rulesPut replaces the assignment rules (202). It validates what the console would reject:
// unknown smart groups, application_configuration entries without key/type, values not matching
// their type.
func (e *Emulator) rulesPut(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		e.fail(w, http.StatusBadRequest, 400, "unreadable body")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		e.fail(w, http.StatusBadRequest, 400, "The request is invalid: "+err.Error())
		return
	}
	list, ok := doc["assignments"].([]any)
	if !ok {
		e.fail(w, http.StatusBadRequest, 400, "The request is invalid: assignments is required")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.appArg(w, args[0])
	if a == nil {
		return
	}
	for i, x := range list {
		as, ok := x.(map[string]any)
		if !ok {
			e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("assignments[%d] is not an object", i))
			return
		}
		d, _ := as["distribution"].(map[string]any)
		sgs, _ := d["smart_groups"].([]any)
		if len(sgs) == 0 {
			e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("assignments[%d].distribution.smart_groups is required", i))
			return
		}
		for _, s := range sgs {
			id, _ := s.(string)
			found := false
			for _, g := range e.sgs {
				found = found || strings.EqualFold(g.UUID, id)
			}
			if !found {
				e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("assignments[%d]: smart group %v does not exist", i, s))
				return
			}
		}
		cfg, _ := as["application_configuration"].([]any)
		for j, c := range cfg {
			m, _ := c.(map[string]any)
			k, _ := m["key"].(string)
			t, _ := m["type"].(string)
			v := fmt.Sprint(m["value"])
			switch {
			case k == "":
				e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("assignments[%d].application_configuration[%d].key is required", i, j))
				return
			case !configTypes[strings.ToUpper(t)]:
				e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("assignments[%d].application_configuration[%d] (%s): type %q is not STRING, BOOLEAN or INTEGER", i, j, k, t))
				return
			case strings.EqualFold(t, "BOOLEAN") && v != "true" && v != "false":
				e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("application_configuration %s: %q is not a boolean", k, v))
				return
			case strings.EqualFold(t, "INTEGER"):
				if _, err := strconv.Atoi(v); err != nil {
					e.fail(w, http.StatusBadRequest, 400, fmt.Sprintf("application_configuration %s: %q is not an integer", k, v))
					return
				}
			}
		}
	}
	var stored map[string]any
	json.Unmarshal(body, &stored)
	if _, ok := stored["excluded_smart_groups"]; !ok {
		stored["excluded_smart_groups"] = []any{}
	}
	a.Rules = stored
	w.Header().Set("x-correlation-id", activityID())
	w.WriteHeader(http.StatusAccepted)
}

func (e *Emulator) tagsSearch(w http.ResponseWriter, r *http.Request, _ []string, _ int) {
	e.search(w, r, "Tags", func(q url.Values) (hits []map[string]any) {
		for _, t := range e.tags {
			if has(t.Name, first(q, "name")) {
				hits = append(hits, map[string]any{"Id": map[string]any{"Value": t.ID}, "TagName": t.Name, "TagType": t.Type,
					"LocationGroupId": t.OG, "TagAvatar": strings.ToUpper(t.Name[:1])})
			}
		}
		return hits
	})
}

// tagDevices adds or removes devices on a tag (body {"BulkValues":{"Value":[ids]}}). The
// sandbox keeps no device-tag links: it validates, counts and answers like the API.
func (e *Emulator) tagDevices(w http.ResponseWriter, r *http.Request, args []string, _ int) {
	found := false
	e.mu.Lock()
	for _, t := range e.tags {
		found = found || strconv.Itoa(t.ID) == args[0]
	}
	e.mu.Unlock()
	if !found {
		e.fail(w, http.StatusNotFound, 404, "Tag "+args[0]+" not found")
		return
	}
	var body struct {
		BulkValues struct {
			Value []string `json:"Value"`
		} `json:"BulkValues"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		e.fail(w, http.StatusBadRequest, 400, "invalid body: "+err.Error())
		return
	}
	n := len(body.BulkValues.Value)
	writeJSON(w, http.StatusOK, map[string]any{"TotalItems": n, "AcceptedItems": n, "FailedItems": 0})
}

// State: one key per collection, in the API's field names.
func (e *Emulator) State() any {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ogs, sgs, apps, tags []map[string]any
	for _, g := range e.ogs {
		m := e.ogV2(g)
		m["ParentId"] = g.Parent
		ogs = append(ogs, m)
	}
	for _, g := range e.sgs {
		sgs = append(sgs, e.sgJSON(g))
	}
	for _, a := range e.apps {
		m := e.appJSON(a)
		var rules map[string]any
		b, _ := json.Marshal(a.Rules)
		json.Unmarshal(b, &rules)
		m["assignment_rules"] = rules
		apps = append(apps, m)
	}
	for _, t := range e.tags {
		tags = append(tags, map[string]any{"Id": map[string]any{"Value": t.ID}, "TagName": t.Name, "TagType": t.Type})
	}
	sort.Slice(ogs, func(i, j int) bool { return ogs[i]["Id"].(int) < ogs[j]["Id"].(int) })
	used, quota := e.used, e.quota
	return map[string]any{
		"OrganizationGroups": ogs,
		"SmartGroups":        sgs,
		"Application":        apps,
		"Tags":               tags,
		"admins":             e.admins(),
		"RateLimit":          map[string]any{"limit": quota, "used": used},
		"OAuthClients": []any{
			map[string]any{"clientId": OAuthClientID, "role": "API Integration"},
			map[string]any{"clientId": RestrictedClientID, "role": "Read Only (no tags)"},
		},
	}
}
