// Package httpx is the one HTTP stack of flowsctl: retries with capped jittered backoff,
// a total time budget from the context, a custom CA bundle, the User-Agent and a --debug
// trace with secrets redacted. Every non-Graph client uses it; the Graph SDK gets its transport.
package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// MaxBody caps every response body flowsctl reads.
const MaxBody = 16 << 20

// Options configure a Client.
type Options struct {
	UserAgent  string        // default "flowsctl/dev"
	CAFile     string        // PEM bundle appended to the system roots
	CAPEM      []byte        // extra PEM appended to the roots (the sandbox CA)
	Debug      io.Writer     // when set, a redacted trace of every request goes here
	Timeout    time.Duration // per attempt; default 60s
	MaxRetries int           // default 5
	BaseDelay  time.Duration // default 200ms
	MaxDelay   time.Duration // default 10s
}

// Client sends requests with retries. It is safe for concurrent use.
type Client struct {
	opts  Options
	inner *http.Client // single attempts
	rt    http.RoundTripper
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
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: %w", o.CAFile, err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found in it", o.CAFile)
		}
	}
	if len(o.CAPEM) > 0 && !pool.AppendCertsFromPEM(o.CAPEM) {
		return nil, errors.New("extra CA: no PEM certificate found")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = o.Timeout
	c := &Client{opts: o}
	c.inner = &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	c.rt = &retryTransport{c: c, base: tr}
	return c, nil
}

// checkRedirect refuses a downgrade from https to http and long chains.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("stopped after 5 redirects at %s", req.URL.Redacted())
	}
	if len(via) > 0 && via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing redirect from https to %s", req.URL.Redacted())
	}
	return nil
}

// HTTPClient is an *http.Client whose transport retries, traces and counts like Do.
// Hand it to SDKs (azidentity, msgraph-sdk-go).
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: c.rt, CheckRedirect: checkRedirect}
}

// Transport is the retrying, tracing RoundTripper.
func (c *Client) Transport() http.RoundTripper { return c.rt }

// Do sends req with retries: always for GET/HEAD/PUT/DELETE/OPTIONS, for POST/PATCH only when
// the request is marked with RetrySafe.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return c.HTTPClient().Do(req)
}

type ctxKey int

const (
	keySafe ctxKey = iota
	keyCounter
)

// RetrySafe marks a POST/PATCH as idempotent, so it may be retried.
func RetrySafe(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), keySafe, true))
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
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading response from %s: %w", resp.Request.URL.Redacted(), err)
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("response from %s is larger than %d MiB", resp.Request.URL.Redacted(), MaxBody>>20)
	}
	return b, nil
}
