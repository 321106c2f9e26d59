package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type retryTransport struct {
	c    *Client
	base http.RoundTripper
}

// RetryError ends a retried request early: the next wait would pass the context's deadline,
// or the context ended while waiting. It names the endpoint and what the last attempt saw.
type RetryError struct {
	Method     string
	URL        string // redacted
	Attempts   int
	LastStatus string        // e.g. "503 Service Unavailable"; empty when the last attempt got no answer
	LastErr    error         // the last transport error, if any
	NextWait   time.Duration // the wait that did not fit
	Cause      error         // context.DeadlineExceeded, context.Canceled or ErrWaitTooLong
	MaxWait    time.Duration // with ErrWaitTooLong: the longest wait allowed
}

// ErrWaitTooLong ends a request whose server asks for a longer wait than Options.MaxWait.
var ErrWaitTooLong = errors.New("the server asked for a longer wait than allowed")

// noticeAfter is the shortest wait that is announced on Options.Notices.
const noticeAfter = 2 * time.Second

func (e *RetryError) Error() string {
	last := e.LastStatus
	if last == "" && e.LastErr != nil {
		last = e.LastErr.Error()
	}
	why := "the time budget (--timeout) ends before the next retry in " + e.NextWait.Round(time.Millisecond).String()
	switch {
	case errors.Is(e.Cause, context.Canceled):
		why = "cancelled while waiting to retry"
	case errors.Is(e.Cause, ErrWaitTooLong):
		why = fmt.Sprintf("the server asks to wait %s before the next try, longer than the %s flowsctl waits (try again later, or raise FLOWSCTL_MAX_WAIT)",
			e.NextWait.Round(time.Second), e.MaxWait)
	}
	return fmt.Sprintf("%s %s: gave up after %d attempt(s), last answer: %s; %s", e.Method, e.URL, e.Attempts, last, why)
}

func (e *RetryError) Unwrap() []error {
	var errs []error
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	if e.LastErr != nil {
		errs = append(errs, e.LastErr)
	}
	return errs
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	o := c.opts
	req = req.Clone(req.Context())
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", o.UserAgent)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s %s: reading the request body: %w", req.Method, RedactURL(req.URL), err)
		}
		body = b
	}
	ctx := req.Context()
	safe := isRetrySafe(req)
	n500 := 0
	for attempt := 0; ; attempt++ {
		count(ctx)
		start := time.Now()
		tctx, done, err := c.first.wait(req)
		if err != nil {
			return nil, err
		}
		// A shallow copy per attempt, with its own body: req is already this transport's own
		// copy, and a RoundTripper does not change the headers it is given.
		r := req.WithContext(tctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		} else {
			r.Body = nil
		}
		resp, err := t.base.RoundTrip(r)
		if done != nil {
			done()
		}
		if o.Debug != nil {
			c.traceAttempt(r, attempt, body, resp, err, time.Since(start))
		}
		if attempt >= o.MaxRetries || !safe || ctx.Err() != nil {
			return resp, err
		}
		wait, retry := shouldRetry(resp, err)
		if !retry && resp != nil && resp.StatusCode == http.StatusInternalServerError && repeatsAfter500(req) && n500 < maxRetries500 {
			n500++
			// Sending an idempotent request again ends in the same state whether or not the
			// failed attempt committed, so a 500 is repeated like a 503, but at most
			// maxRetries500 times: a 500 that persists is the server's answer.
			retry = true
		}
		if !retry {
			return resp, err
		}
		d := backoff(o.BaseDelay, o.MaxDelay, attempt)
		if wait > d {
			d = wait
		}
		re := &RetryError{Method: req.Method, URL: RedactURL(req.URL), Attempts: attempt + 1, LastErr: err, NextWait: d}
		if resp != nil {
			re.LastStatus = resp.Status
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if d > o.MaxWait {
			re.Cause = ErrWaitTooLong
			re.MaxWait = o.MaxWait
			return nil, re
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			re.Cause = context.DeadlineExceeded
			return nil, re
		}
		if d >= noticeAfter && o.Notices != nil {
			why := re.LastStatus
			if why == "" && err != nil {
				why = "no answer"
			}
			fmt.Fprintf(o.Notices, "flowsctl: waiting %s before sending %s %s again (%s)\n", d.Round(time.Second), req.Method, RedactURL(req.URL), why)
		}
		if err := c.sleep(ctx, d); err != nil {
			re.Cause = err
			return nil, re
		}
	}
}

