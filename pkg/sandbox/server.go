package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Service is one running emulator.
type Service struct {
	Name  string
	URL   string // https://127.0.0.1:PORT
	Admin string // URL + AdminPrefix
	Emu   Emulator

	srv *http.Server
	ln  net.Listener
	mw  *middleware
}

// Sandbox is a set of running emulators sharing one CA.
type Sandbox struct {
	CA *CA
	// ID binds the generated flowsctl.yaml (its sandbox: key) to sandbox.json: flowsctl trusts
	// the sandbox CA, for loopback hosts only, when both name the same id.
	ID       string
	Env      *Env
	Services map[string]*Service
	order    []string
	close    sync.Once
	// ConsoleTodo, written into sandbox.json, leaves the console-only operator steps to do (the
	// demo shows them). Without it the sandbox stands in for the operator on those steps (no
	// emulator has a console to click through): doctor reports them "confirmed", never "pass".
	ConsoleTodo bool
}

// Start listens on 127.0.0.1 for every emulator and serves them over HTTPS (HTTP/1.1 only,
// so that the reset and timeout faults act on real TCP connections).
// dir, when not empty, is where WriteFiles will put ca.pem, sandbox.json and flowsctl.yaml
// (emulators see it through Env.Dir so that config fragments can point at secret files).
func Start(dir string, emus ...Emulator) (*Sandbox, error) {
	ca, err := NewCA()
	if err != nil {
		return nil, fmt.Errorf("sandbox: generate CA: %w", err)
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	sb := &Sandbox{CA: ca, ID: RandHex(12), Services: map[string]*Service{}}
	sb.Env = &Env{
		CAPEM: ca.CertPEM,
		Dir:   dir,
		URL: func(name string) string {
			if s := sb.Services[name]; s != nil {
				return s.URL
			}
			return ""
		},
		Has: func(name string) bool { return sb.Services[name] != nil },
	}
	for _, e := range emus {
		if _, dup := sb.Services[e.Name()]; dup {
			sb.Close()
			return nil, fmt.Errorf("sandbox: two emulators named %q (check pkg/sandbox/emulators.All)", e.Name())
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			sb.Close()
			return nil, fmt.Errorf("sandbox: listen on 127.0.0.1 for %s: %w", e.Name(), err)
		}
		u := "https://" + ln.Addr().String()
		sb.Services[e.Name()] = &Service{Name: e.Name(), URL: u, Admin: u + AdminPrefix, Emu: e, ln: ln}
		sb.order = append(sb.order, e.Name())
	}
	// Every address is known before any emulator binds or serves, so emulators can link to each other.
	for _, name := range sb.order {
		if b, ok := sb.Services[name].Emu.(Binder); ok {
			b.Bind(sb.Env)
		}
	}
	// Handshakes were most of the CPU a fleet of sandboxes burns. The emulators speak HTTP/2
	// next to HTTP/1.1, as Microsoft Graph and Okta do, so a client's concurrent requests share
	// one connection per host. Every emulator serves the same certificate and shares one
	// session ticket key, so a client resumes the TLS session of one emulator at any other; and
	// the loopback server picks X25519 alone (clients offer it next to the hybrid post-quantum
	// group, whose key exchange costs several times more and protects nothing on loopback).
	var ticketKey [32]byte
	rand.Read(ticketKey[:])
	for _, name := range sb.order {
		s := sb.Services[name]
		s.mw = newMiddleware(s.Name, s.Emu)
		tc := &tls.Config{Certificates: []tls.Certificate{ca.Server}, MinVersion: tls.VersionTLS12,
			CurvePreferences: []tls.CurveID{tls.X25519}}
		tc.SetSessionTicketKeys([][32]byte{ticketKey})
		s.srv = &http.Server{
			Handler:           s.mw,
			TLSConfig:         tc,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          quietLogger(),
			ConnState: func(_ net.Conn, st http.ConnState) {
				if st == http.StateNew {
					s.mw.conns.Add(1)
				}
			},
		}
		go s.srv.ServeTLS(s.ln, "", "")
	}
	return sb, nil
}

// Connections is the number of connections each service has accepted since it started, from
// any client (flowsctl's and the emulators' own calls to each other): GET /_sandbox/connections.
func (sb *Sandbox) Connections() map[string]int64 {
	m := make(map[string]int64, len(sb.order))
	for _, name := range sb.order {
		if s := sb.Services[name]; s.mw != nil {
			m[name] = s.mw.conns.Load()
		}
	}
	return m
}

// Names lists the services in start order.
func (sb *Sandbox) Names() []string { return append([]string(nil), sb.order...) }

// Close stops every server: requests held by a timeout fault or latency are dropped, in-flight
// requests get two seconds to finish. It is safe to call more than once.
func (sb *Sandbox) Close() {
	sb.close.Do(func() {
		var wg sync.WaitGroup
		for _, s := range sb.Services {
			if s.mw != nil {
				close(s.mw.done)
			}
			if s.srv == nil {
				if s.ln != nil {
					s.ln.Close()
				}
				continue
			}
			wg.Add(1)
			go func(s *Service) {
				defer wg.Done()
				// Not http.Server.Shutdown: over HTTP/2 it gives every connection, idle or
				// not, a second after its GOAWAY, which every test's clean-up would wait.
				deadline := time.Now().Add(2 * time.Second)
				for s.mw.inflight.Load() > 0 && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				s.srv.Close()
			}(s)
		}
		wg.Wait()
	})
}

func (sb *Sandbox) mw(name string) (*middleware, error) {
	s := sb.Services[name]
	if s == nil || s.mw == nil {
		return nil, fmt.Errorf("sandbox has no service %q (has %v)", name, sb.order)
	}
	return s.mw, nil
}

// Requests is the request log of a service (what GET ADMIN/requests answers), oldest first;
// nil for an unknown service.
func (sb *Sandbox) Requests(name string) []LogEntry {
	m, err := sb.mw(name)
	if err != nil {
		return nil
	}
	return m.requests()
}

// Writes is the part of Requests that is not GET, HEAD or OPTIONS.
func (sb *Sandbox) Writes(name string) []LogEntry {
	var out []LogEntry
	for _, e := range sb.Requests(name) {
		switch e.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			out = append(out, e)
		}
	}
	return out
}

