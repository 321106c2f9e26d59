package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// decodeAll runs decodePage over body and returns the resources it yielded.
func decodeAll(body string, limit int64) ([]string, pageInfo, error) {
	var got []string
	pi, _, err := decodePage(strings.NewReader(body), "Users", 1, limit, func(raw json.RawMessage) bool {
		got = append(got, string(raw))
		return true
	})
	return got, pi, err
}

// Issue 14 item 9: a list page is decoded one resource at a time; a resource over the cap is
// refused by position, and its content never appears in the error.
func TestDecodePageRefusesHugeResource(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s3cr3t", 8000) // 48 kB
	body := `{"totalResults":3,"Resources":[{"id":"1"},{"id":"2","displayName":"` + secret + `"},{"id":"3"}]}`
	got, _, err := decodeAll(body, 4096)
	var tl *ResourceTooLargeError
	if !errors.As(err, &tl) || tl.Position != 2 {
		t.Fatalf("want the second resource refused, got %v (%v)", err, got)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatal("the error echoes the resource")
	}
	if !strings.Contains(err.Error(), "startIndex=2&count=1") {
		t.Fatalf("the error does not say how to look at the resource: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("yielded %d resources before the huge one, want 1", len(got))
	}
	// A huge unknown member of the page is refused the same way (and not echoed).
	_, _, err = decodeAll(`{"totalResults":1,"junk":"`+secret+`","Resources":[]}`, 4096)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("huge member: %v", err)
	}
	// A resource of a few MiB is held by the decoder at most ~2x the cap, not read to the end.
	r := &countingReader{r: io.MultiReader(strings.NewReader(`{"Resources":[{"x":"`), infinite{})}
	_, _, err = decodePage(r, "Users", 1, 4096, func(json.RawMessage) bool { return true })
	if !errors.As(err, &tl) {
		t.Fatalf("endless resource: %v", err)
	}
	if r.n > 64<<10 {
		t.Fatalf("read %d bytes of an endless resource with a 4 KiB cap", r.n)
	}
}

type infinite struct{}

func (infinite) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// A body cut anywhere is an error naming after how many resources, never a short success.
func TestDecodePageTruncated(t *testing.T) {
	t.Parallel()
	body := `{"totalResults":2,"itemsPerPage":2,"Resources":[{"id":"1","userName":"a"},{"id":"2","userName":"b"}],"startIndex":1}`
	for i := 0; i < len(body); i++ {
		_, _, err := decodeAll(body[:i], 1<<20)
		if err == nil {
			t.Fatalf("cut at %d (%q) decoded without error", i, body[:i])
		}
	}
	got, pi, err := decodeAll(body, 1<<20)
	if err != nil || len(got) != 2 || pi.total != 2 || !pi.hasList {
		t.Fatalf("whole body: %v %v %+v", err, got, pi)
	}
	_, _, err = decodeAll(body[:strings.Index(body, "},")+2], 1<<20)
	if err == nil || !strings.Contains(err.Error(), "after 1 resources") {
		t.Fatalf("cut after the first resource: %v", err)
	}
}

// Every shape the servers answer: lower-case resources (the Identity Services swagger), null,
// other members in any order, not a list at all.
func TestDecodePageShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body  string
		n     int
		total int
		list  bool
		fails bool
	}{
		{`{"resources":[{"id":"1"}],"totalResults":1}`, 1, 1, true, false},
		{`{"schemas":["x"],"meta":{"a":[1,{"b":null}]},"Resources":null,"totalResults":0}`, 0, 0, true, false},
		{`{"id":"1","userName":"a"}`, 0, 0, false, false},
		{`[]`, 0, 0, false, true},
		{``, 0, 0, false, true},
		{`<html></html>`, 0, 0, false, true},
		{`{"Resources":{"id":"1"}}`, 0, 0, true, true},
		{`{"totalResults":"many","Resources":[]}`, 0, 0, true, true},
		{`{"totalResults":1,"Resources":[]}x`, 0, 1, true, false},
	} {
		got, pi, err := decodeAll(tc.body, 1<<20)
		if (err != nil) != tc.fails || len(got) != tc.n || pi.total != tc.total || pi.hasList != tc.list {
			t.Errorf("%s: got %v %+v %v", tc.body, got, pi, err)
		}
	}
}

// Many pages of users through the client: every user once, in order, with the page size the
// server allows.
func TestDecodePageManyPages(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"totalResults":5000,"Resources":[`)
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":"%d","userName":"u%d","groups":[{"value":"g"}]}`, i, i)
	}
	b.WriteString(`]}`)
	n := 0
	pi, stopped, err := decodePage(strings.NewReader(b.String()), "Users", 1, 1024, func(raw json.RawMessage) bool {
		var w wireUser
		if json.Unmarshal(raw, &w) != nil || w.UserName != fmt.Sprintf("u%d", n) {
			t.Fatalf("resource %d: %s", n, raw)
		}
		n++
		return n < 4000
	})
	if err != nil || !stopped || n != 4000 || pi.count != 4000 {
		t.Fatalf("stop at 4000: %v %v %d %+v", err, stopped, n, pi)
	}
}

// FuzzDecodePage: any body decodes without panic; the resources yielded are valid JSON values
// within the cap; an over-cap error never echoes the body.
func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`{"totalResults":2,"Resources":[{"id":"1"},{"id":"2"}]}`, `{"resources":[]}`, `{"Resources":[1,"x",null,[]]}`,
		`{"Resources":[{"a":"` + strings.Repeat("z", 300) + `"}]}`, `{"x":{"y":[{"z":1}]},"Resources":[`, `{`, `[`, `{"Resources":[{}`,
		`{"totalResults":1e400}`, `{"totalResults":-1,"Resources":[{"id":"\u0000"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		const limit = 256
		_, _, err := decodePage(strings.NewReader(body), "Users", 1, limit, func(raw json.RawMessage) bool {
			if len(raw) > limit {
				t.Fatalf("yielded %d bytes over the %d cap", len(raw), limit)
			}
			if !json.Valid(raw) {
				t.Fatalf("yielded invalid JSON %q", raw)
			}
			return true
		})
		var tl *ResourceTooLargeError
		if errors.As(err, &tl) && len(body) > 40 && strings.Contains(err.Error(), body[len(body)/2:]) {
			t.Fatalf("the error echoes the body: %v", err)
		}
	})
}
