package httpx

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// trace writes one redacted line (plus redacted bodies) per attempt.
// The full redaction rules live in redact.go.
func trace(w io.Writer, req *http.Request, body []byte, resp *http.Response, err error, d time.Duration) {
	fmt.Fprintf(w, "> %s %s\n", req.Method, RedactURL(req.URL))
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(w, "> %s: %s\n", k, RedactHeader(k, v))
		}
	}
	if len(body) > 0 {
		fmt.Fprintf(w, "> %s\n", RedactBody(req.Header.Get("Content-Type"), body))
	}
	if err != nil {
		fmt.Fprintf(w, "< error after %s: %v\n", d.Round(time.Millisecond), err)
		return
	}
	fmt.Fprintf(w, "< %s (%s)\n", resp.Status, d.Round(time.Millisecond))
}
