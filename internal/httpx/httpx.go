// Package httpx is the one HTTP stack of flowsctl: retries with capped jittered backoff,
// a total time budget from the context, a custom CA bundle, the User-Agent and a --debug
// trace with secrets redacted. Every non-Graph client uses it; the Graph SDK gets its transport.
//
// Retries: 429, 502, 503, 504, connection resets and per-attempt timeouts are retried for
// GET, HEAD, PUT, DELETE and OPTIONS, and for POST/PATCH only when marked with RetrySafe. A 500
// is never retried. The wait is base*2^attempt capped at MaxDelay with jitter, or the server's
// Retry-After (seconds or HTTP-date) when longer. When the next wait would pass the request
// context's deadline, Do returns a *RetryError naming the endpoint and the last status.
//
// Trace (Options.Debug): one block per attempt. Credential headers keep only their scheme
// ("Bearer [REDACTED]"); JSON fields named like secret/password/token/apiKey/assertion/
// credential are redacted at any depth, including everything under them; form fields and
// query parameters likewise, plus OAuth's code, device_code and code_verifier; other bodies
// are summarised ("[N bytes text/plain]"). JWTs and values registered with AddSecret are
// masked anywhere in the block.
package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowsctl/flowsctl/internal/safefile"
)

// DefaultMaxWait is Options.MaxWait's default.
const DefaultMaxWait = 60 * time.Second

// MaxBody caps every response body flowsctl reads.
const MaxBody = 16 << 20

// Options configure a Client.
type Options struct {
	UserAgent string // default "flowsctl/dev"
	CAFile    string // PEM bundle appended to the system roots
	CAPEM     []byte // extra PEM appended to the roots (the sandbox CA)
	// LoopbackCAPEM is a CA trusted only for loopback hosts (127.0.0.0/8, ::1, localhost):
	// the CA of a sandbox found next to the config. A certificate it signed for any other host
	// is not accepted, so a planted sandbox.json cannot intercept a real tenant's traffic.
	LoopbackCAPEM []byte
	Debug         io.Writer     // when set, a redacted trace of every request goes here
	Timeout       time.Duration // per attempt, until the response headers arrive; default 60s
	MaxRetries    int           // default 5
	BaseDelay     time.Duration // default 200ms
	MaxDelay      time.Duration // default 10s
	// CreateBackoff is CreateChecked's first wait before a look-up (default 500ms).
	CreateBackoff time.Duration
	// MaxWait is the longest single wait before a retry (default 60s): a server asking for a
	// longer one (Retry-After: 86400) ends the request with a RetryError saying so.
	MaxWait time.Duration
	// Notices, when set, is told about every wait of 2s or more (what is waited for and why).
	Notices io.Writer
	// Secrets are values masked wherever they appear in the Debug trace (raw, URL- or
	// JSON-escaped). Add more later with Client.AddSecret.
	Secrets []string
	// Redactor, when set, is shared with the rest of the run (config, output, errors): every
	// secret the client learns is registered there. Default: a private one.
	Redactor *Redactor
}

// Client sends requests with retries. It is safe for concurrent use.
type Client struct {
	opts  Options
	inner *http.Client // single attempts
	rt    http.RoundTripper

	secrets *secretSet
	first   firstConn  // one first connection per host
	traceMu sync.Mutex // one trace block at a time
	// sleep waits between attempts; tests replace it to observe the waits without waiting.
	sleep func(ctx context.Context, d time.Duration) error
}

