package httpx

import (
	"context"
	"errors"
	"io"
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

// waits records the pauses between attempts instead of sleeping them.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.ds = append(w.ds, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) list() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.ds...)
}

// fastClient is a client with tiny delays whose waits are recorded, not slept.
func fastClient(t *testing.T, o Options) (*Client, *waits) {
	t.Helper()
	if o.BaseDelay == 0 {
		o.BaseDelay = time.Millisecond
	}
	if o.MaxDelay == 0 {
		o.MaxDelay = 4 * time.Millisecond
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return c, w
}

// scripted answers with the given statuses in turn, then 200, and counts hits.
func scripted(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int64) {
	return scriptedOn(t, false, statuses, header)
}

// scriptedOn is scripted over plain HTTP or over TLS with the server's own CA.
func scriptedOn(t *testing.T, useTLS bool, statuses []int, header http.Header) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	start := httptest.NewServer
	if useTLS {
		start = httptest.NewTLSServer
	}
	srv := start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		io.Copy(io.Discard, r.Body)
		if i < len(statuses) {
			for k, vs := range header {
				w.Header()[k] = vs
			}
			w.WriteHeader(statuses[i])
			io.WriteString(w, `{"error":"busy"}`)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		safe       bool
		statuses   []int
		wantHits   int64
		wantStatus int
	}{
		{"GET 503 then ok", http.MethodGet, false, []int{503, 503}, 3, 200},
		{"GET 429 then ok", http.MethodGet, false, []int{429}, 2, 200},
		{"GET 502 then ok", http.MethodGet, false, []int{502}, 2, 200},
		{"GET 504 then ok", http.MethodGet, false, []int{504}, 2, 200},
		{"GET 500 once then ok", http.MethodGet, false, []int{500}, 2, 200},
		{"HEAD 500 twice then ok", http.MethodHead, false, []int{500, 500}, 3, 200},
		{"GET 500 repeated at most twice", http.MethodGet, false, []int{500, 500, 500, 500}, 3, 500},
		{"GET 503 then 500 twice then ok", http.MethodGet, false, []int{503, 500, 500}, 4, 200},
		{"PUT 500 then ok", http.MethodPut, false, []int{500}, 2, 200},
		{"POST marked 500 then ok", http.MethodPost, true, []int{500}, 2, 200},
		{"PATCH marked 500 three times", http.MethodPatch, true, []int{500, 500, 500}, 3, 500},
		{"POST 500 not retried unless marked", http.MethodPost, false, []int{500}, 1, 500},
		{"DELETE 500 not retried", http.MethodDelete, false, []int{500}, 1, 500},
		{"GET 404 is not retried", http.MethodGet, false, []int{404}, 1, 404},
		{"PUT 503 retried", http.MethodPut, false, []int{503}, 2, 200},
		{"DELETE 503 retried", http.MethodDelete, false, []int{503}, 2, 200},
		{"HEAD 503 retried", http.MethodHead, false, []int{503}, 2, 200},
		{"OPTIONS 503 retried", http.MethodOptions, false, []int{503}, 2, 200},
		{"POST 503 not retried unless marked", http.MethodPost, false, []int{503}, 1, 503},
		{"PATCH 429 not retried unless marked", http.MethodPatch, false, []int{429}, 1, 429},
		{"POST marked 503 retried", http.MethodPost, true, []int{503, 429}, 3, 200},
		{"PATCH marked 502 retried", http.MethodPatch, true, []int{502}, 2, 200},
		{"retries end after MaxRetries with the last answer", http.MethodGet, false, []int{503, 503, 503, 503, 503}, 4, 503},
	}
	for _, tt := range tests {
		for _, useTLS := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: "/http", true: "/https"}[useTLS], func(t *testing.T) {
				srv, hits := scriptedOn(t, useTLS, tt.statuses, nil)
				o := Options{MaxRetries: 3}
				if useTLS {
					o.CAPEM = caPEM(srv)
				}
				c, _ := fastClient(t, o)
				ctx, attempts := WithCounter(context.Background())
				req, _ := http.NewRequestWithContext(ctx, tt.method, srv.URL+"/v1/things", strings.NewReader(`{"a":1}`))
				if tt.safe {
					req = RetrySafe(req)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				if hits.Load() != tt.wantHits || attempts.Load() != tt.wantHits {
					t.Errorf("server saw %d, counter %d, want %d", hits.Load(), attempts.Load(), tt.wantHits)
				}
			})
		}
	}
}

