package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Redacted replaces every secret value in a trace.
const Redacted = "[REDACTED]"

// sensitiveHeader lists headers whose whole value is a credential. Any header whose name
// looks secret (X-Api-Key, X-Auth-Token, ...) is redacted too.
var sensitiveHeader = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"set-cookie":          true,
	"aw-tenant-code":      true,
}

// secretWords find JSON, form and query field names that carry credentials:
// secret, client_secret, secretText, password, token, access_token, refresh_token,
// id_token, apiKey, api_key, assertion, client_assertion, credential(s), ...
// Matched on the lower-cased name with '_', '-' and '.' removed.
var secretWords = []string{"secret", "password", "passwd", "passphrase", "token", "apikey", "assertion",
	"credential", "privatekey", "subscriptionkey"}

// harmlessName are names the pattern above matches but that never hold a secret; keeping
// them makes traces useful ("token_type": "Bearer").
var harmlessName = map[string]bool{
	"token_type":     true,
	"tokentype":      true,
	"token_endpoint": true,
	"tokenendpoint":  true,
	"tokenurl":       true,
	"token_url":      true,
}

// formOnlyName are form and query fields that are secret in OAuth flows although their
// names look innocent (authorization codes, device codes, PKCE verifiers).
var formOnlyName = map[string]bool{
	"code":          true,
	"device_code":   true,
	"user_code":     true,
	"code_verifier": true,
}

// jwtPattern finds JSON Web Tokens: three base64url segments whose header starts with `{"`.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)

// harmlessSuffix: a secret-looking name ending like this describes a credential without
// holding one (accessTokenTTL, tokenType, secretExpiry, token_endpoint, passwordPolicy).
var harmlessSuffix = []string{"ttl", "type", "length", "lifetime", "expiry", "expiration", "expiresat",
	"expiresin", "endpoint", "url", "uri", "policy", "count"}

// IsSecretName reports whether a JSON field with this name holds a credential.
func IsSecretName(name string) bool {
	lower := strings.ToLower(name)
	norm := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, lower)
	found := false
	for _, w := range secretWords {
		if strings.Contains(norm, w) {
			found = true
			break
		}
	}
	if !found || harmlessName[lower] {
		return false
	}
	for _, suf := range harmlessSuffix {
		if strings.HasSuffix(norm, suf) {
			return false
		}
	}
	return true
}

// isSecretFormName is IsSecretName plus the OAuth form-only names.
func isSecretFormName(name string) bool {
	return formOnlyName[strings.ToLower(name)] || IsSecretName(name)
}

// RedactHeader hides the value of credential headers. An auth scheme is kept
// ("Bearer [REDACTED]"); cookies keep their names ("sid=[REDACTED]").
func RedactHeader(k, v string) string {
	lk := strings.ToLower(k)
	switch {
	case lk == "cookie":
		return redactCookies(v, ";")
	case lk == "set-cookie":
		// name=value; Path=/; HttpOnly: only the first pair is secret.
		first, rest, found := strings.Cut(v, ";")
		out := redactCookies(first, ";")
		if found {
			out += ";" + rest
		}
		return out
	case lk == "authorization" || lk == "proxy-authorization":
		if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok && isAuthScheme(scheme) {
			return scheme + " " + Redacted
		}
		return Redacted
	case sensitiveHeader[lk] || (IsSecretName(k) && !strings.HasPrefix(lk, "www-")):
		return Redacted
	}
	return v
}

func isAuthScheme(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

func redactCookies(v, sep string) string {
	parts := strings.Split(v, sep)
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		parts[i] = name + "=" + Redacted
	}
	return strings.Join(parts, sep)
}

// RedactURL hides user info and query values whose names look secret (plus OAuth's code,
// device_code, ...). The order of parameters is kept.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(Redacted)
	}
	if c.RawQuery != "" {
		c.RawQuery = redactForm(c.RawQuery)
	}
	frag := ""
	if c.Fragment != "" {
		// Implicit-flow responses carry tokens in the fragment.
		frag = "#" + redactForm(c.EscapedFragment())
		c.Fragment, c.RawFragment = "", ""
	}
	s := c.String() + frag
	// url.URL escapes the brackets of the user info; show them plainly.
	return strings.Replace(s, url.User(Redacted).String(), Redacted, 1)
}

