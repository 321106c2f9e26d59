package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// MaxResource caps one resource of a list page (bytes). A page is decoded one resource at a
// time, so the page itself has no cap; a single resource over this one is refused.
const MaxResource = httpx.MaxBody

// ResourceTooLargeError is a list page's resource over the per-resource cap. It names the
// resource by its position in the collection (startIndex of the page + its index on it) and
// never carries the resource's content.
type ResourceTooLargeError struct {
	Collection string // "Users", "Groups"
	Position   int    // 1-based position in the collection
	Limit      int64
}

func (e *ResourceTooLargeError) Error() string {
	return fmt.Sprintf("list %s: resource %d of the collection is larger than the %d MiB this client accepts per resource; look at it with GET /%s?startIndex=%d&count=1&attributes=id,userName,displayName and shorten or remove its oversized attribute at the source",
		e.Collection, e.Position, e.Limit>>20, e.Collection, e.Position)
}

// errOversize is what the guard reader returns once the value being decoded outgrows the cap.
var errOversize = errors.New("resource over the cap")

// guardReader counts the bytes read and refuses to read on once the decoder holds more than
// max unconsumed bytes past mark: the decoder only grows its buffer for the value it is in.
type guardReader struct {
	r       io.Reader
	n, mark int64
	max     int64
}

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n-g.mark > g.max {
		return 0, errOversize
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// pageInfo is what a list page says about itself besides its resources.
type pageInfo struct {
	total   int  // totalResults (0 when absent)
	count   int  // resources on the page
	hasList bool // the object had totalResults or Resources (any case)
}

// decodePage reads one SCIM ListResponse from r token by token and calls each with every
// element of its Resources (or resources) array, so that the page is never held whole. A
// resource over limit bytes is a *ResourceTooLargeError (position = start + its index);
// a body cut short is an error naming after which resource; unknown members are skipped
// under the same cap. each returning false stops the decode (stopped = true).
func decodePage(r io.Reader, collection string, start int, limit int64, each func(json.RawMessage) bool) (pi pageInfo, stopped bool, err error) {
	g := &guardReader{r: r, max: 2*limit + 4096}
	dec := json.NewDecoder(g)
	dec.UseNumber()
	truncated := func(err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("list %s: the page starting at %d is cut short or not JSON after %d resources (%v): retry; if it persists the server or a proxy truncates large answers",
			collection, start, pi.count, err)
	}
	tooLarge := func() error {
		return &ResourceTooLargeError{Collection: collection, Position: start + pi.count, Limit: limit}
	}
	t, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return pi, false, fmt.Errorf("list %s: the answer is empty (want a SCIM ListResponse): is the URL the tenant's SCIM endpoint?", collection)
	}
	if err != nil {
		return pi, false, fmt.Errorf("list %s: the answer is not SCIM JSON (%v): is the URL the tenant's SCIM endpoint?", collection, err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return pi, false, fmt.Errorf("list %s: the answer is not a JSON object (want a SCIM ListResponse): is the URL the tenant's SCIM endpoint?", collection)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return pi, false, truncated(err)
		}
		key, _ := t.(string)
		switch {
		case strings.EqualFold(key, "totalResults"):
			pi.hasList = true
			var n json.Number
			if err := dec.Decode(&n); err != nil {
				return pi, false, fmt.Errorf("list %s: totalResults is not a number (%v)", collection, err)
			}
			if v, err := n.Int64(); err == nil && v > 0 && v < 1<<31 {
				pi.total = int(v)
			}
		case strings.EqualFold(key, "Resources"):
			pi.hasList = true
			t, err := dec.Token()
			if err != nil {
				return pi, false, truncated(err)
			}
			if t == nil { // "Resources": null
				continue
			}
			if d, ok := t.(json.Delim); !ok || d != '[' {
				return pi, false, fmt.Errorf("list %s: Resources is not an array", collection)
			}
			for dec.More() {
				g.mark = dec.InputOffset()
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					if errors.Is(err, errOversize) {
						return pi, false, tooLarge()
					}
					return pi, false, truncated(err)
				}
				if int64(len(raw)) > limit {
					return pi, false, tooLarge()
				}
				pi.count++
				if !each(raw) {
					return pi, true, nil
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				return pi, false, truncated(err)
			}
		default:
			if err := skipValue(dec, g); err != nil {
				if errors.Is(err, errOversize) {
					return pi, false, fmt.Errorf("list %s: the page's member %q is larger than %d MiB: is the URL the tenant's SCIM endpoint?", collection, httpx.Excerpt(key, 40), limit>>20)
				}
				return pi, false, truncated(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return pi, false, truncated(err)
	}
	return pi, false, nil
}

// skipValue consumes the next JSON value token by token: only one token (a string, a number)
// is ever held, and the guard caps that.
func skipValue(dec *json.Decoder, g *guardReader) error {
	depth := 0
	for {
		g.mark = dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