func TestRetryReplaysBody(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if n.Add(1) == 1 {
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	c, _ := fastClient(t, Options{})
	req, _ := http.NewRequest(http.MethodPut, srv.URL, strings.NewReader("payload"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(bodies) != 2 || bodies[0] != "payload" || bodies[1] != "payload" {
		t.Fatalf("bodies %q", bodies)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		value    func() string
		min, max time.Duration
	}{
		{"seconds", func() string { return "2" }, 2 * time.Second, 2 * time.Second},
		{"zero seconds falls back to backoff", func() string { return "0" }, 0, 4 * time.Millisecond},
		{"HTTP-date", func() string { return time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat) }, 1 * time.Second, 3 * time.Second},
		{"HTTP-date in the past", func() string { return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat) }, 0, 4 * time.Millisecond},
		{"garbage", func() string { return "soon" }, 0, 4 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, status := range []int{429, 503} {
				srv, hits := scripted(t, []int{status}, http.Header{"Retry-After": {tt.value()}})
				c, w := fastClient(t, Options{})
				resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				ws := w.list()
				if hits.Load() != 2 || len(ws) != 1 {
					t.Fatalf("%d: hits %d waits %v", status, hits.Load(), ws)
				}
				if ws[0] < tt.min || ws[0] > tt.max {
					t.Errorf("%d: waited %v, want between %v and %v", status, ws[0], tt.min, tt.max)
				}
			}
		})
	}
}

func TestRetryAfterParse(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"7", 7 * time.Second}, {" 7 ", 7 * time.Second}, {"-1", 0}, {"x", 0},
		{"100000", 100000 * time.Second}, {"99999999999", 7 * 24 * time.Hour}, {"Wed, 21 Oct 2015 07:28:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := RetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); got < 59*time.Minute || got > time.Hour {
		t.Errorf("a date an hour ahead: %v, want about an hour", got)
	}
}

func TestBackoffCappedAndJittered(t *testing.T) {
	base, max := 10*time.Millisecond, 300*time.Millisecond
	for attempt := 0; attempt < 70; attempt++ {
		d := base << attempt
		if attempt >= 32 || d > max || d <= 0 {
			d = max
		}
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			got := backoff(base, max, attempt)
			if got < d/2 || got > d {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, d/2, d)
			}
			seen[got] = true
		}
		if len(seen) < 2 {
			t.Errorf("attempt %d: no jitter, always %v", attempt, got1(seen))
		}
	}
}

func got1(m map[time.Duration]bool) time.Duration {
	for k := range m {
		return k
	}
	return 0
}