// redactForm redacts an application/x-www-form-urlencoded string (or a query), keeping
// the order and the encoding of everything that is not secret.
func redactForm(s string) string {
	pairs := strings.Split(s, "&")
	for i, p := range pairs {
		rawKey, _, hasValue := strings.Cut(p, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			key = rawKey
		}
		if hasValue && isSecretFormName(key) {
			pairs[i] = rawKey + "=" + Redacted
		}
	}
	return strings.Join(pairs, "&")
}

// RedactBody renders a request or response body for a trace: JSON with secret-named fields
// redacted at any depth (including every value inside arrays and objects under such a field),
// form bodies with secret fields redacted, JSON Web Tokens masked anywhere, and everything else
// summarised as "[N bytes type]".
func RedactBody(contentType string, b []byte) string {
	return maskJWT(redactBody(contentType, b))
}

func redactBody(contentType string, b []byte) string {
	if len(b) == 0 {
		return ""
	}
	mt := mediaType(contentType)
	switch {
	case isJSONType(mt) || (mt == "" && json.Valid(b)):
		if out, err := redactJSON(b); err == nil {
			return out
		}
		return fmt.Sprintf("[%d bytes %s, not valid JSON]", len(b), orUnknown(mt))
	case mt == "application/x-www-form-urlencoded":
		return redactForm(string(bytes.TrimSpace(b)))
	}
	return fmt.Sprintf("[%d bytes %s]", len(b), orUnknown(mt))
}

func orUnknown(mt string) string {
	if mt == "" {
		return "of unknown type"
	}
	return mt
}

func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
	}
	return mt
}

// isJSONType accepts application/json and every +json type (SCIM, the Access vendor types).
func isJSONType(mt string) bool {
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// redactJSON re-encodes a JSON document compactly, keeping key order, with every scalar
// under a secret-named key replaced.
func redactJSON(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	root, err := parseNode(dec, 0)
	if err != nil {
		return "", err
	}
	if _, err := dec.Token(); err == nil {
		return "", fmt.Errorf("trailing data after JSON value")
	}
	var buf bytes.Buffer
	root.write(&buf, false)
	return buf.String(), nil
}

const maxJSONDepth = 200

// node is a JSON value with object keys in document order.
type node struct {
	delim  json.Delim // '{' or '[' for containers, 0 for scalars
	keys   []string
	vals   []*node
	scalar any // string, json.Number, bool or nil
}

func parseNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return &node{scalar: tok}, nil
	}
	n := &node{delim: d}
	for dec.More() {
		if d == '{' {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key is not a string")
			}
			n.keys = append(n.keys, k)
		}
		v, err := parseNode(dec, depth+1)
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return nil, err
	}
	return n, nil
}

// namingKeys hold the name of a sibling value in name/value shapes: SCIM PATCH operations
// {"op":"replace","path":"password","value":"..."} and settings lists {"name":"apiKey","value":"..."}.
var namingKeys = map[string]bool{"path": true, "name": true, "key": true, "field": true, "attribute": true, "property": true}

// valueKeys are the siblings a secret name in a naming key hides.
var valueKeys = map[string]bool{"value": true, "values": true, "newvalue": true, "val": true}

func (n *node) write(buf *bytes.Buffer, secret bool) {
	switch n.delim {
	case '{':
		hideValue := false
		for i, k := range n.keys {
			if s, ok := n.vals[i].scalar.(string); ok && namingKeys[strings.ToLower(k)] && IsSecretName(s) {
				hideValue = true
			}
		}
		buf.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, k)
			buf.WriteByte(':')
			hide := secret || IsSecretName(k) || (hideValue && valueKeys[strings.ToLower(k)])
			n.vals[i].write(buf, hide)
		}
		buf.WriteByte('}')
	case '[':
		buf.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			v.write(buf, secret)
		}
		buf.WriteByte(']')
	default:
		switch v := n.scalar.(type) {
		case string:
			if secret {
				v = Redacted
			}
			writeJSONString(buf, v)
		case json.Number:
			if secret {
				writeJSONString(buf, Redacted)
			} else {
				buf.WriteString(v.String())
			}
		case bool:
			fmt.Fprint(buf, v)
		default:
			buf.WriteString("null")
		}
	}
}

