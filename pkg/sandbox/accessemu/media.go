package accessemu

import (
	"mime"
	"net/http"
	"strings"
)

const vendorPrefix = "application/vnd.vmware.horizon.manager."

func vendorType(kind string) string { return vendorPrefix + kind + "+json" }

// allowed lists the media types the current mode accepts for kinds (first = the default answer).
func (e *Emulator) allowed(kinds ...string) []string {
	e.mu.Lock()
	mode := e.mode
	e.mu.Unlock()
	var out []string
	if mode != ModeJSON {
		for _, k := range kinds {
			out = append(out, vendorType(k))
		}
	}
	if mode != ModeVendor {
		if mode == ModeJSON {
			out = append([]string{"application/json"}, out...)
		} else {
			out = append(out, "application/json")
		}
	}
	return out
}

// contentType checks the request body's media type; it answers 415 and returns "" when refused.
func (e *Emulator) contentType(w http.ResponseWriter, r *http.Request, kinds ...string) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil {
		mt = strings.ToLower(mt)
		for _, a := range e.allowed(kinds...) {
			if mt == a {
				return mt
			}
		}
	}
	writeErrors(w, http.StatusUnsupportedMediaType, "unsupported.media.type",
		"Content-Type "+r.Header.Get("Content-Type")+" is not supported; use "+strings.Join(e.allowed(kinds...), " or "))
	return ""
}

// accept picks the response media type from the Accept header; it answers 406 and returns ""
// when nothing acceptable was asked for. A missing or wildcard Accept gets the default.
func (e *Emulator) accept(w http.ResponseWriter, r *http.Request, kinds ...string) string {
	allowed := e.allowed(kinds...)
	h := r.Header.Get("Accept")
	if strings.TrimSpace(h) == "" {
		return allowed[0]
	}
	for _, part := range strings.Split(h, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		mt = strings.ToLower(mt)
		if mt == "*/*" || mt == "application/*" {
			return allowed[0]
		}
		for _, a := range allowed {
			if mt == a {
				return a
			}
		}
	}
	writeErrors(w, http.StatusNotAcceptable, "not.acceptable", "Accept "+h+" cannot be produced; use "+strings.Join(allowed, " or "))
	return ""
}

// write checks a write's Content-Type, then its Accept, for one kind of object: the media type
// to answer with, or "" when either was refused (the refusal is answered).
func (e *Emulator) write(w http.ResponseWriter, r *http.Request, kind string) string {
	if e.contentType(w, r, kind) == "" {
		return ""
	}
	return e.accept(w, r, kind)
}
