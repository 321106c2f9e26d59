package sandboxtest

import (
	"bytes"
	"io"
	"net/http"
	"sync"
)

// Exchange is one request a client sent and the answer it got, as a contract test judges them.
type Exchange struct {
	Method, Path, Query string
	ReqHeader           http.Header
	ReqBody             []byte
	Status              int
	RespHeader          http.Header
	RespBody            []byte
}

// Recorder is a RoundTripper that records every exchange that passes through it to Base.
type Recorder struct {
	Base http.RoundTripper
	mu   sync.Mutex
	log  []Exchange
}

// RoundTrip sends req through Base and records it with the answer.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.Base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	r.mu.Lock()
	r.log = append(r.log, Exchange{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Clone(), body, resp.StatusCode, resp.Header.Clone(), rb})
	r.mu.Unlock()
	return resp, nil
}

// Log returns the exchanges recorded so far, oldest first.
func (r *Recorder) Log() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.log...)
}
