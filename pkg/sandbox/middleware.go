package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogEntry is one line of GET ADMIN/requests.
type LogEntry struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	Status     int    `json:"status"`
	DurationMs int64  `json:"durationMs"`
	Fault      string `json:"fault,omitempty"`
}

// FaultRule is one rule of POST ADMIN/faults.
type FaultRule struct {
	Method      string  `json:"method,omitempty"`
	Path        string  `json:"path,omitempty"` // path.Match pattern; a trailing * matches any suffix
	Kind        string  `json:"kind"`           // 429 500 502 503 reset timeout commit-then-500
	Probability float64 `json:"probability,omitempty"`
	Count       int     `json:"count,omitempty"` // > 0: the next N matching requests
	RetryAfter  int     `json:"retryAfter,omitempty"`
}

// FaultSpec is the body of POST ADMIN/faults.
type FaultSpec struct {
	Seed  uint64      `json:"seed"`
	Rules []FaultRule `json:"rules"`
}

// Latency is the body of POST ADMIN/latency.
type Latency struct {
	FixedMs  int `json:"fixedMs"`
	JitterMs int `json:"jitterMs"`
}

var faultKinds = map[string]bool{"429": true, "500": true, "502": true, "503": true, "reset": true, "timeout": true, "commit-then-500": true}

type middleware struct {
	name string
	emu  Emulator
	api  http.Handler

	mu        sync.Mutex
	log       []LogEntry
	rules     []FaultRule
	rng       *rand.Rand
	latency   Latency
	spentKind []string
}

func newMiddleware(name string, emu Emulator) *middleware {
	return &middleware{name: name, emu: emu, api: emu.Handler(), rng: rand.New(rand.NewPCG(1, 2))}
}

// maxLog bounds the request log so a long soak cannot exhaust memory.
const maxLog = 200000

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == AdminPrefix || strings.HasPrefix(r.URL.Path, AdminPrefix+"/") {
		m.admin(w, r)
		return
	}
	start := time.Now()
	m.mu.Lock()
	lat := m.latency
	kind, retryAfter := m.pickFault(r)
	m.mu.Unlock()
	if d := lat.FixedMs; d > 0 || lat.JitterMs > 0 {
		j := 0
		if lat.JitterMs > 0 {
			j = rand.IntN(lat.JitterMs + 1)
		}
		select {
		case <-time.After(time.Duration(d+j) * time.Millisecond):
		case <-r.Context().Done():
		}
	}
	rec := &recorder{ResponseWriter: w, status: 200}
	switch kind {
	case "":
		m.api.ServeHTTP(rec, r)
	case "429", "500", "502", "503":
		code, _ := strconv.Atoi(kind)
		if kind == "429" || kind == "503" {
			ra := retryAfter
			if ra <= 0 {
				ra = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(ra))
		}
		http.Error(rec, http.StatusText(code)+" (sandbox fault)", code)
	case "reset":
		rec.status = 0
		hijackClose(w)
	case "timeout":
		// Hold the request until the client gives up (bounded so servers shut down).
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Minute):
		}
		rec.status = 0
		hijackClose(w)
	case "commit-then-500":
		buf := &discard{h: http.Header{}}
		m.api.ServeHTTP(buf, r)
		http.Error(rec, "Internal Server Error (sandbox fault after commit)", 500)
	}
	m.mu.Lock()
	if len(m.log) < maxLog {
		m.log = append(m.log, LogEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			DurationMs: time.Since(start).Milliseconds(), Fault: kind})
	}
	m.mu.Unlock()
}

// pickFault returns the fault for r (or ""), consuming counted rules. Caller holds m.mu.
func (m *middleware) pickFault(r *http.Request) (string, int) {
	for i := range m.rules {
		rule := &m.rules[i]
		if rule.Method != "" && !strings.EqualFold(rule.Method, r.Method) {
			continue
		}
		if rule.Path != "" && !matchPath(rule.Path, r.URL.Path) {
			continue
		}
		if rule.Count > 0 {
			rule.Count--
			if rule.Count == 0 {
				rule.Kind, rule.Method, rule.Path = "", "-", "-" // spent: never matches again
			}
			return m.rulesKind(i), rule.RetryAfter
		}
		if rule.Kind == "" {
			continue
		}
		p := rule.Probability
		if p <= 0 {
			p = 1
		}
		if m.rng.Float64() < p {
			return rule.Kind, rule.RetryAfter
		}
	}
	return "", 0
}

