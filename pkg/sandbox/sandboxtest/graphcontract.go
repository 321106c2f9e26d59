package sandboxtest

// The Graph contract: what a Graph exchange (a client's request and the emulator's answer) must
// be to fit Microsoft Graph's published metadata. test/graphcontract checks flowsctl's traffic
// with it and test/azcli the Azure CLI's.

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
)

// graphQueryOptions are the OData system query options (OData 4.01 URL Conventions, section
// 5.1) that Graph's documentation lists for these collections; they are protocol, not CSDL.
var graphQueryOptions = []string{"$select", "$filter", "$top", "$count", "$orderby", "$search", "$skiptoken", "$expand"}

// GraphExchange is one Graph request (its body gunzipped) and the answer.
type GraphExchange struct {
	Method, Path, Query string
	ReqBody             []byte
	Status              int
	RespBody            []byte
}

// RecordingGraph is the Graph emulator with every request and answer recorded.
type RecordingGraph struct {
	*entraemu.Graph
	mu  sync.Mutex
	log []GraphExchange
}

// Exchanges returns what was recorded, oldest first.
func (g *RecordingGraph) Exchanges() []GraphExchange {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GraphExchange(nil), g.log...)
}

// Handler serves the emulator and records each exchange.
func (g *RecordingGraph) Handler() http.Handler {
	inner := g.Graph.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		plain := body
		if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && len(body) > 0 {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				plain, _ = io.ReadAll(zr)
			}
		}
		cw := &capture{ResponseWriter: w, status: http.StatusOK}
		inner.ServeHTTP(cw, r)
		g.mu.Lock()
		g.log = append(g.log, GraphExchange{r.Method, r.URL.Path, r.URL.RawQuery, plain, cw.status, cw.buf.Bytes()})
		g.mu.Unlock()
	})
}

type capture struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (c *capture) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }
func (c *capture) Write(b []byte) (int, error) {
	c.buf.Write(b)
	return c.ResponseWriter.Write(b)
}

var graphPathRE = regexp.MustCompile(`^/v1\.0/([A-Za-z0-9]+)(?:\(([A-Za-z]+)='((?:[^']|'')*)'\)|/([^/()]+))?(?:/([A-Za-z]+))?$`)

// CheckGraphExchange validates one exchange against the CSDL schema s (LoadGraphSchema: the
// subset and GraphExtension) and names its form (e.g. "PATCH applications(uniqueName)"); each
// problem is a sentence.
func CheckGraphExchange(s *Schema, x GraphExchange) (string, []string) {
	var bad []string
	m := graphPathRE.FindStringSubmatch(x.Path)
	if m == nil {
		return x.Method + " " + x.Path, []string{"the path is not an entity set, key and action of Graph v1.0"}
	}
	set, keyName, keySeg, action := m[1], m[2], m[4], m[5]
	typ, ok := s.EntitySets[set]
	if !ok {
		return x.Method + " " + set, []string{"entity set " + set + " is not in Graph's EntityContainer (the CSDL subset and its extension)"}
	}
	form := x.Method + " " + set
	switch {
	case keyName != "":
		form += "(" + keyName + ")"
		if !slices.Contains(s.Keys[typ], keyName) && !s.hasAlternateKey(typ, keyName) {
			bad = append(bad, keyName+" is neither the key nor an alternate key of "+typ)
		}
	case keySeg != "":
		form += "/{id}"
	}
	if action != "" {
		form += "/" + action
	}
	q, err := url.ParseQuery(x.Query)
	if err != nil {
		bad = append(bad, "query: "+err.Error())
	}
	for k, v := range q {
		if strings.HasPrefix(k, "$") && !slices.Contains(graphQueryOptions, k) {
			bad = append(bad, "query option "+k+" is not one Graph accepts here")
		}
		switch k {
		case "$select":
			for _, p := range strings.Split(v[0], ",") {
				if _, ok := s.Props[typ][strings.TrimSpace(p)]; !ok {
					bad = append(bad, "$select names "+p+", which "+typ+" does not declare")
				}
			}
		case "$filter":
			for _, p := range filterProperties(v[0]) {
				if _, ok := s.Props[typ][p]; !ok {
					bad = append(bad, "$filter names "+p+", which "+typ+" does not declare")
				}
			}
		}
	}

	// The request body.
	var body map[string]any
	if len(bytes.TrimSpace(x.ReqBody)) > 0 {
		if err := json.Unmarshal(x.ReqBody, &body); err != nil {
			bad = append(bad, "request body is not a JSON object")
		}
	}
	if action != "" {
		bad = append(bad, s.checkActionCall(action, typ, keyName == "" && keySeg == "", x.Method, body)...)
	} else if body != nil {
		switch x.Method {
		case http.MethodPost, http.MethodPatch:
			bad = append(bad, s.CheckValues(typ, body)...)
		default:
			bad = append(bad, x.Method+" with a body")
		}
	}

	// The answer.
	switch {
	case x.Status == http.StatusNoContent:
		if len(bytes.TrimSpace(x.RespBody)) > 0 {
			bad = append(bad, "204 with a body")
		}
		if action != "" {
			bad = append(bad, s.checkActionAnswer(action, typ, keyName == "" && keySeg == "", nil)...)
		}
	case x.Status >= 400:
		bad = append(bad, errorShape(x.RespBody)...)
	case action != "" && len(bytes.TrimSpace(x.RespBody)) == 0:
		bad = append(bad, s.checkActionAnswer(action, typ, keyName == "" && keySeg == "", nil)...)
	case len(bytes.TrimSpace(x.RespBody)) > 0:
		var ans map[string]any
		if err := json.Unmarshal(x.RespBody, &ans); err != nil {
			return form, append(bad, "answer is not a JSON object")
		}
		switch {
		case action != "":
			bad = append(bad, s.checkActionAnswer(action, typ, keyName == "" && keySeg == "", ans)...)
		case keyName == "" && keySeg == "" && x.Method == http.MethodGet:
			vals, ok := ans["value"].([]any)
			if !ok {
				bad = append(bad, "a collection answer without value[]")
			}
			for _, v := range vals {
				o, _ := v.(map[string]any)
				bad = append(bad, s.CheckValues(typ, o)...)
			}
		default:
			bad = append(bad, s.CheckValues(typ, ans)...)
		}
	}
	return form, bad
}

var (
	filterProp = regexp.MustCompile(`(?i)(?:^|[\s(])([A-Za-z]+)(?:/any\(|\s+(?:eq|ne|ge|le|gt|lt|in)\s)|(?i)(?:startswith|endswith)\(\s*([A-Za-z]+)\s*,`)
)

// filterProperties are the properties a $filter expression names (lambda variables excluded).
func filterProperties(f string) []string {
	var out []string
	for _, m := range filterProp.FindAllStringSubmatch(f, -1) {
		for _, p := range m[1:] {
			if p != "" && len(p) > 1 {
				out = append(out, p)
			}
		}
	}
	return out
}

// errorShape checks Graph's error body: {"error":{"code","message","innerError":{...}}}.
func errorShape(b []byte) []string {
	var e struct {
		Error *struct {
			Code       *string        `json:"code"`
			Message    *string        `json:"message"`
			InnerError map[string]any `json:"innerError"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error == nil || e.Error.Code == nil || e.Error.Message == nil || e.Error.InnerError == nil {
		return []string{"error answer is not Graph's {error:{code,message,innerError}}: " + tail(string(b), 300)}
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