func TestDeadlineBudget(t *testing.T) {
	srv, hits := scripted(t, []int{503, 503, 503}, http.Header{"Retry-After": {"30"}})
	c, w := fastClient(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/system/info?client_secret=hunter2hunter2", nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("want an error when Retry-After passes the deadline")
	}
	var re *RetryError
	if !errors.As(err, &re) {
		t.Fatalf("want *RetryError, got %T %v", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"GET", "/api/system/info", "503 Service Unavailable", "1 attempt"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2hunter2") {
		t.Errorf("error leaks the query secret: %s", msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error does not wrap context.DeadlineExceeded")
	}
	if hits.Load() != 1 || len(w.list()) != 0 {
		t.Errorf("hits %d waits %v, want one attempt and no wait", hits.Load(), w.list())
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	srv, hits := scripted(t, []int{503, 503}, nil)
	c, err := New(Options{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxWait: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(ctx context.Context, d time.Duration) error { cancel(); return Sleep(ctx, d) }
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
	_, err = c.Do(req)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("want a cancelled RetryError naming 503, got %v", err)
	}
	if hits.Load() != 1 {
		t.Errorf("hits %d", hits.Load())
	}
}

// resetting answers its first `resets` requests by resetting the TCP connection.
func resetting(t *testing.T, resets int64) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= resets {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // RST instead of FIN
			}
			conn.Close()
			return
		}
		io.WriteString(w, "ok")
	}))
	// Fresh connections only, so net/http's own retry on reused connections stays out of the count.
	srv.Config.SetKeepAlivesEnabled(false)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &n
}

// A connection reset over HTTP/1.1, and a stream reset with INTERNAL_ERROR over HTTP/2 (the
// server's handler failed), are retried for a retry-safe request and not for a POST.
func TestRetryConnectionReset(t *testing.T) {
	tests := []struct {
		method   string
		safe     bool
		wantHits int64
		wantErr  bool
	}{
		{http.MethodGet, false, 2, false},
		{http.MethodDelete, false, 2, false},
		{http.MethodPut, false, 2, false},
		{http.MethodPost, false, 1, true},
		{http.MethodPost, true, 2, false},
	}
	for _, proto := range []string{"HTTP/1.1", "HTTP/2.0"} {
		for _, tt := range tests {
			t.Run(proto+"/"+tt.method+"/safe="+strconv.FormatBool(tt.safe), func(t *testing.T) {
				srv, hits := resetting(t, 1)
				var seen *atomic.Value
				o := Options{}
				if proto == "HTTP/2.0" {
					srv, hits, seen = streamResetting(t)
					o.LoopbackCAPEM = caPEM(srv)
				}
				c, _ := fastClient(t, o)
				req := mustReq(t, tt.method, srv.URL+"/r")
				if tt.safe {
					req = RetrySafe(req)
				}
				resp, err := c.Do(req)
				if (err != nil) != tt.wantErr {
					t.Fatalf("err = %v, want error %v", err, tt.wantErr)
				}
				if resp != nil {
					resp.Body.Close()
				}
				if hits.Load() != tt.wantHits {
					t.Errorf("hits %d, want %d", hits.Load(), tt.wantHits)
				}
				if seen != nil && seen.Load() != proto {
					t.Errorf("protocol %v, want %s", seen.Load(), proto)
				}
			})
		}
	}
}

