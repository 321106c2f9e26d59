package sandbox_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
)

// Two sandboxes' CAs have different subject names: a client trusting a bundle of many looks an
// issuer up by name and checks the signature against every CA of that name.
func TestCAsHaveDistinctNames(t *testing.T) {
	subject := func() string {
		ca, err := sandbox.NewCA()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := pem.Decode(ca.CertPEM)
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if leaf := ca.Server.Leaf; leaf.Issuer.String() != c.Subject.String() {
			t.Fatalf("server certificate issuer %q, CA subject %q", leaf.Issuer, c.Subject)
		}
		return c.Subject.String()
	}
	if a, b := subject(), subject(); a == b {
		t.Fatalf("two CAs share the subject %q", a)
	}
}

// A TLS session from one emulator resumes at another of the same sandbox (same certificate,
// one ticket key), and the server negotiates X25519; a session from another sandbox does not
// resume (each sandbox has its own ticket key).
func TestEmulatorsResumeEachOthersSessions(t *testing.T) {
	sb := start(t, newItems("a"), newItems("b"))
	other := start(t, newItems("c"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sb.CA.CertPEM)
	pool.AppendCertsFromPEM(other.CA.CertPEM)
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	dial := func(url string) tls.ConnectionState {
		t.Helper()
		d := tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: cfg}
		c, err := d.Dial("tcp", url[len("https://"):])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		// TLS 1.3 tickets come after the handshake, ahead of any response: reading a whole
		// response takes them in.
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(tc, "GET /items HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(tc); !strings.HasPrefix(string(b), "HTTP/1.1 ") {
			t.Fatalf("no HTTP response: %q", b)
		}
		return tc.ConnectionState()
	}
	if st := dial(sb.Services["a"].URL); st.DidResume || st.CurveID != tls.X25519 {
		t.Fatalf("first handshake: resumed %v, group %v; want a full handshake on X25519", st.DidResume, st.CurveID)
	}
	if st := dial(sb.Services["b"].URL); !st.DidResume {
		t.Fatal("a session from emulator a did not resume at emulator b of the same sandbox")
	}
	if st := dial(other.Services["c"].URL); st.DidResume {
		t.Fatal("a session from one sandbox resumed at another sandbox")
	}
}
