package httpx

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

type retryTransport struct {
	c    *Client
	base http.RoundTripper
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := t.c.opts
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", o.UserAgent)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	safe := isRetrySafe(req)
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		count(req.Context())
		start := time.Now()
		resp, err := t.base.RoundTrip(r)
		if o.Debug != nil {
			trace(o.Debug, r, body, resp, err, time.Since(start))
		}
		if attempt >= o.MaxRetries || !safe {
			return resp, err
		}
		wait, retry := shouldRetry(resp, err)
		if !retry {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		d := backoff(o.BaseDelay, o.MaxDelay, attempt)
		if wait > d {
			d = wait
		}
		if dl, ok := req.Context().Deadline(); ok && time.Until(dl) < d {
			if resp != nil {
				return nil, errors.New(resp.Status + " from " + req.URL.Redacted() + ": retry budget exhausted")
			}
			return nil, err
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(d):
		}
	}
}

// backoff is capped exponential with full jitter on the upper half.
func backoff(base, max time.Duration, attempt int) time.Duration {
	d := base << attempt
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// shouldRetry decides from the answer: 429 and 502/503/504, resets and timeouts.
// The returned wait is the server's Retry-After, if any.
func shouldRetry(resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		var ne net.Error
		switch {
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
			errors.Is(err, syscall.ECONNREFUSED):
			return 0, true
		case errors.As(err, &ne) && ne.Timeout():
			return 0, true
		}
		return 0, false
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return RetryAfter(resp.Header.Get("Retry-After")), true
	}
	return 0, false
}

// RetryAfter parses seconds or an HTTP-date; 0 when absent or invalid. Capped at 5 minutes.
func RetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	if d < 0 {
		d = 0
	}
	if d > 5*time.Minute {
		d = 5 * time.Minute
	}
	return d
}
