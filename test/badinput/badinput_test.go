// Package badinput feeds flowsctl hostile or wrong inputs — configs, flags and server answers
// from loopback TLS servers — and checks each gives one clear error naming the field or the
// endpoint, with no panic, no secret and no unbounded dump of a server's body.
package badinput

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flowsctl/flowsctl/internal/cli"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
)

// maxOutput bounds what one failing command may print: a server's huge body must not reach it.
const maxOutput = 16 << 10

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// run executes the command tree in-process and turns a panic into a test failure.
func run(t *testing.T, args ...string) (out, errs string, code int) {
	t.Helper()
	io, _, o, _ := iostreams.Test()
	eb := &lockedBuffer{}
	io.ErrOut = eb
	f := cli.NewFactory(io, cmdutil.BuildInfo{Version: "badinput"})
	root := cli.NewCmdRoot(f)
	root.SetArgs(append(args, "--no-input", "--timeout", "20s"))
	root.SetOut(o)
	root.SetErr(eb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("flowsctl %v panicked: %v", args, p)
		}
	}()
	err := root.ExecuteContext(ctx)
	if err != nil {
		eb.Write([]byte("error: " + err.Error() + "\n"))
	}
	return o.String(), eb.String(), cmdutil.CodeOf(err)
}

// world is a running sandbox, its generated config as a YAML tree, and the secret values to
// look for in outputs.
type world struct {
	sb      *sandbox.Sandbox
	cfg     map[string]any
	secrets []string
	dir     string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	if len(emulators.All()) == 0 {
		t.Skip("no emulators registered in pkg/sandbox/emulators")
	}
	sb := sandboxtest.Start(t, emulators.All()...)
	w := &world{sb: sb, dir: t.TempDir()}
	b, err := os.ReadFile(sb.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &w.cfg); err != nil {
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
	m := deepCopy(w.cfg).(map[string]any)
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

func deepCopy(x any) any {
	switch t := x.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, v := range t {
			m[k] = deepCopy(v)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, v := range t {
			l[i] = deepCopy(v)
		}
		return l
	}
	return x
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
		t.Errorf("exit 0, want a failure\n%s", tail(all))
	}
	for _, bad := range []string{"panic", "goroutine ", "runtime error", "nil pointer"} {
		if strings.Contains(all, bad) {
			t.Errorf("output has %q:\n%s", bad, tail(all))
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
	if !strings.Contains(errs, "error") && !strings.Contains(all, "fail") {
		t.Errorf("no error on stderr:\n%s", tail(all))
	}
	found := len(wantAny) == 0
	for _, s := range wantAny {
		if strings.Contains(all, s) {
			found = true
		}
	}
	if !found {
		t.Errorf("output names none of %q:\n%s", wantAny, tail(all))
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}

// --- TLS material for the hostile servers -------------------------------------------------

type pki struct {
	caPEM   []byte
	good    tls.Certificate // for 127.0.0.1, valid now
	expired tls.Certificate // for 127.0.0.1, expired yesterday
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "badinput test CA"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, notAfter time.Time) tls.Certificate {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "127.0.0.1"},
			NotBefore: time.Now().Add(-47 * time.Hour), NotAfter: notAfter,
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			KeyUsage: x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	return &pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		good: leaf(2, time.Now().Add(24*time.Hour)), expired: leaf(3, time.Now().Add(-24*time.Hour))}
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
