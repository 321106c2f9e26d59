package sandbox

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"

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
	CA       *CA
	Env      *Env
	Services map[string]*Service
	order    []string
}

// Start listens on 127.0.0.1 for every emulator and serves them over HTTPS.
// dir, when not empty, is where WriteFiles will put ca.pem, sandbox.json and flowsctl.yaml
// (emulators see it through Env.Dir so that config fragments can point at secret files).
func Start(dir string, emus ...Emulator) (*Sandbox, error) {
	ca, err := NewCA()
	if err != nil {
		return nil, err
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	sb := &Sandbox{CA: ca, Services: map[string]*Service{}}
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
			return nil, fmt.Errorf("sandbox: two emulators named %q", e.Name())
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			sb.Close()
			return nil, fmt.Errorf("sandbox: listen for %s: %w", e.Name(), err)
		}
		u := "https://" + ln.Addr().String()
		s := &Service{Name: e.Name(), URL: u, Admin: u + AdminPrefix, Emu: e, ln: ln}
		sb.Services[e.Name()] = s
		sb.order = append(sb.order, e.Name())
	}
	for _, name := range sb.order {
		if b, ok := sb.Services[name].Emu.(Binder); ok {
			b.Bind(sb.Env)
		}
	}
	for _, name := range sb.order {
		s := sb.Services[name]
		s.mw = newMiddleware(s.Name, s.Emu)
		s.srv = &http.Server{
			Handler:           s.mw,
			TLSConfig:         &tls.Config{Certificates: []tls.Certificate{ca.Server}, MinVersion: tls.VersionTLS12},
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          nil,
			BaseContext:       func(net.Listener) context.Context { return context.WithValue(context.Background(), keyService, s.Name) },
		}
		s.srv.ErrorLog = quietLogger()
		go s.srv.ServeTLS(s.ln, "", "")
	}
	return sb, nil
}

// Names lists the services in start order.
func (sb *Sandbox) Names() []string { return append([]string(nil), sb.order...) }

// Close stops every server.
func (sb *Sandbox) Close() {
	for _, s := range sb.Services {
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			s.srv.Shutdown(ctx)
			cancel()
			s.srv.Close()
		} else if s.ln != nil {
			s.ln.Close()
		}
	}
}

// Meta is the content of sandbox.json.
type Meta struct {
	CA       string                 `json:"ca"`
	Services map[string]ServiceMeta `json:"services"`
}

type ServiceMeta struct {
	URL   string `json:"url"`
	Admin string `json:"admin"`
}

// Meta describes the running sandbox; caPath is the ca.pem path recorded in it.
func (sb *Sandbox) Meta(caPath string) Meta {
	m := Meta{CA: caPath, Services: map[string]ServiceMeta{}}
	for n, s := range sb.Services {
		m.Services[n] = ServiceMeta{URL: s.URL, Admin: s.Admin}
	}
	return m
}

// WriteFiles writes DIR/ca.pem, DIR/secrets/*, DIR/flowsctl.yaml and, last, DIR/sandbox.json
// (so a watcher that sees sandbox.json finds the rest in place). Every file is 0600.
func (sb *Sandbox) WriteFiles() error {
	dir := sb.Env.Dir
	if dir == "" {
		return fmt.Errorf("sandbox: no directory to write to")
	}
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		return err
	}
	caPath := filepath.Join(dir, "ca.pem")
	if err := writeFile(caPath, sb.CA.CertPEM); err != nil {
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
	if err := writeFile(filepath.Join(dir, "flowsctl.yaml"), cfg); err != nil {
		return err
	}
	meta, _ := json.MarshalIndent(sb.Meta(caPath), "", "  ")
	return writeFile(filepath.Join(dir, "sandbox.json"), append(meta, '\n'))
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