// ClearRequests empties a service's request log (DELETE ADMIN/requests).
func (sb *Sandbox) ClearRequests(name string) {
	if m, err := sb.mw(name); err == nil {
		m.clearRequests()
	}
}

// State is a service's state snapshot (GET ADMIN/state); nil for an unknown service.
func (sb *Sandbox) State(name string) any {
	if s := sb.Services[name]; s != nil {
		return s.Emu.State()
	}
	return nil
}

// Reset returns a service to its seeded state and clears its log, faults and latency (POST ADMIN/reset).
func (sb *Sandbox) Reset(name string) error {
	m, err := sb.mw(name)
	if err != nil {
		return err
	}
	m.reset()
	return nil
}

// SetFaults replaces a service's fault rules (POST ADMIN/faults); an empty spec clears them.
func (sb *Sandbox) SetFaults(name string, spec FaultSpec) error {
	m, err := sb.mw(name)
	if err != nil {
		return err
	}
	return m.setFaults(spec)
}

// Faults lists a service's rules with what is left of counted ones (GET ADMIN/faults).
func (sb *Sandbox) Faults(name string) []FaultStatus {
	m, err := sb.mw(name)
	if err != nil {
		return nil
	}
	return m.faults()
}

// SetLatency sets a service's injected latency (POST ADMIN/latency); the zero value removes it.
func (sb *Sandbox) SetLatency(name string, l Latency) error {
	m, err := sb.mw(name)
	if err != nil {
		return err
	}
	return m.setLatency(l)
}

// Meta is the content of sandbox.json.
type Meta struct {
	CA       string                 `json:"ca"`
	ID       string                 `json:"id"`
	Services map[string]ServiceMeta `json:"services"`
	// ConsoleTodo: the console-only operator steps of the config beside it stay to do; false,
	// the sandbox stands in for the operator on them (confirmed, never observed).
	ConsoleTodo bool `json:"consoleTodo"`

	order []string // start order, kept in sandbox.json
}

// MarshalJSON writes services in start order rather than sorted, so readers that walk
// sandbox.json see the services in the order the sandbox started them.
func (m Meta) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	ca, _ := json.Marshal(m.CA)
	id, _ := json.Marshal(m.ID)
	b.WriteString(`{"ca":`)
	b.Write(ca)
	b.WriteString(`,"id":`)
	b.Write(id)
	todo, _ := json.Marshal(m.ConsoleTodo)
	b.WriteString(`,"consoleTodo":`)
	b.Write(todo)
	b.WriteString(`,"services":{`)
	names := append([]string(nil), m.order...)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	var rest []string
	for n := range m.Services {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	first := true
	for _, n := range append(names, rest...) {
		s, ok := m.Services[n]
		if !ok {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(n)
		v, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteString("}}")
	return b.Bytes(), nil
}

// ServiceMeta is one service in sandbox.json.
type ServiceMeta struct {
	URL   string `json:"url"`
	Admin string `json:"admin"`
}

// Meta describes the running sandbox; caPath is the ca.pem path recorded in it.
func (sb *Sandbox) Meta(caPath string) Meta {
	m := Meta{CA: caPath, ID: sb.ID, Services: map[string]ServiceMeta{}, ConsoleTodo: sb.ConsoleTodo, order: sb.Names()}
	for n, s := range sb.Services {
		m.Services[n] = ServiceMeta{URL: s.URL, Admin: s.Admin}
	}
	return m
}

// CAPath is where WriteFiles puts the CA certificate ("" without a directory).
func (sb *Sandbox) CAPath() string {
	if sb.Env.Dir == "" {
		return ""
	}
	return filepath.Join(sb.Env.Dir, "ca.pem")
}

// ConfigPath is where WriteFiles puts the generated flowsctl.yaml ("" without a directory).
func (sb *Sandbox) ConfigPath() string {
	if sb.Env.Dir == "" {
		return ""
	}
	return filepath.Join(sb.Env.Dir, "flowsctl.yaml")
}

// WriteFiles writes DIR/ca.pem, DIR/secrets/*, DIR/flowsctl.yaml and, last, DIR/sandbox.json
// (so a watcher that sees sandbox.json finds the rest in place). Every file is 0600, every
// directory 0700.
func (sb *Sandbox) WriteFiles() error {
	dir := sb.Env.Dir
	if dir == "" {
		return fmt.Errorf("sandbox: no directory to write to (pass one to sandbox.Start)")
	}
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := writeFile(sb.CAPath(), sb.CA.CertPEM); err != nil {
		return err
	}
	cfg, secrets := sb.Config()
	names := make([]string, 0, len(secrets))
	for n := range secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeFile(sb.Env.SecretPath(n), []byte(secrets[n]+"\n")); err != nil {
			return err
		}
	}
	if err := writeFile(sb.ConfigPath(), cfg); err != nil {
		return err
	}
	meta, _ := json.MarshalIndent(sb.Meta(sb.CAPath()), "", "  ")
	return writeFile(filepath.Join(dir, "sandbox.json"), append(meta, '\n'))
}

// writeFile replaces p atomically with a 0600 file (the mode is set even when p existed).
func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sandbox: write %s: %w", p, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}