// rulesKind returns the kind of a counted rule, remembering it even once spent.
func (m *middleware) rulesKind(i int) string {
	k := m.rules[i].Kind
	if k == "" {
		return m.spentKind[i]
	}
	return k
}

func matchPath(pattern, p string) bool {
	if strings.HasSuffix(pattern, "*") && strings.HasPrefix(p, strings.TrimSuffix(pattern, "*")) {
		return true
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
				if t, ok := tc.NetConn().(*net.TCPConn); ok {
					t.SetLinger(0)
				}
			}
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (m *middleware) admin(w http.ResponseWriter, r *http.Request) {
	sub := strings.TrimPrefix(r.URL.Path, AdminPrefix)
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case sub == "/requests" && r.Method == http.MethodGet:
		m.mu.Lock()
		out := append([]LogEntry{}, m.log...)
		m.mu.Unlock()
		writeJSON(out)
	case sub == "/requests" && r.Method == http.MethodDelete:
		m.mu.Lock()
		m.log = nil
		m.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case sub == "/state" && r.Method == http.MethodGet:
		writeJSON(m.emu.State())
	case sub == "/reset" && r.Method == http.MethodPost:
		m.emu.Reset()
		m.mu.Lock()
		m.log, m.rules, m.spentKind, m.latency = nil, nil, nil, Latency{}
		m.mu.Unlock()
		writeJSON(map[string]string{"status": "reset"})
	case sub == "/faults" && r.Method == http.MethodPost:
		var spec FaultSpec
		if err := decodeStrict(r.Body, &spec); err != nil {
			http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		for _, ru := range spec.Rules {
			if !faultKinds[ru.Kind] {
				http.Error(w, "faults: unknown kind "+strconv.Quote(ru.Kind)+" (allowed: 429 500 502 503 reset timeout commit-then-500)", http.StatusBadRequest)
				return
			}
			if ru.Probability < 0 || ru.Probability > 1 {
				http.Error(w, "faults: probability must be between 0 and 1", http.StatusBadRequest)
				return
			}
		}
		m.mu.Lock()
		m.rules = spec.Rules
		m.spentKind = make([]string, len(spec.Rules))
		for i, ru := range spec.Rules {
			m.spentKind[i] = ru.Kind
		}
		m.rng = rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
		m.mu.Unlock()
		writeJSON(spec)
	case sub == "/faults" && r.Method == http.MethodDelete:
		m.mu.Lock()
		m.rules, m.spentKind = nil, nil
		m.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case sub == "/faults" && r.Method == http.MethodGet:
		m.mu.Lock()
		out := append([]FaultRule{}, m.rules...)
		m.mu.Unlock()
		writeJSON(out)
	case sub == "/latency" && r.Method == http.MethodPost:
		var l Latency
		if err := decodeStrict(r.Body, &l); err != nil || l.FixedMs < 0 || l.JitterMs < 0 {
			http.Error(w, "latency: want {\"fixedMs\": N, \"jitterMs\": N} with N >= 0", http.StatusBadRequest)
			return
		}
		m.mu.Lock()
		m.latency = l
		m.mu.Unlock()
		writeJSON(l)
	case sub == "/latency" && r.Method == http.MethodDelete:
		m.mu.Lock()
		m.latency = Latency{}
		m.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "sandbox admin: unknown endpoint "+r.Method+" "+r.URL.Path+
			" (GET requests, GET state, POST reset, POST|DELETE faults, POST|DELETE latency)", http.StatusNotFound)
	}
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return r.ResponseWriter.(http.Hijacker).Hijack()
}

// discard swallows a response (commit-then-500).
type discard struct {
	h   http.Header
	buf bytes.Buffer
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return d.buf.Write(b) }
func (d *discard) WriteHeader(int)             {}

func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }
