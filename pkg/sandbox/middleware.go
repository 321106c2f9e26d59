package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LogEntry is one line of GET ADMIN/requests.
type LogEntry struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Query      string `json:"query"`
	Status     int    `json:"status"` // 0 when the connection was reset or timed out
	DurationMs int64  `json:"durationMs"`
	Fault      string `json:"fault,omitempty"` // the injected fault kind, if any
	// Start is when the request reached the sandbox; End is when the sandbox began sending the
	// last part of its answer (or dropped the connection). A client cannot send a request that
	// depends on this one's answer before End, so a request starting after another's End may
	// follow it and one starting before it overlaps it (test/harness.Chain).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// UserAgent tells flowsctl's requests from those an emulator sends to another (Okta's
	// provisioning into Identity Services).
	UserAgent string `json:"userAgent,omitempty"`
}

// FaultRule is one rule of POST ADMIN/faults.
type FaultRule struct {
	Method string `json:"method,omitempty"` // "" = any method
	// Path is a path.Match pattern ("" = any path); a trailing * also matches any suffix,
	// so /v1.0/applications* matches /v1.0/applications and /v1.0/applications/ID/owners.
	Path string `json:"path,omitempty"`
	Kind string `json:"kind"` // 429 500 502 503 reset timeout commit-then-500
	// Probability that a matching request gets the fault; 0 (or omitted) means every one.
	// Draws come from a generator seeded by FaultSpec.Seed, so a sequence of requests
	// sees the same faults on every run.
	Probability float64 `json:"probability,omitempty"`
	// Count > 0 limits the rule to the next Count requests it faults; after that it is spent.
	Count int `json:"count,omitempty"`
	// RetryAfter is the Retry-After header in seconds for 429 (default 1) and 503 (sent only when > 0).
	RetryAfter int `json:"retryAfter,omitempty"`
}

// FaultSpec is the body of POST ADMIN/faults. It replaces the current rules.
type FaultSpec struct {
	Seed  uint64      `json:"seed"`
	Rules []FaultRule `json:"rules"`
}

// FaultStatus is one rule as GET ADMIN/faults reports it.
type FaultStatus struct {
	FaultRule
	// Remaining is how many more requests a counted rule will fault (absent for uncounted rules).
	Remaining *int `json:"remaining,omitempty"`
}

// Latency is the body of POST ADMIN/latency: every API request waits FixedMs plus up to JitterMs.
type Latency struct {
	FixedMs  int `json:"fixedMs"`
	JitterMs int `json:"jitterMs"`
}

// FaultKinds lists the kinds a FaultRule accepts.
var FaultKinds = []string{"429", "500", "502", "503", "reset", "timeout", "commit-then-500"}

// Validate reports the first problem of a spec, naming the rule.
func (s FaultSpec) Validate() error {
	for i, ru := range s.Rules {
		known := false
		for _, k := range FaultKinds {
			known = known || ru.Kind == k
		}
		switch {
		case !known:
			return fmt.Errorf("rules[%d].kind %q: use one of %s", i, ru.Kind, strings.Join(FaultKinds, " "))
		case ru.Probability < 0 || ru.Probability > 1:
			return fmt.Errorf("rules[%d].probability %v: must be between 0 and 1", i, ru.Probability)
		case ru.Count < 0:
			return fmt.Errorf("rules[%d].count %d: must be 0 (no limit) or more", i, ru.Count)
		case ru.RetryAfter < 0:
			return fmt.Errorf("rules[%d].retryAfter %d: must be 0 or more seconds", i, ru.RetryAfter)
		}
		if ru.Path != "" {
			if _, err := path.Match(strings.TrimSuffix(ru.Path, "*"), "/"); err != nil {
				return fmt.Errorf("rules[%d].path %q: %v", i, ru.Path, err)
			}
		}
	}
	return nil
}

// rule is a FaultRule with its bookkeeping.
type rule struct {
	FaultRule
	remaining int // for counted rules: faults left; the rule is spent at 0
}

func (r *rule) spent() bool { return r.Count > 0 && r.remaining <= 0 }

func (r *rule) matches(req *http.Request) bool {
	if r.Method != "" && !strings.EqualFold(r.Method, req.Method) {
		return false
	}
	return r.Path == "" || matchPath(r.Path, req.URL.Path)
}

// DefaultLogCap bounds each service's request log; the oldest entries are dropped first.
const DefaultLogCap = 50000

// timeoutHold bounds how long a "timeout" fault holds a request the client never abandons.
const timeoutHold = 2 * time.Minute

type middleware struct {
	name string
	emu  Emulator
	api  http.Handler
	done chan struct{} // closed when the sandbox closes: held requests give up

	inflight atomic.Int64 // requests being served, which Close lets finish
	conns    atomic.Int64 // connections accepted since the service started

	mu      sync.Mutex
	log     ring
	rules   []*rule
	rng     *rand.Rand
	latency Latency
	jitter  *rand.Rand
}

func newMiddleware(name string, emu Emulator) *middleware {
	return &middleware{
		name: name, emu: emu, api: emu.Handler(), done: make(chan struct{}),
		log:    ring{cap: DefaultLogCap},
		rng:    newRand(0),
		jitter: newRand(1),
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.inflight.Add(1)
	defer m.inflight.Add(-1)
	if r.URL.Path == AdminPrefix || strings.HasPrefix(r.URL.Path, AdminPrefix+"/") {
		m.admin(w, r)
		return
	}
	start := time.Now()
	m.mu.Lock()
	delay := time.Duration(m.latency.FixedMs) * time.Millisecond
	if m.latency.JitterMs > 0 {
		delay += time.Duration(m.jitter.IntN(m.latency.JitterMs+1)) * time.Millisecond
	}
	fault, retryAfter := m.pickFault(r)
	m.mu.Unlock()

	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		// An emulator bug answers 500 with the panic, so a test failure points at it.
		p := recover()
		switch {
		case p == http.ErrAbortHandler:
			rec.status = 0
		case p != nil:
			if !rec.wrote {
				http.Error(rec, fmt.Sprintf("sandbox: %s emulator panicked: %v", m.name, p), http.StatusInternalServerError)
			}
			rec.status = http.StatusInternalServerError
		}
		end := rec.last
		if end.IsZero() {
			end = time.Now()
		}
		m.record(LogEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			DurationMs: time.Since(start).Milliseconds(), Fault: fault, Start: start, End: end, UserAgent: r.UserAgent()})
		if p == http.ErrAbortHandler {
			panic(p)
		}
	}()
	if delay > 0 && !m.wait(r, delay) {
		rec.status = 0
		return
	}
	switch fault {
	case "":
		m.api.ServeHTTP(rec, r)
	case "429", "500", "502", "503":
		code, _ := strconv.Atoi(fault)
		if fault == "429" && retryAfter <= 0 {
			retryAfter = 1
		}
		if retryAfter > 0 && (fault == "429" || fault == "503") {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		http.Error(rec, http.StatusText(code)+" (sandbox fault)", code)
	case "reset":
		rec.status = 0
		rec.last = time.Now()
		resetConn(w)
	case "timeout":
		// Hold the request until the client gives up (or the sandbox closes), then drop it.
		// The body is read first: net/http notices a client hang-up only once the body is consumed.
		io.Copy(io.Discard, io.LimitReader(r.Body, 16<<20))
		m.wait(r, timeoutHold)
		rec.status = 0
		rec.last = time.Now()
		resetConn(w)
	case "commit-then-500":
		// The emulator does the work (its state changes) but the client never learns it.
		m.api.ServeHTTP(&discard{h: http.Header{}}, r)
		http.Error(rec, "Internal Server Error (sandbox fault after commit)", http.StatusInternalServerError)
	}
}

// wait sleeps d unless the client goes away or the sandbox closes first; it reports whether d elapsed.
func (m *middleware) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-m.done:
	}
	return false
}

func (m *middleware) record(e LogEntry) {
	m.mu.Lock()
	m.log.add(e)
	m.mu.Unlock()
}

// pickFault returns the fault for r ("" for none) and its Retry-After. The first rule that
// matches and fires wins; firing a counted rule uses one of its remaining faults. Caller holds m.mu.
func (m *middleware) pickFault(r *http.Request) (string, int) {
	for _, ru := range m.rules {
		if ru.spent() || !ru.matches(r) {
			continue
		}
		if p := ru.Probability; p > 0 && p < 1 && m.rng.Float64() >= p {
			continue
		}
		if ru.Count > 0 {
			ru.remaining--
		}
		return ru.Kind, ru.RetryAfter
	}
	return "", 0
}

func (m *middleware) setFaults(spec FaultSpec) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	rules := make([]*rule, len(spec.Rules))
	for i, ru := range spec.Rules {
		rules[i] = &rule{FaultRule: ru, remaining: ru.Count}
	}
	m.mu.Lock()
	m.rules = rules
	m.rng = newRand(spec.Seed)
	m.mu.Unlock()
	return nil
}

func (m *middleware) faults() []FaultStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]FaultStatus, 0, len(m.rules))
	for _, ru := range m.rules {
		fs := FaultStatus{FaultRule: ru.FaultRule}
		if ru.Count > 0 {
			n := max(ru.remaining, 0)
			fs.Remaining = &n
		}
		out = append(out, fs)
	}
	return out
}

