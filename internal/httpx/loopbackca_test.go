package httpx

import (
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestLoopbackCA: a CA given as LoopbackCAPEM is trusted for loopback hosts only.
func TestLoopbackCA(t *testing.T) {
	base, loop := &tls.Config{}, &tls.Config{}
	for _, tt := range []struct {
		host string
		want *tls.Config
	}{
		{"127.0.0.1", loop}, {"127.8.9.10", loop}, {"::1", loop}, {"localhost", loop}, {"LOCALHOST.", loop},
		{"acme.vmwareidentity.com", base}, {"10.0.0.1", base}, {"localhost.evil.example", base}, {"127.0.0.1.nip.io", base},
	} {
		if got := tlsFor(tt.host, base, loop); got != tt.want {
			t.Errorf("%s: loopback CA offered = %v", tt.host, got == loop)
		}
	}

	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	for _, tt := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"loopback CA trusted on 127.0.0.1", Options{LoopbackCAPEM: caPEM, MaxRetries: -1}, true},
		{"no CA: refused", Options{MaxRetries: -1}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := c.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