// Sleep waits d or until ctx ends (then it returns ctx.Err()). It is the one context-aware
// sleep of flowsctl.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is capped exponential with jitter over the upper half: base*2^attempt, at most max,
// then a uniformly random point in [d/2, d].
func backoff(base, max time.Duration, attempt int) time.Duration {
	d := max
	if attempt < 32 {
		if v := base << attempt; v > 0 && v < max {
			d = v
		}
	}
	return d/2 + rand.N(d/2+1)
}

// maxRetries500 bounds the repeats of an idempotent request answered 500.
const maxRetries500 = 2

// repeatsAfter500: GET, HEAD, OPTIONS, PUT and POST/PATCH marked RetrySafe. Not DELETE: a
// delete that committed answers 404 the second time, which its caller would take for an error.
func repeatsAfter500(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut:
		return true
	case http.MethodPost, http.MethodPatch:
		v, _ := req.Context().Value(keySafe).(bool)
		return v
	}
	return false
}

// shouldRetry decides from the answer: 429 and 502/503/504, connection resets and timeouts.
// A 500 is not retried here: the server understood and failed, and on a write it may have
// committed it. RoundTrip repeats an idempotent request (repeatsAfter500) after a 500 at most
// maxRetries500 times.
// The returned wait is the server's Retry-After, if any.
func shouldRetry(resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		return 0, retryableError(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		d := RetryAfter(resp.Header.Get("Retry-After"))
		if d == 0 && resp.StatusCode == http.StatusTooManyRequests {
			d = rateLimitReset(resp.Header.Get("X-Rate-Limit-Reset"), time.Now())
		}
		return d, true
	}
	return 0, false
}

// rateLimitReset is the wait until an X-Rate-Limit-Reset time (epoch seconds, as Okta sends
// with its 429s), plus a second for clock skew; 0 when absent or invalid.
func rateLimitReset(v string, now time.Time) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	secs := n - now.Unix()
	if secs < 0 {
		return 0
	}
	if secs >= int64(maxRetryAfter/time.Second) {
		return maxRetryAfter
	}
	return time.Unix(n, 0).Sub(now) + time.Second
}

func retryableError(err error) bool {
	// The caller's own context ending is handled before this is asked; a timeout here is the
	// per-attempt one (net/http's header timeout also claims to be DeadlineExceeded).
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	// net/http reports a peer that hung up mid-exchange with these texts, without a typed error.
	msg := err.Error()
	if strings.Contains(msg, "connection reset") || strings.Contains(msg, "server closed") ||
		strings.Contains(msg, "transport connection broken") {
		return true
	}
	return h2Transient(msg)
}

// h2Transient reports the HTTP/2 failures that mean what a connection reset means over
// HTTP/1.1 (RFC 9113 §5.4, §7): the server reset the request's stream with INTERNAL_ERROR
// (its handler failed mid-request: the request may have been carried out, so only a
// retry-safe request is sent again) or REFUSED_STREAM (not processed at all), or the
// connection went away under it (GOAWAY, lost). net/http's HTTP/2 errors are not exported
// types, so they are known by their texts.
func h2Transient(msg string) bool {
	if strings.Contains(msg, "stream error") {
		return strings.Contains(msg, "INTERNAL_ERROR") || strings.Contains(msg, "REFUSED_STREAM")
	}
	return strings.Contains(msg, "http2: server sent GOAWAY") || strings.Contains(msg, "http2: client connection lost")
}

// maxRetryAfter bounds what RetryAfter returns (a week), so arithmetic cannot overflow; the
// client's Options.MaxWait decides how long it is willing to wait.
const maxRetryAfter = 7 * 24 * time.Hour

// RetryAfter parses seconds or an HTTP-date; 0 when absent or invalid, at most a week.
func RetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		if n > int64(maxRetryAfter/time.Second) {
			n = int64(maxRetryAfter / time.Second)
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	if d < 0 {
		d = 0
	}
	return min(d, maxRetryAfter)
}
