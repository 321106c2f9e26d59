package oktaemu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Okta error codes used here.
const (
	codeValidation = "E0000001"
	codeForbidden  = "E0000006"
	codeNotFound   = "E0000007"
	codeToken      = "E0000011"
	codeRateLimit  = "E0000047"
)

// writeError writes Okta's error body; causes become errorCauses[].errorSummary.
func writeError(w http.ResponseWriter, status int, code, summary string, causes []string) {
	cs := make([]map[string]string, 0, len(causes))
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	writeJSON(w, status, map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code,
		"errorId": "oae" + randHex(11), "errorCauses": cs})
}

// invalid is 400 E0000001 "Api validation failed: <field>" with one cause.
func invalid(w http.ResponseWriter, field, cause string) {
	writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: "+field, []string{field + ": " + cause})
}

// lookup finds the object whose id is the path value key; nil has been answered 404 as typ.
func lookup[T any](w http.ResponseWriter, r *http.Request, key, typ string, find func(id string) *T) *T {
	id := r.PathValue(key)
	x := find(id)
	if x == nil {
		notFound(w, id, typ)
	}
	return x
}

// indexOr404 is the index in items of the one whose id is the path value key; -1 has been
// answered 404 as typ.
func indexOr404[T any](w http.ResponseWriter, r *http.Request, key, typ string, items []T, id func(T) string) int {
	want := r.PathValue(key)
	i := slices.IndexFunc(items, func(x T) bool { return id(x) == want })
	if i < 0 {
		notFound(w, want, typ)
	}
	return i
}

// setOptional adds to m the optional wire fields that are set: a string when not empty, a time
// (as a stamp) when not zero.
func setOptional(m map[string]any, fields map[string]any) {
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			if v != "" {
				m[k] = v
			}
		case time.Time:
			if !v.IsZero() {
				m[k] = stamp(v)
			}
		}
	}
}

func notFound(w http.ResponseWriter, id, typ string) {
	writeError(w, http.StatusNotFound, codeNotFound, "Not found: Resource not found: "+id+" ("+typ+")", nil)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// readBody decodes a JSON body (an empty body decodes as {}); a bad body is answered 400.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(strings.TrimSpace(string(b))) > 0 {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, codeValidation, "Api validation failed: body",
			[]string{"The request body was not well-formed: " + err.Error()})
		return false
	}
	return true
}

// rateWindow is a one-minute request window.
type rateWindow struct {
	limit, used int
	start       time.Time
}

// SetRateLimit makes the window allow n requests: request n+1 is answered 429, and the
// window then starts again. n <= 0 restores the default.
func (e *Emulator) SetRateLimit(n int) {
	if n <= 0 {
		n = DefaultRateLimit
	}
	e.mu.Lock()
	e.rate = rateWindow{limit: n, start: e.now()}
	e.mu.Unlock()
}

// rateLimit counts the request and writes the X-Rate-Limit headers; false means 429 was answered.
func (e *Emulator) rateLimit(w http.ResponseWriter) bool {
	e.mu.Lock()
	now := e.now()
	rw := &e.rate
	if rw.start.IsZero() || now.Sub(rw.start) >= time.Minute {
		rw.start, rw.used = now, 0
	}
	rw.used++
	limit, used, reset := rw.limit, rw.used, rw.start.Add(time.Minute)
	over := used > limit
	if over {
		rw.start, rw.used = now, 0
		reset = now.Add(time.Second)
	}
	e.mu.Unlock()
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(max(limit-used, 0)))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(ceilUnix(reset), 10))
	if over {
		h.Set("X-Rate-Limit-Remaining", "0")
		writeError(w, http.StatusTooManyRequests, codeRateLimit, "API call exceeded rate limit due to too many requests.", nil)
		return false
	}
	return true
}

// ceilUnix is t in epoch seconds, rounded up.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// page cuts one page out of ids (in list order): after is the last id of the previous page.
// It answers 400 for a bad limit and writes the Link headers.
// Call it with mu held.
func (e *Emulator) pageLocked(w http.ResponseWriter, r *http.Request, ids []string, def, maxLimit int) (out []string, ok bool) {
	q := r.URL.Query()
	limit := def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			invalid(w, "limit", "limit must be a positive integer")
			return nil, false
		}
		limit = min(n, maxLimit)
	}
	start := 0
	if after := q.Get("after"); after != "" {
		start = len(ids)
		for i, id := range ids {
			if id == after {
				start = i + 1
				break
			}
		}
	}
	end := min(start+limit, len(ids))
	out = ids[start:end]
	base := e.url + r.URL.Path
	self := base
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+">; rel=\"self\"")
	if end < len(ids) && len(out) > 0 {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("after", out[len(out)-1])
		nq.Set("limit", strconv.Itoa(limit))
		w.Header().Add("Link", "<"+base+"?"+nq.Encode()+">; rel=\"next\"")
	}
	return out, true
}