func TestRetryTimeout(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select { // hang until the client gives up on this attempt
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c, _ := fastClient(t, Options{Timeout: 100 * time.Millisecond})
	resp, err := c.Do(mustReq(t, http.MethodGet, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ReadBody(resp)
	if string(b) != "ok" || n.Load() != 2 {
		t.Fatalf("body %q after %d hits", b, n.Load())
	}
}

func TestNoRetryOnRefusedOrTLSError(t *testing.T) {
	tls := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	c, w := fastClient(t, Options{})
	ctx, attempts := WithCounter(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tls.URL, nil)
	if _, err := c.Do(req); err == nil {
		t.Fatal("an untrusted certificate was accepted")
	}
	if attempts.Load() != 1 || len(w.list()) != 0 {
		t.Errorf("a certificate error was retried: %d attempts", attempts.Load())
	}
}

func mustReq(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestCreateChecked: a transient failure is followed by a look-up and either adoption or
// another create; other failures end at once; the number of creates is bounded.
func TestCreateChecked(t *testing.T) {
	var waits []time.Duration
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	errT, errP := errors.New("transient"), errors.New("permanent")
	isT := func(err error) bool { return errors.Is(err, errT) }
	for _, tt := range []struct {
		name        string
		creates     []error // answers of successive creates
		existsAfter int     // the object exists once this many creates committed (0: never)
		wantCreates int
		wantAdopted bool
		wantErr     error
	}{
		{"first create works", []error{nil}, 1, 1, false, nil},
		{"refused then created", []error{errT, nil}, 2, 2, false, nil},
		{"answer lost, adopted", []error{errT}, 1, 1, true, nil},
		{"permanent error ends at once", []error{errP}, 0, 1, false, errP},
		{"transient every time", []error{errT, errT, errT, errT}, 0, MaxCreateAttempts, false, errT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			creates := 0
			find := func() (*string, error) {
				if tt.existsAfter > 0 && creates >= tt.existsAfter {
					s := "found"
					return &s, nil
				}
				return nil, nil
			}
			create := func() (*string, error) {
				err := tt.creates[creates]
				creates++
				if err != nil {
					return nil, err
				}
				s := "created"
				return &s, nil
			}
			waits = nil
			v, adopted, err := CreateChecked(context.Background(), c, isT, find, create)
			if creates != tt.wantCreates || adopted != tt.wantAdopted || !errors.Is(err, tt.wantErr) || (err == nil) != (v != nil) {
				t.Errorf("creates %d adopted %v err %v v %v; want %d %v %v", creates, adopted, err, v, tt.wantCreates, tt.wantAdopted, tt.wantErr)
			}
			for i, d := range waits {
				if want := DefaultCreateBackoff << i; d != want {
					t.Errorf("wait %d = %v, want %v (doubling from the default)", i, d, want)
				}
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"  plain msg  ", "plain msg"},
		{"first line\nsecond line", "first line"},
		{"<html><body>oops</body></html>", ""},
		{"a\tb\x00c\x1bd", "abcd"},
		{"bad \xff utf8", "bad  utf8"},
		{strings.Repeat("a", 30), strings.Repeat("a", 10) + "…"},
		{strings.Repeat("é", 10), strings.Repeat("é", 5) + "…"},
	} {
		if got := Excerpt(tt.in, 10); got != tt.want {
			t.Errorf("Excerpt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLongRetryAfter: a Retry-After longer than MaxWait ends the request at once with an
// error saying what the server asked (at 322035c it stalled silently for 300 s); shorter
// waits of 2 s or more are announced on Notices.
func TestLongRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name       string
		retryAfter string
		wantErr    string
		wantNotice string
		wantHits   int32
	}{
		{"a day is refused", "86400", "asks to wait 24h0m0s", "", 1},
		{"five seconds is waited and announced", "5", "", "waiting 5s before sending GET", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
				}
			}))
			defer srv.Close()
			var notices strings.Builder
			c, err := New(Options{Notices: &notices})
			if err != nil {
				t.Fatal(err)
			}
			var waited []time.Duration
			c.sleep = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/limited", nil)
			resp, err := c.Do(req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrWaitTooLong) || len(waited) != 0 {
					t.Fatalf("err = %v, waited %v", err, waited)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("hits %d, want %d", hits.Load(), tt.wantHits)
			}
			if !strings.Contains(notices.String(), tt.wantNotice) || (tt.wantNotice == "" && notices.Len() > 0) {
				t.Errorf("notices %q, want %q", notices.String(), tt.wantNotice)
			}
		})
	}
}

func TestRateLimitReset(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"x", 0}, {"-5", 0}, {"1799999990", 0}, {"1800000005", 6 * time.Second}, {"9999999999999", 7 * 24 * time.Hour},
	} {
		if got := rateLimitReset(tt.in, now); got != tt.want {
			t.Errorf("rateLimitReset(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// A 429 without Retry-After but with Okta's reset header waits for the reset.
	resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(time.Now().Add(3*time.Second).Unix(), 10)}}}
	if d, retry := shouldRetry(resp, nil); !retry || d < 2*time.Second || d > 5*time.Second {
		t.Errorf("shouldRetry = %v %v, want about 4s", d, retry)
	}
}