// New builds a Client. An unreadable or empty CA file is an error naming the file.
func New(o Options) (*Client, error) {
	if o.UserAgent == "" {
		o.UserAgent = "flowsctl/dev"
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 5
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 200 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 10 * time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if o.CAFile != "" {
		pem, err := safefile.Read(o.CAFile, safefile.MaxCA)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: %w", o.CAFile, err)
		}
		if !appendPEM(pool, pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found in it", o.CAFile)
		}
	}
	if len(o.CAPEM) > 0 && !appendPEM(pool, o.CAPEM) {
		return nil, errors.New("extra CA (PEM bytes): no PEM certificate found in it")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// Resumed sessions skip the certificate chain check and the server's signature, which are
	// most of a handshake's CPU; a run opens a connection per host (over HTTP/1.1, one per
	// concurrent request to it).
	sessions := tls.NewLRUClientSessionCache(0)
	// HTTP/2 where the server offers it: a run's concurrent requests to one host share a
	// connection (DialTLSContext below means net/http no longer sets these protocols itself).
	protos := []string{"h2", "http/1.1"}
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, ClientSessionCache: sessions, NextProtos: protos}
	lpool := pool
	if len(o.LoopbackCAPEM) > 0 {
		lpool = pool.Clone()
		if !appendPEM(lpool, o.LoopbackCAPEM) {
			return nil, errors.New("sandbox CA (PEM bytes): no PEM certificate found in it")
		}
	}
	// X25519 alone on loopback (however its CA was given): the sandbox picks it anyway, so the
	// post-quantum hybrid key share a client offers by default was generated and thrown away on
	// every handshake (a tenth of the CPU of a fleet's first second); on loopback it protects
	// nothing. Other hosts get Go's defaults.
	loop := &tls.Config{RootCAs: lpool, MinVersion: tls.VersionTLS12, ClientSessionCache: sessions, NextProtos: protos,
		CurvePreferences: []tls.CurveID{tls.X25519}}
	base := tr.TLSClientConfig
	// net/http's own TLS dial bounds the handshake (TLSHandshakeTimeout) and the connect; a
	// custom dial must do both itself, or a server that accepts and never answers the
	// ClientHello holds the request until its whole budget is spent.
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg := tlsFor(host, base, loop).Clone()
		cfg.ServerName = host
		raw, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, cfg)
		hctx, cancel := context.WithTimeout(ctx, tr.TLSHandshakeTimeout)
		defer cancel()
		if err := conn.HandshakeContext(hctx); err != nil {
			raw.Close()
			if hctx.Err() != nil && ctx.Err() == nil {
				return nil, fmt.Errorf("TLS handshake with %s: no answer within %s: %w", addr, tr.TLSHandshakeTimeout, err)
			}
			return nil, err
		}
		return conn, nil
	}
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = o.Timeout
	c := &Client{opts: o, sleep: Sleep, secrets: o.Redactor}
	if c.secrets == nil {
		c.secrets = &secretSet{}
	}
	for _, v := range o.Secrets {
		c.secrets.add(v)
	}
	c.opts.Secrets = nil
	c.inner = &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	c.rt = &retryTransport{c: c, base: tr}
	return c, nil
}

// AddSecret masks v (and its URL- and JSON-escaped forms) anywhere in the Debug trace from
// now on, e.g. a client secret the service just generated. Safe for concurrent use; values
// shorter than 4 characters are ignored.
func (c *Client) AddSecret(v string) { c.secrets.add(v) }

// Redactor is the client's redactor (shared with the run when Options.Redactor was set).
func (c *Client) Redactor() *Redactor { return c.secrets }

// checkRedirect follows a redirect only when it is safe for the credentials the request
// carries:
//   - never from https to anything else, anywhere in the chain, and at most 5 hops;
//   - never for a request marked NoRedirect (token endpoints: their form holds the secret);
//   - on a change of scheme, host or port (another origin), every credential header is
//     dropped (Authorization, cookies, aw-tenant-code, API keys), and a request body is never
//     sent again to the other origin (a 307/308 would re-POST it).
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("stopped after 5 redirects at %s", RedactURL(req.URL))
	}
	first := via[0]
	if noRedirect(first.Context()) {
		return fmt.Errorf("refusing to follow a redirect from %s to %s: a token request is never redirected (check the token URL)",
			RedactURL(first.URL), RedactURL(req.URL))
	}
	if req.URL.Scheme != "https" {
		for _, v := range via {
			if v.URL.Scheme == "https" {
				return fmt.Errorf("refusing redirect from %s to %s: it would leave HTTPS",
					RedactURL(v.URL), RedactURL(req.URL))
			}
		}
	}
	if sameOrigin(first.URL, req.URL) {
		return nil
	}
	if req.GetBody != nil || (req.Body != nil && req.Body != http.NoBody) || req.ContentLength > 0 {
		return fmt.Errorf("refusing to send the %s body of %s again to another origin %s (a redirect must not carry a request body elsewhere)",
			req.Method, RedactURL(first.URL), RedactURL(req.URL))
	}
	for k := range req.Header {
		if isCredentialHeader(k) {
			req.Header.Del(k)
		}
	}
	return nil
}

