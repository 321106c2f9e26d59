package oktaemu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }

// randToken is n random URL-safe characters (client secrets).
func randToken(n int) string {
	s := ""
	for len(s) < n {
		s += newID("")
	}
	return s[:n]
}

func hashB64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// provisionBudget bounds one synchronous provisioning pass.
const provisionBudget = 30 * time.Second

// provision runs one synchronous provisioning pass for the app: create the app users not yet
// in the target (when create is enabled), update those whose mapped values changed (when
// profile updates are enabled), and push the ACTIVE group push mappings. Nothing is sent for
// what the target already has, so a second pass is silent.
func (e *Emulator) provision(ctx context.Context, appID string) {
	e.prov.Lock()
	defer e.prov.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), provisionBudget)
	defer cancel()

	e.mu.Lock()
	a := e.findApp(appID)
	if a == nil || !provisioningOn(a) || e.client == nil {
		if a != nil {
			e.syncAppUsersLocked(a)
		}
		e.mu.Unlock()
		return
	}
	e.syncAppUsersLocked(a)
	t := &target{c: e.client, base: a.conn.baseURL, token: a.conn.token, v11: a.name == AppAccess}
	create, update := a.caps.create == "ENABLED", a.caps.profile == "ENABLED"
	type job struct {
		au              *appUser
		ext             string
		profile, pushed map[string]string
	}
	var jobs []job
	for _, au := range a.appUsers {
		jobs = append(jobs, job{au, au.externalID, au.profile, au.pushed})
	}
	e.mu.Unlock()

	for _, j := range jobs {
		var ext string
		var err error
		event := EventUserPush
		switch {
		case j.ext == "" && create:
			ext, err = retryTask(ctx, func() (string, error) { return t.createUser(ctx, j.au.id, j.profile) })
		case j.ext != "" && update && !equalProfile(j.profile, j.pushed):
			ext, event = j.ext, EventUserPushProfile
			_, err = retryTask(ctx, func() (struct{}, error) {
				return struct{}{}, t.updateUser(ctx, j.au.id, j.ext, j.profile, j.pushed)
			})
		default:
			continue
		}
		e.mu.Lock()
		now := e.now().UTC()
		au := j.au
		au.lastSync, au.updated = now, now
		if err != nil {
			au.syncState, au.errorSummary = "ERROR", err.Error()
			e.logProvisioningErrorLocked(a, au, event, err.Error())
		} else {
			au.externalID, au.status, au.syncState, au.errorSummary, au.pushed = ext, "PROVISIONED", "SYNCHRONIZED", "", j.profile
		}
		e.mu.Unlock()
	}

	e.mu.Lock()
	type pushJob struct {
		p       *pushMapping
		name    string
		target  string
		members []string
		pushed  []string
	}
	var pushes []pushJob
	for _, p := range a.pushes {
		if p.status != "ACTIVE" {
			continue
		}
		g := e.findGroup(p.source)
		if g == nil {
			continue
		}
		var members []string
		for _, uid := range g.members {
			if au := a.appUser(uid); au != nil && au.externalID != "" {
				members = append(members, au.externalID)
			}
		}
		pushes = append(pushes, pushJob{p, p.targetName, p.target, members, p.pushed})
	}
	e.mu.Unlock()
	for _, j := range pushes {
		id, err := j.target, error(nil)
		if id == "" {
			id, err = retryTask(ctx, func() (string, error) { return t.ensureGroup(ctx, j.name, j.members) })
		} else if !sameSet(j.members, j.pushed) {
			_, err = retryTask(ctx, func() (struct{}, error) { return struct{}{}, t.setMembers(ctx, id, j.members, j.pushed) })
		} else {
			continue
		}
		e.mu.Lock()
		now := e.now().UTC()
		j.p.updated = now
		if err != nil {
			j.p.status, j.p.errorSummary = "ERROR", err.Error()
		} else {
			j.p.target, j.p.pushed, j.p.lastPush, j.p.errorSummary = id, j.members, now, ""
		}
		e.mu.Unlock()
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// taskError is a failed provisioning request; status 0 means no answer.
type taskError struct {
	status int
	msg    string
}

func (e *taskError) Error() string { return e.msg }

// taskAttempts: like Okta, a provisioning task that failed for a passing reason (no answer, 429,
// 5xx) is tried again before it is marked ERROR; a create whose answer was lost meets the user
// it made (409) and adopts it.
const taskAttempts = 3

func retryTask[T any](ctx context.Context, f func() (T, error)) (T, error) {
	var v T
	var err error
	for i := 0; i < taskAttempts; i++ {
		if v, err = f(); err == nil {
			return v, nil
		}
		var te *taskError
		if !errors.As(err, &te) || (te.status != 0 && te.status != http.StatusTooManyRequests && te.status < 500) {
			return v, err
		}
		if httpx.Sleep(ctx, time.Duration(i+1)*20*time.Millisecond) != nil {
			return v, err
		}
	}
	return v, err
}

// target is the app's SCIM server: SCIM 2.0 (scim2testapp) or Access's SCIM 1.1.
type target struct {
	c           *httpx.Client
	base, token string
	v11         bool
}

const (
	scim2User  = "urn:ietf:params:scim:schemas:core:2.0:User"
	scim2Group = "urn:ietf:params:scim:schemas:core:2.0:Group"
	scim2Patch = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	scim11Core = "urn:scim:schemas:core:1.0"
	scim11WS   = "urn:scim:schemas:extension:workspace:1.0"
)

// do sends one request and decodes a JSON answer; a status >= 300 is an error carrying the
// target's message, prefixed like Okta's provisioning errors.
func (t *target) do(ctx context.Context, method, path string, body any, out any) (int, error) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+t.token)
	req.Header.Set("Accept", "application/scim+json, application/json")
	if body != nil {
		if t.v11 {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
		}
	}
	resp, err := t.c.Do(req)
	if err != nil {
		return 0, &taskError{msg: fmt.Sprintf("Error while connecting to the app: %v", err)}
	}
	b, err := httpx.ReadBody(resp)
	if err != nil {
		return resp.StatusCode, &taskError{status: resp.StatusCode, msg: err.Error()}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, &taskError{status: resp.StatusCode, msg: "ERRORS REPORTED BY REMOTE SERVER: " + remoteMessage(resp.StatusCode, b)}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("the app answered %s %s with a body that is not JSON", method, path)
		}
	}
	return resp.StatusCode, nil
}