func (m *middleware) setLatency(l Latency) error {
	if l.FixedMs < 0 || l.JitterMs < 0 || l.FixedMs > 600000 || l.JitterMs > 600000 {
		return fmt.Errorf("latency: fixedMs and jitterMs must be between 0 and 600000")
	}
	m.mu.Lock()
	m.latency = l
	m.mu.Unlock()
	return nil
}

func (m *middleware) requests() []LogEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.log.all()
}

func (m *middleware) clearRequests() {
	m.mu.Lock()
	m.log.clear()
	m.mu.Unlock()
}

// reset returns the emulator to its seed and clears the log, faults and latency.
func (m *middleware) reset() {
	m.emu.Reset()
	m.mu.Lock()
	m.log.clear()
	m.rules, m.latency = nil, Latency{}
	m.mu.Unlock()
}

func matchPath(pattern, p string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok && strings.HasPrefix(p, prefix) {
		return true
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// resetConn drops the connection with a TCP RST, so the client sees "connection reset by peer".
// An HTTP/2 connection cannot be taken over and carries other requests: there the request's
// stream alone is reset (RST_STREAM with INTERNAL_ERROR, what net/http sends for an aborted
// handler), which the client takes the same way.
func resetConn(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	c, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
		if t, ok := tc.NetConn().(*net.TCPConn); ok {
			t.SetLinger(0)
			t.Close()
			return
		}
	}
	if t, ok := c.(*net.TCPConn); ok {
		t.SetLinger(0)
	}
	c.Close()
}

func (m *middleware) admin(w http.ResponseWriter, r *http.Request) {
	sub := strings.TrimPrefix(r.URL.Path, AdminPrefix)
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	bad := func(err error) { http.Error(w, err.Error(), http.StatusBadRequest) }
	// put decodes the setting name into v (want: its shape), applies it with set and echoes it.
	put := func(name, want string, v any, set func() error) {
		if err := decodeStrict(r.Body, v); err != nil {
			bad(fmt.Errorf("%s: %v (want %s)", name, err, want))
			return
		}
		if err := set(); err != nil {
			bad(err)
			return
		}
		writeJSON(v)
	}
	switch r.Method + " " + sub {
	case "GET /requests":
		writeJSON(m.requests())
	case "DELETE /requests":
		m.clearRequests()
		w.WriteHeader(http.StatusNoContent)
	case "GET /state":
		writeJSON(m.emu.State())
	case "POST /reset":
		m.reset()
		writeJSON(map[string]string{"status": "reset"})
	case "POST /faults":
		var spec FaultSpec
		put("faults", `{"seed": N, "rules": [{"method", "path", "kind", "probability", "count", "retryAfter"}]}`, &spec, func() error {
			if err := m.setFaults(spec); err != nil {
				return fmt.Errorf("faults: %v", err)
			}
			return nil
		})
	case "GET /faults":
		writeJSON(m.faults())
	case "DELETE /faults":
		m.setFaults(FaultSpec{})
		w.WriteHeader(http.StatusNoContent)
	case "POST /latency":
		var l Latency
		put("latency", `{"fixedMs": N, "jitterMs": N}`, &l, func() error { return m.setLatency(l) })
	case "GET /latency":
		m.mu.Lock()
		l := m.latency
		m.mu.Unlock()
		writeJSON(l)
	case "DELETE /latency":
		m.setLatency(Latency{})
		w.WriteHeader(http.StatusNoContent)
	case "GET /connections":
		writeJSON(map[string]int64{"accepted": m.conns.Load()})
	default:
		http.Error(w, "sandbox admin: no endpoint "+r.Method+" "+r.URL.Path+
			" (GET|DELETE requests, GET state, POST reset, GET|POST|DELETE faults, GET|POST|DELETE latency, GET connections under "+AdminPrefix+")",
			http.StatusNotFound)
	}
}

func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// ring keeps the newest cap log entries.
type ring struct {
	cap   int
	buf   []LogEntry
	start int // index of the oldest entry once the buffer is full
}

func (g *ring) add(e LogEntry) {
	if g.cap <= 0 {
		return
	}
	if len(g.buf) < g.cap {
		g.buf = append(g.buf, e)
		return
	}
	g.buf[g.start] = e
	g.start = (g.start + 1) % g.cap
}

func (g *ring) all() []LogEntry {
	out := make([]LogEntry, 0, len(g.buf))
	out = append(out, g.buf[g.start:]...)
	return append(out, g.buf[:g.start]...)
}

func (g *ring) clear() { g.buf, g.start = nil, 0 }

type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	last   time.Time // taken before the latest write reached the real writer
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.last = time.Now()
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	r.last = time.Now()
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and Hijack of the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
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
