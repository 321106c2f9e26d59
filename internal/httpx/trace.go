package httpx

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// TraceBodyMax caps how much of each (redacted) body a trace shows.
const TraceBodyMax = 8 << 10

// traceReadMax caps how much of a response body is buffered to redact it; larger bodies
// are summarised, never shown half-parsed.
const traceReadMax = 1 << 20

// traceAttempt writes one block for one attempt: method, redacted URL, headers, redacted
// request body, then status, duration, response headers and redacted response body. It reads
// the response body for the trace and puts it back, so callers still read all of it.
func (c *Client) traceAttempt(req *http.Request, attempt int, body []byte, resp *http.Response, err error, d time.Duration) {
	var b strings.Builder
	fmt.Fprintf(&b, "--> %s %s (attempt %d)\n", req.Method, RedactURL(req.URL), attempt+1)
	writeHeaders(&b, "> ", req.Header)
	if len(body) > 0 {
		b.WriteString("> \n")
		shown := fmt.Sprintf("[%d bytes %s, not shown]", len(body), orUnknown(mediaType(req.Header.Get("Content-Type"))))
		if len(body) <= traceReadMax {
			shown = c.secrets.mask(RedactBody(req.Header.Get("Content-Type"), body))
		}
		writeBody(&b, "> ", shown)
	}
	if err != nil {
		fmt.Fprintf(&b, "<-- error after %s: %v\n", roundDuration(d), err)
	} else {
		fmt.Fprintf(&b, "<-- %s in %s\n", resp.Status, roundDuration(d))
		writeHeaders(&b, "< ", resp.Header)
		if rb := c.traceResponseBody(resp); rb != "" {
			b.WriteString("< \n")
			writeBody(&b, "< ", rb)
		}
	}
	// Known secrets and JWTs anywhere in the block (URL paths, headers, error texts).
	out := maskJWT(c.secrets.mask(b.String()))
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	io.WriteString(c.opts.Debug, out)
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, RedactHeader(k, v))
		}
	}
}

// writeBody writes an already redacted body, capped at TraceBodyMax.
func writeBody(b *strings.Builder, prefix, s string) {
	total := len(s)
	if total > TraceBodyMax {
		n := TraceBodyMax
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	for _, line := range strings.Split(s, "\n") {
		b.WriteString(prefix)
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if total > TraceBodyMax {
		fmt.Fprintf(b, "%s[trace cut at %d of %d bytes]\n", prefix, TraceBodyMax, total)
	}
}

// traceResponseBody returns the redacted response body and restores resp.Body.
func (c *Client) traceResponseBody(resp *http.Response) string {
	if resp.Body == nil || resp.Body == http.NoBody {
		return ""
	}
	ct := resp.Header.Get("Content-Type")
	mt := mediaType(ct)
	if ce := resp.Header.Get("Content-Encoding"); ce != "" && !resp.Uncompressed {
		return fmt.Sprintf("[%s %s body, encoded as %s]", sizeText(resp.ContentLength), orUnknown(mt), ce)
	}
	parseable := isJSONType(mt) || mt == "application/x-www-form-urlencoded" || mt == ""
	if !parseable && resp.ContentLength >= 0 {
		return fmt.Sprintf("[%d bytes %s]", resp.ContentLength, mt)
	}
	if mt == "text/event-stream" {
		return "[stream text/event-stream]"
	}
	buf, rerr := io.ReadAll(io.LimitReader(resp.Body, traceReadMax+1))
	var rest io.Reader = resp.Body
	if rerr != nil {
		rest = errReader{rerr}
	}
	resp.Body = restoredBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), Closer: resp.Body}
	if len(buf) > traceReadMax {
		return fmt.Sprintf("[more than %d bytes %s, not shown]", traceReadMax, orUnknown(mt))
	}
	s := c.secrets.mask(RedactBody(ct, buf))
	if rerr != nil {
		s += fmt.Sprintf("\n[error reading body after %d bytes: %v]", len(buf), rerr)
	}
	return s
}

func sizeText(n int64) string {
	if n < 0 {
		return "unknown size"
	}
	return fmt.Sprintf("%d bytes", n)
}

type restoredBody struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func roundDuration(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
