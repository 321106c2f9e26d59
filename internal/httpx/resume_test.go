package httpx

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// A client resumes its TLS session on a later connection to the same server (no chain check,
// no server signature), whichever way its CA was given.
func TestClientResumesTLSSessions(t *testing.T) {
	var resumed, full atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close") // every request on a new connection
		io.WriteString(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{VerifyConnection: func(cs tls.ConnectionState) error {
		if cs.DidResume {
			resumed.Add(1)
		} else {
			full.Add(1)
		}
		return nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{"CAPEM", Options{CAPEM: caPEM(srv), MaxRetries: -1}},
		{"LoopbackCAPEM", Options{LoopbackCAPEM: caPEM(srv), MaxRetries: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resumed.Store(0)
			full.Store(0)
			c, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
				if err != nil {
					t.Fatal(err)
				}
				if b, err := ReadBody(resp); err != nil || string(b) != "ok" {
					t.Fatalf("%q %v", b, err)
				}
			}
			if full.Load() != 1 || resumed.Load() != 2 {
				t.Fatalf("3 connections: %d full handshakes and %d resumed; want 1 and 2", full.Load(), resumed.Load())
			}
		})
	}
}
