package httpx

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync"
)

// firstConn lets one request open the first connection to a host while the other requests to
// that host wait for it. net/http dials once per waiting request, so a step's concurrent
// reads of a new host each paid a TLS handshake, and with HTTP/2 all but one of those
// connections were closed unused. Once the first request has its connection (or has failed
// to get one), the others go on: over HTTP/2 they share it, over HTTP/1.1 each opens its own
// as before, one handshake later.
type firstConn struct {
	mu    sync.Mutex
	hosts map[string]chan struct{} // closed once the host's first request has a connection
}

// wait returns once req may be sent. done, when not nil, must be called when req's attempt
// is over; ctx is the context to send req with.
func (f *firstConn) wait(req *http.Request) (ctx context.Context, done func(), err error) {
	ctx = req.Context()
	key := req.URL.Scheme + "://" + req.URL.Host
	f.mu.Lock()
	ch, seen := f.hosts[key]
	if !seen {
		if f.hosts == nil {
			f.hosts = map[string]chan struct{}{}
		}
		ch = make(chan struct{})
		f.hosts[key] = ch
	}
	f.mu.Unlock()
	if seen {
		select {
		case <-ch:
			return ctx, nil, nil
		case <-ctx.Done():
			return ctx, nil, ctx.Err()
		}
	}
	var once sync.Once
	done = func() { once.Do(func() { close(ch) }) }
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { done() }})
	return ctx, done, nil
}
