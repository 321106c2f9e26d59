package oktaemu

import (
	"net/http"
	"slices"
)

func (e *Emulator) pushWire(a *app, p *pushMapping) map[string]any {
	self := e.url + "/api/v1/apps/" + a.id + "/group-push/mappings/" + p.id
	m := map[string]any{"id": p.id, "sourceGroupId": p.source, "status": p.status, "created": stamp(p.created), "lastUpdated": stamp(p.updated),
		"_links": map[string]any{"self": map[string]any{"href": self}, "app": map[string]any{"href": e.url + "/api/v1/apps/" + a.id},
			"sourceGroup": map[string]any{"href": e.url + "/api/v1/groups/" + p.source}}}
	setOptional(m, map[string]any{"targetGroupId": p.target, "lastPush": p.lastPush, "errorSummary": p.errorSummary})
	return m
}

func (a *app) push(id string) *pushMapping {
	return byID(a.pushes, id, func(x *pushMapping) string { return x.id })
}

func (e *Emulator) listPush(w http.ResponseWriter, r *http.Request, a *app) {
	listPage(e, w, r, a.pushes, func(p *pushMapping) string { return p.id },
		func(p *pushMapping) map[string]any { return e.pushWire(a, p) }, 100, 1000)
}

func (e *Emulator) getPush(w http.ResponseWriter, r *http.Request, a *app) {
	if p := lookup(w, r, "mappingId", "GroupPushMapping", a.push); p != nil {
		writeJSON(w, http.StatusOK, e.pushWire(a, p))
	}
}

func validPushStatus(s string) bool { return s == "ACTIVE" || s == "INACTIVE" }

// createPush is POST …/group-push/mappings: one mapping per source group; an ACTIVE one
// pushes at once.
func (e *Emulator) createPush(w http.ResponseWriter, r *http.Request) {
	var b struct {
		SourceGroupID   string `json:"sourceGroupId"`
		Status          string `json:"status"`
		TargetGroupName string `json:"targetGroupName"`
		TargetGroupID   string `json:"targetGroupId"`
	}
	if !readBody(w, r, &b) {
		return
	}
	if b.Status == "" {
		b.Status = "ACTIVE"
	}
	a := e.lockApp(w, r)
	if a == nil {
		return
	}
	g := e.findGroup(b.SourceGroupID)
	var cause, field string
	switch {
	case b.SourceGroupID == "":
		field, cause = "sourceGroupId", "The field cannot be left blank"
	case g == nil:
		field, cause = "sourceGroupId", "Group "+b.SourceGroupID+" does not exist"
	case !validPushStatus(b.Status):
		field, cause = "status", "status must be ACTIVE or INACTIVE"
	case a.name == AppOIDC:
		field, cause = "sourceGroupId", "Group push is not supported for this application"
	case slices.ContainsFunc(a.pushes, func(p *pushMapping) bool { return p.source == b.SourceGroupID }):
		field, cause = "sourceGroupId", "A group push mapping already exists for source group "+b.SourceGroupID
	}
	if cause != "" {
		e.mu.Unlock()
		invalid(w, field, cause)
		return
	}
	now := e.now().UTC()
	p := &pushMapping{id: newID("gpm"), source: g.id, status: b.Status, targetName: b.TargetGroupName, target: b.TargetGroupID, created: now, updated: now}
	if p.targetName == "" {
		p.targetName = g.name
	}
	a.pushes = append(a.pushes, p)
	e.provisionAndReply(w, r, a.id, p.status == "ACTIVE", http.StatusCreated, func() map[string]any { return e.pushWire(a, p) })
}

func (e *Emulator) patchPush(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Status string `json:"status"`
	}
	if !readBody(w, r, &b) {
		return
	}
	if !validPushStatus(b.Status) {
		invalid(w, "status", "status must be ACTIVE or INACTIVE")
		return
	}
	a := e.lockApp(w, r)
	if a == nil {
		return
	}
	p := lookup(w, r, "mappingId", "GroupPushMapping", a.push)
	if p == nil {
		e.mu.Unlock()
		return
	}
	changed := p.status != b.Status
	p.status = b.Status
	if changed {
		p.updated = e.now().UTC()
		p.errorSummary = ""
	}
	e.provisionAndReply(w, r, a.id, b.Status == "ACTIVE", http.StatusOK, func() map[string]any { return e.pushWire(a, p) })
}

func (e *Emulator) deletePush(w http.ResponseWriter, r *http.Request, a *app) {
	i := indexOr404(w, r, "mappingId", "GroupPushMapping", a.pushes, func(p *pushMapping) string { return p.id })
	if i < 0 {
		return
	}
	if a.pushes[i].status != "INACTIVE" {
		invalid(w, "status", "Deactivate the group push mapping before deleting it")
		return
	}
	a.pushes = slices.Delete(a.pushes, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}
