package accessemu

import (
	"net/http"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

type directory struct {
	ID          string
	Name        string
	Type        string
	UserstoreID string
	Domains     []string
}

func (d *directory) listItem() map[string]any {
	return map[string]any{
		"directoryId": d.ID, "name": d.Name, "type": d.Type, "userstoreId": d.UserstoreID,
		"countDomains": len(d.Domains), "deleteInProgress": false, "migratedToEnterpriseService": false,
		"syncConfigurationEnabled": false, "_links": map[string]any{},
	}
}

const dirKind = "connector.management.directory."

// typeByKind maps the create Content-Type to the directory type it selects.
var typeByKind = map[string]string{
	vendorType(dirKind + "other"): "OTHER_DIRECTORY",
	vendorType(dirKind + "local"): "LOCAL_DIRECTORY",
	vendorType(dirKind + "jit"):   "JIT_DIRECTORY",
}

func (e *Emulator) listDirs(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, dirKind+"list")
	if mt == "" {
		return
	}
	jit := r.URL.Query().Get("includeJitDirectories") == "true"
	e.mu.Lock()
	items := []map[string]any{}
	for _, d := range e.dirs {
		if d.Type == "JIT_DIRECTORY" && !jit {
			continue
		}
		items = append(items, d.listItem())
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, mt, map[string]any{"items": items, "_links": map[string]any{}})
}

func (e *Emulator) dirDomains(w http.ResponseWriter, r *http.Request) {
	mt := e.accept(w, r, dirKind+"domain.list")
	if mt == "" {
		return
	}
	id := r.PathValue("id")
	e.mu.Lock()
	var doms []string
	found := false
	for _, d := range e.dirs {
		if d.ID == id {
			found, doms = true, append([]string{}, d.Domains...)
		}
	}
	e.mu.Unlock()
	if !found {
		writeErrors(w, http.StatusNotFound, "directory.not.found", "directory "+id+" not found")
		return
	}
	if doms == nil {
		doms = []string{}
	}
	writeJSON(w, http.StatusOK, mt, map[string]any{"items": doms, "_links": map[string]any{}})
}

func (e *Emulator) createDir(w http.ResponseWriter, r *http.Request) {
	ct := e.contentType(w, r, dirKind+"other", dirKind+"local", dirKind+"jit")
	if ct == "" {
		return
	}
	kind := strings.TrimSuffix(strings.TrimPrefix(ct, vendorPrefix), "+json")
	if ct == "application/json" {
		kind = dirKind + "other"
	}
	mt := e.accept(w, r, kind)
	if mt == "" {
		return
	}
	var b struct {
		Type    string   `json:"type"`
		Name    string   `json:"name"`
		Domains []string `json:"domains"`
	}
	if !decodeStrict(w, r, &b) {
		return
	}
	typ := typeByKind[ct]
	switch {
	case typ == "" && b.Type == "":
		writeErrors(w, http.StatusBadRequest, "directory.type.required", "with application/json the body must name the directory type (e.g. OTHER_DIRECTORY)")
		return
	case typ == "":
		typ = b.Type
		if typ != "OTHER_DIRECTORY" && typ != "LOCAL_DIRECTORY" && typ != "JIT_DIRECTORY" {
			writeErrors(w, http.StatusBadRequest, "directory.type.invalid", "type "+typ+" cannot be created here")
			return
		}
	case b.Type != "" && b.Type != typ:
		writeErrors(w, http.StatusBadRequest, "directory.type.mismatch", "type "+b.Type+" does not match Content-Type "+ct)
		return
	}
	if strings.TrimSpace(b.Name) == "" || len(b.Domains) == 0 {
		writeErrors(w, http.StatusBadRequest, "directory.invalid", "name and at least one domain are required")
		return
	}
	e.mu.Lock()
	for _, d := range e.dirs {
		if strings.EqualFold(d.Name, b.Name) {
			e.mu.Unlock()
			writeErrors(w, http.StatusBadRequest, "directory.name.already.exists", "a directory named "+b.Name+" already exists")
			return
		}
		for _, have := range d.Domains {
			for _, want := range b.Domains {
				if strings.EqualFold(have, want) {
					e.mu.Unlock()
					writeErrors(w, http.StatusBadRequest, "directory.domain.already.exists", "domain "+want+" already belongs to directory "+d.Name)
					return
				}
			}
		}
	}
	d := &directory{ID: sandbox.NewUUID(), Name: b.Name, Type: typ, UserstoreID: sandbox.NewUUID(), Domains: append([]string{}, b.Domains...)}
	e.dirs = append(e.dirs, d)
	e.mu.Unlock()
	writeJSON(w, http.StatusCreated, mt, map[string]any{
		"directoryConfigurationId": d.ID, "userStoreId": d.UserstoreID, "name": d.Name, "type": d.Type,
		"domains": d.Domains, "_links": map[string]any{},
	})
}

func (e *Emulator) deleteDir(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e.mu.Lock()
	found := false
	for i, d := range e.dirs {
		if d.ID == id {
			e.dirs = append(e.dirs[:i], e.dirs[i+1:]...)
			found = true
			break
		}
	}
	e.mu.Unlock()
	if !found {
		writeErrors(w, http.StatusNotFound, "directory.not.found", "directory "+id+" not found")
		return
	}
	w.WriteHeader(http.StatusOK)
}