// sameOrigin compares scheme, host and port (a default port counts as given).
func sameOrigin(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "http" {
			return "80"
		}
		return "443"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// isCredentialHeader names the headers that carry a credential.
func isCredentialHeader(k string) bool {
	switch strings.ToLower(k) {
	case "authorization", "proxy-authorization", "cookie", "cookie2", "aw-tenant-code", "x-api-key", "api-key":
		return true
	}
	return IsSecretName(k)
}

// NoRedirect marks a request that must not follow redirects (a token request).
func NoRedirect(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), keyNoRedirect, true))
}

func noRedirect(ctx context.Context) bool { v, _ := ctx.Value(keyNoRedirect).(bool); return v }

// HTTPClient is an *http.Client whose transport retries, traces and counts like Do.
// Hand it to SDKs (azidentity, msgraph-sdk-go).
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: c.rt, CheckRedirect: checkRedirect}
}

// Transport is the retrying, tracing RoundTripper.
func (c *Client) Transport() http.RoundTripper { return c.rt }

// Do sends req with retries: always for GET/HEAD/PUT/DELETE/OPTIONS, for POST/PATCH only when
// the request is marked with RetrySafe.
// A request that gives up because of the context's deadline returns a *RetryError naming the
// endpoint and the last status. URLs in errors are redacted.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		var re *RetryError
		if errors.As(err, &re) {
			return nil, re
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			if u, perr := url.Parse(ue.URL); perr == nil {
				ue.URL = RedactURL(u)
			}
		}
	}
	return resp, err
}

type ctxKey int

const (
	keySafe ctxKey = iota
	keyCounter
	keyNoRedirect
)

// RetrySafe marks a POST/PATCH as idempotent, so it may be retried.
func RetrySafe(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), keySafe, true))
}

// RetrySafeContext marks every POST/PATCH sent with the returned context as safe to repeat
// (e.g. an action whose repeat has the same effect, such as regenerating a credential).
func RetrySafeContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, keySafe, true)
}

// TransientStatus reports an HTTP status after which the same request may succeed:
// 429, 500, 502, 503, 504.
func TransientStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// TransientError reports a transport failure (reset, closed connection, per-attempt timeout,
// or retries that ran out) after which the same request may succeed. The caller's own
// cancellation is not transient.
func TransientError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var re *RetryError
	if errors.As(err, &re) {
		return !errors.Is(re.Cause, context.Canceled)
	}
	return retryableError(err)
}

func isRetrySafe(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	v, _ := req.Context().Value(keySafe).(bool)
	return v
}

// WithCounter returns a context that counts the HTTP attempts made under it.
func WithCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, keyCounter, n), n
}

func count(ctx context.Context) {
	if n, ok := ctx.Value(keyCounter).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// ReadBody reads at most MaxBody bytes and closes the body; a larger body is an error.
func ReadBody(resp *http.Response) ([]byte, error) {
	return ReadBodyLimit(resp, MaxBody)
}

// ErrTooLarge is wrapped by the error of a response over the size cap, so a caller that can ask
// for less (a smaller page) can tell it from other failures.
var ErrTooLarge = errors.New("response over the size cap")

// ReadBodyLimit reads at most limit bytes and closes the body; a larger body is an error
// naming the endpoint.
func ReadBodyLimit(resp *http.Response, limit int64) ([]byte, error) {
	if resp == nil || resp.Body == nil {
		return nil, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response of %s: %w", endpoint(resp), err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("the response of %s is larger than the %s this client accepts: %w", endpoint(resp), byteSize(limit), ErrTooLarge)
	}
	return b, nil
}

// endpoint names a response's request as "GET https://host/path" (redacted).
func endpoint(resp *http.Response) string {
	if resp == nil || resp.Request == nil || resp.Request.URL == nil {
		return "the request"
	}
	return resp.Request.Method + " " + RedactURL(resp.Request.URL)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// tlsFor picks the TLS settings for a host: the loopback-only CA is offered to loopback
// hosts and to nothing else.
func tlsFor(host string, base, loopback *tls.Config) *tls.Config {
	if IsLoopbackHost(host) {
		return loopback
	}
	return base
}

// IsLoopbackHost reports a loopback host name or address (127.0.0.0/8, ::1, localhost).
func IsLoopbackHost(h string) bool {
	h = strings.TrimSuffix(strings.Trim(h, "[]"), ".")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