// provisionAndReply ends a write made with mu held: it releases mu, provisions the app when
// provision is set, then writes wire(), built under mu again.
func (e *Emulator) provisionAndReply(w http.ResponseWriter, r *http.Request, appID string, provision bool, status int, wire func() map[string]any) {
	e.mu.Unlock()
	if provision {
		e.provision(r.Context(), appID)
	}
	e.mu.Lock()
	out := wire()
	e.mu.Unlock()
	writeJSON(w, status, out)
}

// byID is the item of items with the id, or the zero value.
func byID[T any](items []T, want string, id func(T) string) T {
	for _, it := range items {
		if id(it) == want {
			return it
		}
	}
	var zero T
	return zero
}

// listPage answers one page of items as a JSON array, each as wire(item); call with mu held.
func listPage[T any](e *Emulator, w http.ResponseWriter, r *http.Request, items []T, id func(T) string, wire func(T) map[string]any, def, maxLimit int) {
	byID := make(map[string]T, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		byID[id(it)] = it
		ids = append(ids, id(it))
	}
	ids, ok := e.pageLocked(w, r, ids, def, maxLimit)
	if !ok {
		return
	}
	out := make([]map[string]any, 0, len(ids))
	for _, x := range ids {
		out = append(out, wire(byID[x]))
	}
	writeJSON(w, http.StatusOK, out)
}

// clause is one `attr op "value"` of a filter or search expression.
type clause struct{ attr, op, value string }

// parseExpr reads clauses joined by "and"; ops lists the accepted operators. Values are
// double-quoted strings (or bare true/false/numbers).
func parseExpr(s string, ops ...string) ([]clause, error) {
	var out []clause
	rest := strings.TrimSpace(s)
	for rest != "" {
		attr, r1, ok := strings.Cut(rest, " ")
		if !ok {
			return nil, fmt.Errorf("invalid expression %q", s)
		}
		r1 = strings.TrimLeft(r1, " ")
		op, r2, ok := strings.Cut(r1, " ")
		if !ok {
			return nil, fmt.Errorf("invalid expression %q", s)
		}
		op = strings.ToLower(op)
		accepted := false
		for _, o := range ops {
			accepted = accepted || o == op
		}
		if !accepted {
			return nil, fmt.Errorf("operator %q is not supported here", op)
		}
		r2 = strings.TrimLeft(r2, " ")
		var val string
		if strings.HasPrefix(r2, `"`) {
			end := strings.Index(r2[1:], `"`)
			if end < 0 {
				return nil, fmt.Errorf("unterminated string in %q", s)
			}
			val, r2 = r2[1:end+1], r2[end+2:]
		} else {
			val, r2, _ = strings.Cut(r2, " ")
		}
		out = append(out, clause{attr, op, val})
		r2 = strings.TrimSpace(r2)
		if r2 == "" {
			break
		}
		conj, r3, _ := strings.Cut(r2, " ")
		if !strings.EqualFold(conj, "and") {
			return nil, fmt.Errorf("only and is supported between clauses in %q", s)
		}
		rest = strings.TrimSpace(r3)
		if rest == "" {
			return nil, fmt.Errorf("invalid expression %q", s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	return out, nil
}

// matches applies clauses to an object's attributes (get returns the value and whether the
// attribute is known); an unknown attribute is an error.
func matches(cs []clause, get func(attr string) (string, bool)) (bool, error) {
	for _, c := range cs {
		v, known := get(c.attr)
		if !known {
			return false, fmt.Errorf("unsupported attribute %q", c.attr)
		}
		switch c.op {
		case "eq":
			if !strings.EqualFold(v, c.value) {
				return false, nil
			}
		case "sw":
			if !strings.HasPrefix(strings.ToLower(v), strings.ToLower(c.value)) {
				return false, nil
			}
		}
	}
	return true, nil
}
