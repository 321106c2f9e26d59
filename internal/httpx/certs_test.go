package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// appendPEM adds what x509.CertPool.AppendCertsFromPEM adds, and parses a bundle once.
func TestAppendPEMMatchesTheStandardLibrary(t *testing.T) {
	a := httptest.NewTLSServer(http.NotFoundHandler())
	defer a.Close()
	one := caPEM(a)
	cert := func(raw []byte, h map[string]string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: h, Bytes: raw})
	}
	for _, tt := range []struct {
		name string
		pem  []byte
		want int
	}{
		{"one", one, 1},
		{"the same twice", append(append([]byte(nil), one...), one...), 2}, // the pool keeps one
		{"with a key block and text around", append(append([]byte("bundle\n"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}})...), one...), 1},
		{"a block with headers", cert(a.Certificate().Raw, map[string]string{"Proc-Type": "4,ENCRYPTED"}), 0},
		{"a certificate that does not parse", append(cert([]byte{0x30, 0x03, 1, 2, 3}, nil), one...), 1},
		{"empty", nil, 0},
		{"no PEM", []byte("not a bundle"), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			std, ours := x509.NewCertPool(), x509.NewCertPool()
			stdOK := std.AppendCertsFromPEM(tt.pem)
			for range 2 { // parsed, then from the cache
				if ok := appendPEM(ours, tt.pem); ok != stdOK {
					t.Fatalf("appendPEM = %v, AppendCertsFromPEM = %v", ok, stdOK)
				}
			}
			if !ours.Equal(std) {
				t.Fatal("the pools differ")
			}
			if n := len(parsePEM(tt.pem)); n != tt.want {
				t.Errorf("%d certificates parsed, want %d", n, tt.want)
			}
		})
	}
}

func FuzzAppendPEM(f *testing.F) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	f.Add(caPEM(srv))
	srv.Close()
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAo=\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		std, ours := x509.NewCertPool(), x509.NewCertPool()
		if appendPEM(ours, b) != std.AppendCertsFromPEM(b) || !ours.Equal(std) {
			t.Fatalf("appendPEM and AppendCertsFromPEM differ on %q", b)
		}
	})
}

// A loopback connection offers X25519 alone, however the CA was given (the sandbox picks it;
// the post-quantum hybrid share would be generated for nothing); any other host gets Go's
// default groups.
func TestLoopbackOffersX25519Only(t *testing.T) {
	var offered [][]tls.CurveID
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		offered = append(offered, slices.Clone(h.SupportedCurves))
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	for _, o := range []Options{{LoopbackCAPEM: caPEM(srv), MaxRetries: -1}, {CAPEM: caPEM(srv), MaxRetries: -1}} {
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tr := c.inner.Transport.(*http.Transport)
		if cfg := tr.TLSClientConfig; cfg.CurvePreferences != nil || !slices.Contains(cfg.NextProtos, "h2") {
			t.Errorf("the configuration for other hosts: curves %v (want Go's defaults), protocols %v", cfg.CurvePreferences, cfg.NextProtos)
		}
	}
	if len(offered) != 2 {
		t.Fatalf("%d handshakes, want 2", len(offered))
	}
	for i, o := range offered {
		if !slices.Equal(o, []tls.CurveID{tls.X25519}) {
			t.Errorf("handshake %d on loopback offered %v, want X25519 alone", i, o)
		}
	}
}
