package oktaemu

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// System Log event types the emulator records (Okta's names for provisioning errors).
const (
	EventUserPush        = "application.provision.user.push"         // error creating a user in the app
	EventUserPushProfile = "application.provision.user.push_profile" // error updating a user in the app
)

// maxReason is the contract's maxLength of LogOutcome.reason.
const maxReason = 255

// logEvent is one System Log event.
type logEvent struct {
	uuid, eventType, message, severity, result, reason string
	published                                          time.Time
	targets                                            []logTarget
}

type logTarget struct{ id, typ, alternateID, displayName string }

func (t logTarget) attr(a string) (string, bool) {
	v, ok := map[string]string{"target.id": t.id, "target.type": t.typ, "target.alternateId": t.alternateID, "target.displayName": t.displayName}[a]
	return v, ok
}

func (ev *logEvent) attr(a string) (string, bool) {
	v, ok := map[string]string{"eventType": ev.eventType, "severity": ev.severity, "outcome.result": ev.result, "displayMessage": ev.message, "uuid": ev.uuid}[a]
	return v, ok
}

// matchesEvent applies clauses to an event; a target.* clause holds when one target matches it.
func matchesEvent(cs []clause, ev *logEvent) (bool, error) {
	for _, c := range cs {
		one := []clause{c}
		var ok bool
		var err error
		if strings.HasPrefix(c.attr, "target.") {
			if _, known := (logTarget{}).attr(c.attr); !known {
				return false, errorf("unsupported attribute %q", c.attr)
			}
			ok = slices.ContainsFunc(ev.targets, func(t logTarget) bool { m, _ := matches(one, t.attr); return m })
		} else if ok, err = matches(one, ev.attr); err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// logProvisioningErrorLocked records a failed provisioning task of app a for app user au, the
// way Okta's System Log reports it: the user and the app as targets, the reason Okta shows on
// its Tasks page ("Automatic provisioning of user X to app Y failed: <the app's message>").
func (e *Emulator) logProvisioningErrorLocked(a *app, au *appUser, eventType, cause string) {
	ev := logEvent{uuid: newUUID(), eventType: eventType, severity: "ERROR", result: "FAILURE", published: e.now().UTC()}
	name, login := au.id, au.id
	if u := e.findUser(au.id); u != nil {
		name, login = u.first+" "+u.last, u.login
	}
	ev.message = "Push new user to external application"
	if eventType == EventUserPushProfile {
		ev.message = "Push user profile update to external application"
	}
	ev.reason = "Automatic provisioning of user " + name + " to app " + a.label + " failed: " + cause
	if len(ev.reason) > maxReason {
		ev.reason = ev.reason[:maxReason-3] + "..."
	}
	ev.targets = []logTarget{{au.id, "User", login, name}, {a.id, "AppInstance", a.name, a.label}}
	e.logs = append(e.logs, ev)
}

func newUUID() string {
	h := randHex(16)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// listLogs is GET /api/v1/logs: a bounded query (since, until; filter with eq and sw joined by
// and, on eventType, severity, outcome.result, displayMessage, uuid and target.*; limit;
// sortOrder). The answer is one page.
func (e *Emulator) listLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := e.now().UTC()
	until, since := now, now.Add(-7*24*time.Hour)
	for name, t := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := q.Get(name); v != "" {
			p, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				invalid(w, name, "not an ISO 8601 timestamp: "+v)
				return
			}
			*t = p
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			invalid(w, "limit", "an integer between 0 and 1000")
			return
		}
		limit = n
	}
	desc := false
	switch q.Get("sortOrder") {
	case "", "ASCENDING":
	case "DESCENDING":
		desc = true
	default:
		invalid(w, "sortOrder", "ASCENDING or DESCENDING")
		return
	}
	var cs []clause
	if f := q.Get("filter"); f != "" {
		var err error
		if cs, err = parseExpr(f, "eq", "sw"); err == nil {
			_, err = matchesEvent(cs, &logEvent{})
		}
		if err != nil {
			invalid(w, "filter", err.Error())
			return
		}
	}
	e.mu.Lock()
	var out []map[string]any
	for i := range e.logs {
		ev := &e.logs[i]
		if ev.published.Before(since) || ev.published.After(until) {
			continue
		}
		if ok, _ := matchesEvent(cs, ev); ok {
			out = append(out, ev.wire())
		}
	}
	e.mu.Unlock()
	if desc {
		slices.Reverse(out)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (ev *logEvent) wire() map[string]any {
	ts := make([]map[string]any, 0, len(ev.targets))
	for _, t := range ev.targets {
		ts = append(ts, map[string]any{"id": t.id, "type": t.typ, "alternateId": t.alternateID, "displayName": t.displayName})
	}
	return map[string]any{
		"uuid": ev.uuid, "published": stamp(ev.published), "eventType": ev.eventType, "version": "0",
		"displayMessage": ev.message, "severity": ev.severity, "legacyEventType": ev.eventType,
		"actor":   map[string]any{"id": "system", "type": "SystemPrincipal", "alternateId": "system@okta.com", "displayName": "Okta System"},
		"outcome": map[string]any{"result": ev.result, "reason": ev.reason},
		"target":  ts,
	}
}
