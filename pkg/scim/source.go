package scim

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
)

// Record is one desired user of a sync source and the names of its groups.
type Record struct {
	User   User
	Groups []string
	// Line is the CSV line or JSON array index, for errors.
	Line int
}

// Source yields records one at a time (io.EOF at the end), so a sync streams its input.
type Source interface {
	Next() (Record, error)
}

// MaxAttrLen caps every attribute a source row carries (bytes). A longer value is refused
// before any request: one oversized attribute would otherwise be stored at the target and make
// every later list of users larger than the response cap.
const MaxAttrLen = 4096

// checkAttrs refuses a record whose attributes are longer than MaxAttrLen, naming where.
func checkAttrs(where string, rec *Record) error {
	u := &rec.User
	attrs := [][2]string{{"userName", u.UserName}, {"givenName", u.Name.GivenName}, {"familyName", u.Name.FamilyName},
		{"externalId", u.ExternalID}, {"displayName", u.DisplayName}}
	for _, e := range u.Emails {
		attrs = append(attrs, [2]string{"email", e.Value})
	}
	for _, g := range rec.Groups {
		attrs = append(attrs, [2]string{"groups", g})
	}
	for _, a := range attrs {
		if len(a[1]) > MaxAttrLen {
			return fmt.Errorf("%s: %s is %d bytes, more than the %d allowed; shorten it in the file", where, a[0], len(a[1]), MaxAttrLen)
		}
	}
	return nil
}

// dedup refuses a second row with the same userName (case-insensitive, as SCIM servers match
// it): two rows for one user would flip its attributes between runs and never converge. It
// keeps a 64-bit hash of each userName, not the name (a million rows: ~30 MB, not ~90 MB); two
// different names sharing a hash (about 1 in 10^7 for a million rows) would be refused as a
// duplicate, never merged.
type dedup struct {
	src  Source
	seed maphash.Seed
	seen map[uint64]int
	kind string
}

// Unique wraps src so that a userName seen twice is an error naming both lines.
func Unique(src Source) Source {
	kind := "line"
	if _, ok := src.(*jsonSource); ok {
		kind = "element"
	}
	return &dedup{src: src, seed: maphash.MakeSeed(), seen: map[uint64]int{}, kind: kind}
}

func (d *dedup) Next() (Record, error) {
	rec, err := d.src.Next()
	if err != nil {
		return rec, err
	}
	k := maphash.String(d.seed, strings.ToLower(rec.User.UserName))
	if first, ok := d.seen[k]; ok {
		return Record{}, fmt.Errorf("%s %d: userName %q is already on %s %d (userNames are case-insensitive); keep one row per user",
			d.kind, rec.Line, rec.User.UserName, d.kind, first)
	}
	d.seen[k] = rec.Line
	return rec, nil
}

// CSVColumns is the header a CSV source must have (any order; userName required).
var CSVColumns = []string{"userName", "givenName", "familyName", "email", "externalId", "active", "groups"}

type csvSource struct {
	r    *csv.Reader
	cols map[string]int
	line int
}

// NewCSVSource reads CSV with the header userName,givenName,familyName,email,externalId,active,groups
// (groups separated by ';').
func NewCSVSource(r io.Reader) (Source, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	h, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w (want %s)", err, strings.Join(CSVColumns, ","))
	}
	cols := map[string]int{}
	known := map[string]string{}
	for _, c := range CSVColumns {
		known[strings.ToLower(c)] = c
	}
	for i, name := range h {
		n := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		c, ok := known[n]
		if !ok {
			return nil, fmt.Errorf("CSV header: unknown column %q (allowed: %s)", name, strings.Join(CSVColumns, ","))
		}
		cols[c] = i
	}
	if _, ok := cols["userName"]; !ok {
		return nil, fmt.Errorf("CSV header has no userName column (want %s)", strings.Join(CSVColumns, ","))
	}
	return &csvSource{r: cr, cols: cols, line: 1}, nil
}

func (s *csvSource) Next() (Record, error) {
	row, err := s.r.Read()
	if err != nil {
		return Record{}, err
	}
	s.line++
	if l, _ := s.r.FieldPos(0); l > 0 {
		s.line = l
	}
	get := func(c string) string {
		if i, ok := s.cols[c]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	rec := Record{Line: s.line}
	u := &rec.User
	u.UserName = get("userName")
	if u.UserName == "" {
		return Record{}, fmt.Errorf("CSV line %d: userName is empty", s.line)
	}
	u.Name = Name{GivenName: get("givenName"), FamilyName: get("familyName")}
	if e := get("email"); e != "" {
		u.Emails = []Email{{Value: e, Type: "work", Primary: true}}
	}
	u.ExternalID = get("externalId")
	u.Active = true
	if a := get("active"); a != "" {
		b, err := strconv.ParseBool(strings.ToLower(a))
		if err != nil {
			return Record{}, fmt.Errorf("CSV line %d: active %q is not true or false", s.line, a)
		}
		u.Active = b
	}
	for _, g := range strings.Split(get("groups"), ";") {
		if g = strings.TrimSpace(g); g != "" {
			rec.Groups = append(rec.Groups, g)
		}
	}
	if err := checkAttrs(fmt.Sprintf("CSV line %d", s.line), &rec); err != nil {
		return Record{}, err
	}
	return rec, nil
}

type jsonSource struct {
	dec  *json.Decoder
	i    int
	done bool
}

// NewJSONSource reads a JSON array of SCIM user objects whose groups is an array of names
// (or of {"display"|"value"} objects), decoding one element at a time.
func NewJSONSource(r io.Reader) (Source, error) {
	dec := json.NewDecoder(r)
	t, err := dec.Token()
	if err == io.EOF {
		return nil, errors.New("JSON source: the file is empty (want an array of SCIM users)")
	}
	if err != nil {
		return nil, fmt.Errorf("JSON source: %w (want an array of SCIM users)", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return nil, errors.New("JSON source: the document is not an array of SCIM users")
	}
	return &jsonSource{dec: dec}, nil
}

func (s *jsonSource) Next() (Record, error) {
	if s.done {
		return Record{}, io.EOF
	}
	if !s.dec.More() {
		// The array must be closed: a file cut after a complete element is truncated, not short.
		t, err := s.dec.Token()
		if d, ok := t.(json.Delim); err != nil || !ok || d != ']' {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return Record{}, fmt.Errorf("JSON source after element %d: the array is not closed (%v): the file looks truncated", s.i, err)
		}
		s.done = true
		return Record{}, io.EOF
	}
	s.i++
	var w struct {
		wireUser
		Groups []json.RawMessage `json:"groups"`
	}
	if err := s.dec.Decode(&w); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // a file cut after a comma: not the end of the list
		}
		return Record{}, fmt.Errorf("JSON element %d: %w", s.i, err)
	}
	u := w.wireUser.user()
	u.ID, u.Version, u.Groups = "", "", nil
	if w.Active == nil {
		u.Active = true
	}
	if u.UserName == "" {
		return Record{}, fmt.Errorf("JSON element %d: userName is empty", s.i)
	}
	rec := Record{User: u, Line: s.i}
	for _, g := range w.Groups {
		var name string
		if json.Unmarshal(g, &name) != nil {
			var ref Ref
			if json.Unmarshal(g, &ref) == nil {
				name = ref.Display
				if name == "" {
					name = ref.Value
				}
			}
		}
		if name = strings.TrimSpace(name); name != "" {
			rec.Groups = append(rec.Groups, name)
		}
	}
	if err := checkAttrs(fmt.Sprintf("JSON element %d", s.i), &rec); err != nil {
		return Record{}, err
	}
	return rec, nil
}
