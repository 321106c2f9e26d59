// Package badinput feeds flowsctl hostile or wrong inputs — configs, flags and server answers
// from loopback TLS servers — and checks each gives one clear error naming the field or the
// endpoint, with no panic, no secret and no unbounded dump of a server's body.
package badinput

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/test/harness"
)

// maxOutput bounds what one failing command may print: a server's huge body must not reach it.
const maxOutput = 16 << 10

// run executes the command tree in-process; a panic fails the test.
func run(t *testing.T, args ...string) (out, errs string, code int) {
	t.Helper()
	r := harness.Run(t, harness.Options{Version: "badinput", Timeout: 30 * time.Second}, append(args, "--no-input", "--timeout", "20s")...)
	return r.Out, r.Err, r.Code
}

// world is a running sandbox, its generated config, and the secret values to look for in outputs.
type world struct {
	sb      *sandbox.Sandbox
	cfg     []byte // flowsctl.yaml as generated
	secrets []string
	dir     string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	sb := harness.Start(t, harness.Options{}).SB
	w := &world{sb: sb, dir: t.TempDir()}
	var err error
	if w.cfg, err = os.ReadFile(sb.ConfigPath()); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(filepath.Dir(sb.ConfigPath()), "secrets"))
	for _, e := range ents {
		v, _ := os.ReadFile(filepath.Join(filepath.Dir(sb.ConfigPath()), "secrets", e.Name()))
		if s := strings.TrimSpace(string(v)); len(s) >= 8 {
			w.secrets = append(w.secrets, s)
		}
	}
	return w
}

// config writes a copy of the generated config with edit applied and returns its path.
func (w *world) config(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any // a fresh tree for each case
	if err := yaml.Unmarshal(w.cfg, &m); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(m)
	}
	b, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "flowsctl.yaml")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// set assigns a dotted path in a YAML tree, creating maps on the way.
func set(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		n, ok := m[p].(map[string]any)
		if !ok {
			n = map[string]any{}
			m[p] = n
		}
		m = n
	}
	if v == nil {
		delete(m, parts[len(parts)-1])
		return
	}
	m[parts[len(parts)-1]] = v
}

// check applies the common rules to one failing run and returns the combined output.
func (w *world) check(t *testing.T, out, errs string, code int, wantAny ...string) {
	t.Helper()
	all := out + errs
	if code == 0 {
		t.Errorf("exit 0, want a failure\n%s", harness.Tail(all, 3000))
	}
	for _, bad := range []string{"panic", "goroutine ", "runtime error", "nil pointer"} {
		if strings.Contains(all, bad) {
			t.Errorf("output has %q:\n%s", bad, harness.Tail(all, 3000))
		}
	}
	for _, s := range w.secrets {
		if strings.Contains(all, s) {
			t.Errorf("output carries a secret value of the sandbox")
		}
	}
	if len(all) > maxOutput {
		t.Errorf("output is %d bytes (a body was dumped?), want <= %d", len(all), maxOutput)
	}
	// The run's error is on stderr (as the binary prints it) or a failed check in the output; a
	// command that only exits non-zero says nothing to the user.
	if strings.TrimSpace(errs) == "" && !strings.Contains(all, "fail") {
		t.Errorf("nothing on stderr:\n%s", harness.Tail(all, 3000))
	}
	found := len(wantAny) == 0
	for _, s := range wantAny {
		if strings.Contains(all, s) {
			found = true
		}
	}
	if !found {
		t.Errorf("output names none of %q:\n%s", wantAny, harness.Tail(all, 3000))
	}
}

// --- TLS material for the hostile servers -------------------------------------------------

type pki struct {
	caPEM   []byte
	good    tls.Certificate // for 127.0.0.1, valid now
	expired tls.Certificate // for 127.0.0.1, expired yesterday
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	ca, err := sandbox.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good, err := ca.ServerCert(now.Add(-47*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ca.ServerCert(now.Add(-47*time.Hour), now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return &pki{caPEM: ca.CertPEM, good: good, expired: expired}
}

// serve starts a loopback TLS server with cert (nil: httptest's own, which no bundle trusts).
func serve(t *testing.T, cert *tls.Certificate, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point of some cases
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}
