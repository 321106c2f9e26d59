package access

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// Client calls the Access admin API as the client of access.auth. Safe for concurrent use.
type Client struct {
	hc     *httpx.Client
	base   Base
	tokens *httpx.TokenSource
	media  *MediaTypes
}

// NewClient builds a client from its parts (tests, other packages).
func NewClient(hc *httpx.Client, base Base, tokens *httpx.TokenSource, media *MediaTypes) *Client {
	if media == nil {
		media, _ = NewMediaTypes("")
	}
	return &Client{hc: hc, base: base, tokens: tokens, media: media}
}

// New builds the admin client from cfg: access.url, access.tenantInPath, access.mediaType and
// access.auth (the secret is read with cfg.Secret).
func New(hc *httpx.Client, cfg *config.Config) (*Client, error) {
	if cfg == nil || cfg.Access == nil {
		return nil, fmt.Errorf("no access section in the config: add access.url and access.auth (run: flowsctl init)")
	}
	a := cfg.Access
	base, err := cfg.AccessBase()
	if err != nil {
		return nil, err
	}
	media, err := NewMediaTypes(a.MediaType)
	if err != nil {
		return nil, err
	}
	if a.Auth.ClientID == "" {
		return nil, fmt.Errorf("access.auth.clientId is empty: set it to an OAuth client with scope admin (Catalog > Settings > Remote App Access)")
	}
	secret, err := cfg.Secret(a.Auth.ClientSecret)
	if err != nil {
		return nil, fmt.Errorf("access.auth.clientSecret: %w", err)
	}
	return NewClient(hc, base, NewTokenSource(hc, base, a.Auth.ClientID, secret), media), nil
}

// Base is the tenant the client talks to.
func (c *Client) Base() Base { return c.base }

// Tokens is the admin token source.
func (c *Client) Tokens() *httpx.TokenSource { return c.tokens }

// HTTP is the underlying HTTP stack.
func (c *Client) HTTP() *httpx.Client { return c.hc }

// Media is the per-host media-type memory.
func (c *Client) Media() *MediaTypes { return c.media }

// call is one API request. Kinds name media types (see MediaType); "" means none.
type call struct {
	method string
	path   string // under /SAAS/jersey/manager/api
	query  url.Values
	accept string // kind for Accept
	ctype  string // kind for Content-Type
	body   any
	object string // e.g. `template "MobileFlows_Server_Template"`, for errors
}

// response is a 2xx or 404 answer; every other status is an *httpx.APIError.
type response struct {
	status int
	body   []byte
	http   *http.Response
}

// must sends k like do, but a 404 is an error too: the collection or object must exist (a
// list, a create, an update).
func (c *Client) must(ctx context.Context, k call) (*response, error) {
	resp, err := c.do(ctx, k)
	if err == nil && resp.status == http.StatusNotFound {
		return nil, newAPIError(resp.http, k.object, resp.body)
	}
	return resp, err
}

// listItems reads the items of a list answer {"items":[...]}.
func listItems[T any](ctx context.Context, c *Client, k call) ([]T, error) {
	resp, err := c.must(ctx, k)
	if err != nil {
		return nil, err
	}
	var l struct {
		Items []T `json:"items"`
	}
	if err := json.Unmarshal(resp.body, &l); err != nil {
		return nil, fmt.Errorf("access: list %s: unexpected answer: %v", k.object, err)
	}
	return l.Items, nil
}

// getItem reads one object; (nil, nil, nil) when it does not exist. raw holds every field the
// server sent, so an update can send back the fields flowsctl does not manage.
func getItem[T any](ctx context.Context, c *Client, k call) (*T, map[string]any, error) {
	resp, err := c.do(ctx, k)
	if err != nil {
		return nil, nil, err
	}
	if resp.status == http.StatusNotFound {
		return nil, nil, nil
	}
	var v T
	var raw map[string]any
	if err := json.Unmarshal(resp.body, &v); err != nil {
		return nil, nil, fmt.Errorf("access: read %s: unexpected answer: %v", k.object, err)
	}
	json.Unmarshal(resp.body, &raw)
	return &v, raw, nil
}

// do sends c with a bearer token, negotiating the media-type dialect and re-authenticating
// once on 401.
func (c *Client) do(ctx context.Context, k call) (*response, error) {
	var payload []byte
	if k.body != nil {
		var err error
		if payload, err = json.Marshal(k.body); err != nil {
			return nil, err
		}
	}
	u := c.base.API(k.path)
	if len(k.query) > 0 {
		u += "?" + k.query.Encode()
	}
	host := c.base.Host()
	order := c.media.Order(host)
	_, known := c.media.Known(host)
	var errs []*httpx.APIError
	for _, d := range order {
		resp, apiErr, err := c.attempt(ctx, k, u, payload, d)
		if err != nil {
			return nil, err
		}
		if apiErr == nil {
			c.media.Remember(host, d)
			return resp, nil
		}
		errs = append(errs, apiErr)
		// 406/415 always mean the media type; a 400 only while the tenant's dialect is
		// unknown (once known, a 400 is about the content and is not sent again).
		if !mediaRejected(apiErr.Status) || (apiErr.Status == http.StatusBadRequest && known) {
			break
		}
	}
	// Prefer the last error that is not about the media type: it says what is wrong.
	for i := len(errs) - 1; i >= 0; i-- {
		if s := errs[i].Status; s != http.StatusNotAcceptable && s != http.StatusUnsupportedMediaType {
			return nil, errs[i]
		}
	}
	return nil, errs[0]
}

// mediaRejected: the answers a tenant gives to a media type it does not accept.
func mediaRejected(status int) bool {
	return status == http.StatusNotAcceptable || status == http.StatusUnsupportedMediaType || status == http.StatusBadRequest
}

func (c *Client) attempt(ctx context.Context, k call, u string, payload []byte, d Dialect) (*response, *httpx.APIError, error) {
	for auth := 0; ; auth++ {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return nil, nil, err
		}
		var rdr *bytes.Reader
		if payload != nil {
			rdr = bytes.NewReader(payload)
		}
		var req *http.Request
		if rdr != nil {
			req, err = http.NewRequestWithContext(ctx, k.method, u, rdr)
		} else {
			req, err = http.NewRequestWithContext(ctx, k.method, u, nil)
		}
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok.Value)
		if k.accept != "" {
			req.Header.Set("Accept", MediaType(k.accept, d))
		} else {
			req.Header.Set("Accept", "application/json")
		}
		if payload != nil {
			req.Header.Set("Content-Type", MediaType(k.ctype, d))
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, nil, fmt.Errorf("access: %s %s: %w (check access.url and the network path to it)", k.method, k.object, err)
		}
		b, err := httpx.ReadBody(resp)
		if err != nil {
			return nil, nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized && auth == 0 {
			// The token may have been revoked or expired early: authenticate once more.
			c.tokens.Invalidate()
			continue
		}
		if resp.StatusCode == http.StatusUnauthorized {
			return nil, nil, newAPIError(resp, k.object, b) // a 401 is an authentication error (httpx.IsAuth)
		}
		if resp.StatusCode/100 == 2 || resp.StatusCode == http.StatusNotFound {
			return &response{status: resp.StatusCode, body: b, http: resp}, nil, nil
		}
		return nil, newAPIError(resp, k.object, b), nil
	}
}

// fileExists is used to tell a missing secret sink from an unreadable one.
func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