// remoteMessage picks the message of a SCIM 2.0 ({"detail"}) or Access ({"errors":[{"message"}]}) error.
func remoteMessage(status int, b []byte) string {
	var v struct {
		Detail string `json:"detail"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	json.Unmarshal(b, &v)
	switch {
	case v.Detail != "":
		return v.Detail
	case len(v.Errors) > 0 && v.Errors[0].Message != "":
		return v.Errors[0].Message
	}
	return fmt.Sprintf("HTTP %d %s", status, httpx.Excerpt(string(b), 200))
}

func (t *target) userBody(oktaID string, p map[string]string, withID string) map[string]any {
	email := []map[string]any{{"value": p["email"], "type": "work", "primary": true}}
	if t.v11 {
		m := map[string]any{"schemas": []string{scim11Core, scim11WS}, "userName": p["userName"], "externalId": oktaID,
			"name": map[string]any{"givenName": p["firstName"], "familyName": p["lastName"]}, "emails": email, "active": true,
			scim11WS: map[string]any{"domain": p["domain"]}}
		return m
	}
	m := map[string]any{"schemas": []string{scim2User}, "userName": p["userName"], "externalId": oktaID,
		"name": map[string]any{"givenName": p["givenName"], "familyName": p["familyName"]}, "emails": email, "active": true}
	if withID != "" {
		m["id"] = withID
	}
	return m
}

type listAnswer struct {
	Resources []struct {
		ID string `json:"id"`
	} `json:"Resources"`
}

// createUser POSTs the user; a 409 adopts the existing user with the same userName.
func (t *target) createUser(ctx context.Context, oktaID string, p map[string]string) (string, error) {
	var got struct {
		ID string `json:"id"`
	}
	st, err := t.do(ctx, http.MethodPost, "/Users", t.userBody(oktaID, p, ""), &got)
	if st == http.StatusConflict {
		return t.find(ctx, "/Users", "userName", p["userName"])
	}
	if err == nil && got.ID == "" {
		err = errors.New("the app created the user without returning its id")
	}
	return got.ID, err
}

func (t *target) find(ctx context.Context, path, attr, value string) (string, error) {
	var l listAnswer
	f := attr + " eq " + strconvQuote(value)
	if _, err := t.do(ctx, http.MethodGet, path+"?filter="+url.QueryEscape(f), nil, &l); err != nil {
		return "", err
	}
	if len(l.Resources) == 0 {
		return "", nil
	}
	return l.Resources[0].ID, nil
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// updateUser sends the changed values: a full PUT for SCIM 2.0, a partial PATCH for Access.
func (t *target) updateUser(ctx context.Context, oktaID, id string, p, old map[string]string) error {
	if !t.v11 {
		_, err := t.do(ctx, http.MethodPut, "/Users/"+id, t.userBody(oktaID, p, id), nil)
		return err
	}
	body := map[string]any{"schemas": []string{scim11Core, scim11WS}}
	changed := func(k string) bool { return p[k] != old[k] }
	if changed("userName") {
		body["userName"] = p["userName"]
	}
	if changed("firstName") || changed("lastName") {
		body["name"] = map[string]any{"givenName": p["firstName"], "familyName": p["lastName"]}
	}
	if changed("email") {
		body["emails"] = []map[string]any{{"value": p["email"], "type": "work", "primary": true}}
	}
	if changed("domain") {
		body[scim11WS] = map[string]any{"domain": p["domain"]}
	}
	_, err := t.do(ctx, http.MethodPatch, "/Users/"+id, body, nil)
	return err
}

// ensureGroup adopts a group with the same displayName or creates it with the members.
func (t *target) ensureGroup(ctx context.Context, name string, members []string) (string, error) {
	id, err := t.find(ctx, "/Groups", "displayName", name)
	if err != nil {
		return "", err
	}
	if id != "" {
		return id, t.setMembers(ctx, id, members, nil)
	}
	ms := []map[string]any{}
	for _, m := range members {
		ms = append(ms, map[string]any{"value": m})
	}
	body := map[string]any{"schemas": []string{scim2Group}, "displayName": name, "members": ms}
	if t.v11 {
		body["schemas"] = []string{scim11Core}
	}
	var got struct {
		ID string `json:"id"`
	}
	if _, err := t.do(ctx, http.MethodPost, "/Groups", body, &got); err != nil {
		return "", err
	}
	if got.ID == "" {
		return "", errors.New("the app created the group without returning its id")
	}
	return got.ID, nil
}

// setMembers adds the members not in old and removes those no longer wanted.
func (t *target) setMembers(ctx context.Context, id string, members, old []string) error {
	var add, remove []map[string]any
	for _, m := range members {
		if !slices.Contains(old, m) {
			add = append(add, map[string]any{"value": m})
		}
	}
	for _, m := range old {
		if !slices.Contains(members, m) {
			remove = append(remove, map[string]any{"value": m})
		}
	}
	if len(add)+len(remove) == 0 {
		return nil
	}
	if t.v11 {
		for _, r := range remove {
			r["operation"] = "delete"
		}
		_, err := t.do(ctx, http.MethodPatch, "/Groups/"+id, map[string]any{"schemas": []string{scim11Core}, "members": append(add, remove...)}, nil)
		return err
	}
	var ops []map[string]any
	if len(add) > 0 {
		ops = append(ops, map[string]any{"op": "add", "path": "members", "value": add})
	}
	for _, r := range remove {
		ops = append(ops, map[string]any{"op": "remove", "path": `members[value eq "` + strings.ReplaceAll(r["value"].(string), `"`, ``) + `"]`})
	}
	_, err := t.do(ctx, http.MethodPatch, "/Groups/"+id, map[string]any{"schemas": []string{scim2Patch}, "Operations": ops}, nil)
	return err
}
