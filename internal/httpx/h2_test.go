package httpx

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// connServer is a TLS test server, HTTP/2 or HTTP/1.1 only, that counts the connections it
// accepts and the protocol of the requests it serves.
func connServer(t *testing.T, h2 bool, h http.HandlerFunc) (srv *httptest.Server, conns *atomic.Int64, proto *atomic.Value) {
	t.Helper()
	conns, proto = &atomic.Int64{}, &atomic.Value{}
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		h(w, r)
	}))
	srv.EnableHTTP2 = h2
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, conns, proto
}

// Concurrent requests to a new host open one connection when it speaks HTTP/2, whichever way
// the CA was given; an HTTP/1.1 host still gets a connection per concurrent request (each held
// open here until all have arrived, so a client that serialised them would hang).
func TestConcurrentRequestsShareTheFirstConnection(t *testing.T) {
	const n = 8
	for _, tt := range []struct {
		name      string
		h2        bool
		loopback  bool
		wantConns int64
		wantProto string
	}{
		{"h2/CAPEM", true, false, 1, "HTTP/2.0"},
		{"h2/LoopbackCAPEM", true, true, 1, "HTTP/2.0"},
		{"http1/LoopbackCAPEM", false, true, n, "HTTP/1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var arrived sync.WaitGroup
			arrived.Add(n)
			all := make(chan struct{})
			go func() { arrived.Wait(); close(all) }()
			srv, conns, proto := connServer(t, tt.h2, func(w http.ResponseWriter, r *http.Request) {
				arrived.Done()
				select {
				case <-all:
				case <-time.After(10 * time.Second):
				}
				io.WriteString(w, "ok")
			})
			o := Options{CAPEM: caPEM(srv), MaxRetries: -1}
			if tt.loopback {
				o = Options{LoopbackCAPEM: caPEM(srv), MaxRetries: -1}
			}
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/"+strconv.Itoa(i), nil)
					resp, err := c.Do(req)
					if err == nil {
						_, err = ReadBody(resp)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := conns.Load(); got != tt.wantConns {
				t.Errorf("%d concurrent requests opened %d connections, want %d", n, got, tt.wantConns)
			}
			if got := proto.Load(); got != tt.wantProto {
				t.Errorf("protocol %v, want %s", got, tt.wantProto)
			}
		})
	}
}

// A first request that cannot connect does not hold the others: each gets its own error.
func TestFirstConnectionFailureReleasesTheOthers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	c, err := New(Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 4 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/", nil)
			if _, err := c.Do(req); err != nil && ctx.Err() == nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 4 {
		t.Fatalf("%d of 4 requests failed before the deadline; want all 4 (refused)", failed.Load())
	}
}

// streamResetting is an HTTP/2 server that resets the first request's stream (RST_STREAM with
// INTERNAL_ERROR, what net/http sends for an aborted handler) and answers the others.
func streamResetting(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Value) {
	var hits atomic.Int64
	srv, _, proto := connServer(t, true, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			panic(http.ErrAbortHandler)
		}
		io.WriteString(w, "ok")
	})
	return srv, &hits, proto
}

func TestH2Transient(t *testing.T) {
	for _, tt := range []struct {
		msg  string
		want bool
	}{
		{"stream error: stream ID 9; INTERNAL_ERROR; received from peer", true},
		{"stream error: stream ID 3; REFUSED_STREAM", true},
		{"stream error: stream ID 3; PROTOCOL_ERROR; received from peer", false},
		{"stream error: stream ID 3; CANCEL", false},
		{`http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug=""`, true},
		{"http2: client connection lost", true},
		{"x509: certificate signed by unknown authority", false},
	} {
		if got := h2Transient(tt.msg); got != tt.want {
			t.Errorf("h2Transient(%q) = %v, want %v", tt.msg, got, tt.want)
		}
	}
}

// A server that accepts the connection and never answers the ClientHello ends the attempt after
// the transport's handshake timeout, as a per-attempt timeout (retried when the request is).
func TestTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	c, ws := fastClient(t, Options{MaxRetries: 1})
	c.inner.Transport.(*http.Transport).TLSHandshakeTimeout = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+ln.Addr().String()+"/", nil)
	start := time.Now()
	_, err = c.Do(req)
	if err == nil || ctx.Err() != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s (context: %v); want the handshake timeout, twice, well before the deadline", err, time.Since(start), ctx.Err())
	}
	if !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("error %q does not say the handshake got no answer", err)
	}
	if accepted.Load() != 2 || len(ws.list()) != 1 {
		t.Errorf("%d connections and %d waits; want 2 attempts (a timeout is retried for a GET)", accepted.Load(), len(ws.list()))
	}
}