// writeJSONString writes s as a JSON string without HTML escaping (traces are read by people).
func writeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			buf.WriteString(`\u`)
			buf.WriteByte(hex[r>>12&0xf])
			buf.WriteByte(hex[r>>8&0xf])
			buf.WriteByte(hex[r>>4&0xf])
			buf.WriteByte(hex[r&0xf])
		case r == utf8.RuneError:
			buf.WriteString(`\ufffd`)
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

func maskJWT(s string) string {
	return jwtPattern.ReplaceAllString(s, "[REDACTED JWT]")
}

// minSecretLen: shorter known secrets are not masked, they would blot out the whole trace.
const minSecretLen = 4

// Redactor masks known secret values (a generated client secret, a password read from a
// file, a token) wherever they appear, in their raw, URL-escaped and JSON-escaped forms. One
// Redactor serves a whole run: the config registers every secret it resolves, the HTTP client
// every credential it sends or receives, and the command's output, errors and --debug trace
// all pass through it. Safe for concurrent use; the zero value is ready.
type Redactor = secretSet

// Add registers a secret value (values shorter than 4 characters are ignored).
func (s *secretSet) Add(v string) { s.add(v) }

// Mask replaces every registered value in text with [REDACTED].
func (s *secretSet) Mask(text string) string { return s.mask(text) }

// Writer returns w with every registered value masked in what is written through it. Each
// Write is masked on its own: flowsctl writes whole lines or blocks.
func (s *secretSet) Writer(w io.Writer) io.Writer { return maskWriter{s: s, w: w} }

type maskWriter struct {
	s *secretSet
	w io.Writer
}

func (m maskWriter) Write(p []byte) (int, error) {
	out := m.s.mask(string(p))
	if _, err := io.WriteString(m.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

type secretSet struct {
	mu     sync.Mutex
	values map[string]bool
	// forms holds every form of every value (in no order: mask masks the union of their
	// occurrences). add replaces the slice and never changes one it handed out, so mask reads
	// it without holding the lock.
	forms atomic.Pointer[[]string]
}

func (s *secretSet) add(v string) {
	if len(v) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]bool{}
	}
	if s.values[v] {
		return
	}
	s.values[v] = true
	var forms []string
	if old := s.forms.Load(); old != nil {
		forms = append(forms, *old...)
	}
	for _, f := range formsOf(v) {
		if len(f) >= minSecretLen && !slices.Contains(forms, f) {
			forms = append(forms, f)
		}
	}
	s.forms.Store(&forms)
}

// formsOf is v as it may appear in output: raw, query- and path-escaped, and inside a JSON
// string (plain, and HTML-escaped as encoding/json writes by default).
func formsOf(v string) []string {
	var b bytes.Buffer
	writeJSONString(&b, v)
	jsonForm := strings.Trim(b.String(), `"`)
	b.Reset()
	_ = json.NewEncoder(&b).Encode(v)
	htmlForm := strings.Trim(strings.TrimSpace(b.String()), `"`)
	return []string{v, url.QueryEscape(v), url.PathEscape(v), jsonForm, htmlForm}
}

// mask replaces every stretch of text covered by an occurrence of a secret's form with
// Redacted. Occurrences that overlap or touch (two secrets sharing characters, one inside
// another) become one stretch, so no character of any of them is left, whichever starts
// first. Text without a secret is returned as it is, without a copy.
func (s *secretSet) mask(text string) string {
	p := s.forms.Load()
	if p == nil {
		return text
	}
	var spans [][2]int
	for _, f := range *p {
		for from := 0; from <= len(text)-len(f); {
			i := strings.Index(text[from:], f)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{from + i, from + i + len(f)})
			from += i + 1
		}
	}
	if spans == nil {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var out strings.Builder
	out.Grow(len(text))
	at := 0 // text before at is written
	for k := 0; k < len(spans); {
		lo, hi := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] <= hi; k++ {
			hi = max(hi, spans[k][1])
		}
		out.WriteString(text[at:lo])
		out.WriteString(Redacted)
		at = hi
	}
	out.WriteString(text[at:])
	return out.String()
}
