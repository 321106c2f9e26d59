package entraemu

// The OData query options of Microsoft Graph on the directory collections the emulator serves:
// $filter (eq, ne, not, ge, le, in, startsWith, null, and/or, any() on collections), $select,
// $top with @odata.nextLink paging, $orderby, $count (query option and path segment) and
// $search, each where Graph allows it and with Graph's 400 where it does not.
//
// Sources: the "Supports $filter (...)" notes of the v1.0 resource pages (application,
// servicePrincipal, oAuth2PermissionGrant) and "Advanced query capabilities on Microsoft Entra
// ID objects" (ne and not, $orderby, $count and $search need ConsistencyLevel: eventual plus
// $count=true; $filter together with $orderby too; the error bodies quoted there: the filter
// clause and operator messages, "$count is not currently supported." and the $search one).
// Two messages are not in those pages and were not confirmed there: "Sorting not supported for
// current query." ($orderby outside an advanced query) and "'$skip' is not supported by the
// service."; the codes and statuses follow the documented ones.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// filterCaps are the $filter operators a property supports: eq ne not ge le in startsWith null.
// coll marks a multi-valued property, which Graph filters only through any().
type filterCaps struct {
	ops  string
	coll bool
}

func (c filterCaps) has(op string) bool { return slices.Contains(strings.Fields(c.ops), op) }

// filterable is, per entity set, every property Graph lets $filter use.
var filterable = map[string]map[string]filterCaps{
	"applications": {
		"id":                        {ops: "eq ne not in"},
		"appId":                     {ops: "eq ne not in startsWith"},
		"displayName":               {ops: "eq ne not ge le in startsWith null"},
		"uniqueName":                {ops: "eq ne not ge le in startsWith null"},
		"description":               {ops: "eq ne not ge le startsWith null"},
		"signInAudience":            {ops: "eq ne not in null"},
		"publisherDomain":           {ops: "eq ne ge le startsWith"},
		"createdDateTime":           {ops: "eq ne not ge le in null"},
		"identifierUris":            {ops: "eq not ge le startsWith", coll: true},
		"tags":                      {ops: "eq not ge le startsWith", coll: true},
		"disabledByMicrosoftStatus": {ops: "eq ne not"},
	},
	"servicePrincipals": {
		"id":                        {ops: "eq ne not in"},
		"appId":                     {ops: "eq ne not in startsWith"},
		"displayName":               {ops: "eq ne not ge le in startsWith null"},
		"accountEnabled":            {ops: "eq ne not in"},
		"appOwnerOrganizationId":    {ops: "eq ne not in"},
		"servicePrincipalType":      {ops: "eq ne not in"},
		"preferredSingleSignOnMode": {ops: "eq ne not in"},
		"servicePrincipalNames":     {ops: "eq not ge le startsWith", coll: true},
		"alternativeNames":          {ops: "eq not ge le in startsWith", coll: true},
		"replyUrls":                 {ops: "eq not ge le null", coll: true},
		"tags":                      {ops: "eq not ge le startsWith", coll: true},
	},
	"oauth2PermissionGrants": {
		"id":          {ops: "eq"},
		"clientId":    {ops: "eq"},
		"consentType": {ops: "eq"},
		"principalId": {ops: "eq"},
		"resourceId":  {ops: "eq"},
	},
}

// orderable lists the properties $orderby accepts per entity set; all of them only in advanced queries.
var orderable = map[string][]string{
	"applications":      {"displayName", "createdDateTime", "deletedDateTime"},
	"servicePrincipals": {"displayName", "createdDateTime", "deletedDateTime"},
}

// searchable lists the properties $search accepts (advanced queries only).
var searchable = map[string][]string{
	"applications":      {"displayName", "description"},
	"servicePrincipals": {"displayName", "description"},
}

// resourceName is the resource name Graph puts in its filter errors.
var resourceName = map[string]string{
	"applications": "Application", "servicePrincipals": "ServicePrincipal", "oauth2PermissionGrants": "OAuth2PermissionGrant",
}

// defaultPageSize is Graph's page size for directory collections without $top.
const defaultPageSize = 100

// advanced reports whether the request is an advanced query: ConsistencyLevel: eventual and $count=true.
func advanced(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual") &&
		strings.EqualFold(r.URL.Query().Get("$count"), "true")
}

func eventual(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
}

// queryError is a 400 with Graph's code and message.
type queryError struct{ code, msg string }

func (e *queryError) Error() string { return e.msg }

func unsupportedClause(set, prop string) *queryError {
	return &queryError{"Request_UnsupportedQuery",
		fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, resourceName[set])}
}

func needsAdvanced(op string) *queryError {
	return &queryError{"Request_UnsupportedQuery", fmt.Sprintf("Operator '%s' is not supported because the required parameters might be missing. "+
		"Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information", op)}
}

func badFilter(detail string) *queryError {
	return &queryError{"BadRequest", "Invalid filter clause: " + detail}
}

// ---- $filter: tokens ----

type token struct {
	kind byte // 'w' word, 's' string literal, or one of ( ) , :
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':':
			out = append(out, token{kind: c, text: string(c)})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, badFilter("unterminated string literal")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{kind: 's', text: b.String()})
			i = j + 1
		default:
			j := i
			digit := unicode.IsDigit(rune(c))
			for j < len(s) && !strings.ContainsRune(" \t(),'", rune(s[j])) && (s[j] != ':' || digit) {
				j++
			}
			out = append(out, token{kind: 'w', text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// ---- $filter: parse tree ----

// cond is a parsed filter: it tests one object.
type cond func(obj map[string]any) bool

type parser struct {
	toks []token
	pos  int
	set  string
	adv  bool
	// lambda is the range variable of the any() being parsed, with the collection property it ranges over.
	lambda, lambdaProp string
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{}
}

func (p *parser) next() token { t := p.peek(); p.pos++; return t }

func (p *parser) keyword(w string) bool {
	if t := p.peek(); t.kind == 'w' && strings.EqualFold(t.text, w) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expect(kind byte) error {
	if t := p.next(); t.kind != kind {
		return badFilter(fmt.Sprintf("expected '%c' but found '%s'", kind, t.text))
	}
	return nil
}

// parseFilter parses a $filter expression for the entity set, checking every clause against
// what Graph supports for that property (adv: the request is an advanced query).
func parseFilter(set, expr string, adv bool) (cond, *queryError) {
	toks, err := tokenize(expr)
	if err != nil {
		return nil, err.(*queryError)
	}
	p := &parser{toks: toks, set: set, adv: adv}
	c, qe := p.or()
	if qe != nil {
		return nil, qe
	}
	if p.pos != len(p.toks) {
		return nil, badFilter("syntax error at '" + p.peek().text + "'")
	}
	return c, nil
}

func (p *parser) or() (cond, *queryError) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		var r cond
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(o map[string]any) bool { return a(o) || b(o) }
		}
	}
	return l, err
}

func (p *parser) and() (cond, *queryError) {
	l, err := p.unary()
	for err == nil && p.keyword("and") {
		var r cond
		if r, err = p.unary(); err == nil {
			a, b := l, r
			l = func(o map[string]any) bool { return a(o) && b(o) }
		}
	}
	return l, err
}

func (p *parser) unary() (cond, *queryError) {
	if p.keyword("not") {
		if !p.adv {
			return nil, needsAdvanced("not")
		}
		c, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(o map[string]any) bool { return !c(o) }, nil
	}
	return p.primary()
}

func (p *parser) primary() (cond, *queryError) {
	t := p.next()
	switch {
	case t.kind == '(':
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if e := p.expect(')'); e != nil {
			return nil, e.(*queryError)
		}
		return c, nil
	case t.kind != 'w':
		return nil, badFilter("syntax error at '" + t.text + "'")
	}
	if fn := strings.ToLower(t.text); (fn == "startswith" || fn == "endswith") && p.peek().kind == '(' {
		return p.function(fn)
	}
	path := t.text
	if prop, ok := strings.CutSuffix(path, "/any"); ok && p.peek().kind == '(' {
		return p.anyLambda(prop)
	}
	return p.comparison(path)
}

// operand resolves a property path (or the lambda variable) to its capabilities and accessor.
func (p *parser) operand(path string) (filterCaps, func(o map[string]any) any, *queryError) {
	if p.lambda != "" && path == p.lambda {
		c := filterable[p.set][p.lambdaProp]
		return filterCaps{ops: c.ops}, func(o map[string]any) any { return o[""] }, nil
	}
	c, ok := filterable[p.set][path]
	if !ok {
		return c, nil, unsupportedClause(p.set, path)
	}
	if c.coll {
		// A multi-valued property needs any().
		return c, nil, unsupportedClause(p.set, path)
	}
	return c, func(o map[string]any) any { return o[path] }, nil
}

func (p *parser) function(fn string) (cond, *queryError) {
	p.next() // (
	arg := p.next()
	if arg.kind != 'w' {
		return nil, badFilter(fn + " needs a property as its first argument")
	}
	if e := p.expect(','); e != nil {
		return nil, e.(*queryError)
	}
	lit := p.next()
	if lit.kind != 's' {
		return nil, badFilter(fn + " needs a string literal as its second argument")
	}
	if e := p.expect(')'); e != nil {
		return nil, e.(*queryError)
	}
	caps, get, err := p.operand(arg.text)
	if err != nil {
		return nil, err
	}
	if fn == "endswith" {
		// Graph allows endsWith only on mail, otherMails, userPrincipalName and proxyAddresses.
		return nil, unsupportedClause(p.set, p.name(arg.text))
	}
	if !caps.has("startsWith") {
		return nil, unsupportedClause(p.set, p.name(arg.text))
	}
	prefix := strings.ToLower(lit.text)
	return func(o map[string]any) bool {
		s, ok := get(o).(string)
		return ok && strings.HasPrefix(strings.ToLower(s), prefix)
	}, nil
}

// name is the property a clause is about (the collection for the lambda variable).
func (p *parser) name(path string) string {
	if p.lambda != "" && path == p.lambda {
		return p.lambdaProp
	}
	return path
}

func (p *parser) anyLambda(prop string) (cond, *queryError) {
	p.next() // (
	c, ok := filterable[p.set][prop]
	if !ok || !c.coll || p.lambda != "" {
		return nil, unsupportedClause(p.set, prop)
	}
	v := p.next()
	if v.kind != 'w' {
		return nil, badFilter("any() needs a range variable")
	}
	if e := p.expect(':'); e != nil {
		return nil, e.(*queryError)
	}
	p.lambda, p.lambdaProp = v.text, prop
	inner, err := p.or()
	p.lambda, p.lambdaProp = "", ""
	if err != nil {
		return nil, err
	}
	if e := p.expect(')'); e != nil {
		return nil, e.(*queryError)
	}
	return func(o map[string]any) bool {
		vals, _ := o[prop].([]any)
		for _, x := range vals {
			if inner(map[string]any{"": x}) {
				return true
			}
		}
		return false
	}, nil
}

func (p *parser) comparison(path string) (cond, *queryError) {
	caps, get, err := p.operand(path)
	if err != nil {
		return nil, err
	}
	opTok := p.next()
	op := strings.ToLower(opTok.text)
	if op == "in" {
		if !caps.has("in") {
			return nil, unsupportedClause(p.set, p.name(path))
		}
		if e := p.expect('('); e != nil {
			return nil, e.(*queryError)
		}
		var vals []any
		for {
			lit, qe := p.literal()
			if qe != nil {
				return nil, qe
			}
			vals = append(vals, lit)
			if p.peek().kind == ',' {
				p.next()
				continue
			}
			break
		}
		if e := p.expect(')'); e != nil {
			return nil, e.(*queryError)
		}
		return func(o map[string]any) bool {
			return slices.ContainsFunc(vals, func(v any) bool { return compare(get(o), v) == 0 })
		}, nil
	}
	switch op {
	case "eq", "ne", "ge", "le", "gt", "lt":
	default:
		return nil, badFilter("unknown operator '" + opTok.text + "'")
	}
	lit, qe := p.literal()
	if qe != nil {
		return nil, qe
	}
	if lit == nil && !caps.has("null") {
		return nil, unsupportedClause(p.set, p.name(path))
	}
	if op == "gt" || op == "lt" || (op != "ne" && !caps.has(op)) || (op == "ne" && !caps.has("ne")) {
		return nil, unsupportedClause(p.set, p.name(path))
	}
	if op == "ne" && !p.adv {
		return nil, needsAdvanced("ne")
	}
	return func(o map[string]any) bool {
		c := compare(get(o), lit)
		switch op {
		case "eq":
			return c == 0
		case "ne":
			return c != 0
		case "ge":
			return c >= 0 && c != incomparable
		default: // le
			return c <= 0
		}
	}, nil
}

// literal reads a string, boolean, null, number, GUID or date literal.
func (p *parser) literal() (any, *queryError) {
	t := p.next()
	switch t.kind {
	case 's':
		return t.text, nil
	case 'w':
		switch strings.ToLower(t.text) {
		case "null":
			return nil, nil
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		if guidRE.MatchString(t.text) {
			return strings.ToLower(t.text), nil
		}
		if ts, err := time.Parse(time.RFC3339Nano, t.text); err == nil {
			return ts, nil
		}
		if n, err := strconv.ParseFloat(t.text, 64); err == nil {
			return n, nil
		}
	}
	return nil, badFilter("'" + t.text + "' is not a literal")
}

const incomparable = 2

// compare orders an object's value v against a literal: -1, 0, 1, or incomparable. Strings
// compare case-insensitively, as directory queries do.
func compare(v, lit any) int {
	if lit == nil {
		if v == nil {
			return 0
		}
		return incomparable
	}
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return incomparable
		}
		return strings.Compare(strings.ToLower(s), strings.ToLower(l))
	case bool:
		b, ok := v.(bool)
		if !ok {
			return incomparable
		}
		if b == l {
			return 0
		}
		return incomparable
	case time.Time:
		s, _ := v.(string)
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return incomparable
		}
		return ts.Compare(l)
	case float64:
		n, ok := v.(float64)
		if !ok {
			return incomparable
		}
		switch {
		case n < l:
			return -1
		case n > l:
			return 1
		}
		return 0
	}
	return incomparable
}

// ---- the collection query ----

// listQuery is the parsed query of a GET on a collection.
type listQuery struct {
	where   cond
	order   string
	desc    bool
	search  []string // prop:term clauses, any of which matches
	top     int
	skip    int // from $skiptoken
	count   bool
	nextURL string // the request's query without $skiptoken, for @odata.nextLink
}

// parseList reads the query options of a GET on the entity set.
func parseList(q *request, set string) (*listQuery, *queryError) {
	r := q.r
	vals := r.URL.Query()
	adv := advanced(r)
	lq := &listQuery{top: defaultPageSize, count: adv}
	for k := range vals {
		switch k {
		case "$skip":
			return nil, &queryError{"Request_BadRequest", "'$skip' is not supported by the service."}
		}
	}
	if f := strings.TrimSpace(vals.Get("$filter")); f != "" {
		c, err := parseFilter(set, f, adv)
		if err != nil {
			return nil, err
		}
		lq.where = c
	}
	if s := vals.Get("$top"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 999 {
			return nil, &queryError{"Request_BadRequest", "Invalid page size specified: '" + s + "'. Must be between 1 and 999 inclusive."}
		}
		lq.top = n
	}
	if o := strings.TrimSpace(vals.Get("$orderby")); o != "" {
		f := strings.Fields(o)
		prop := f[0]
		if len(f) > 2 || (len(f) == 2 && !strings.EqualFold(f[1], "asc") && !strings.EqualFold(f[1], "desc")) ||
			!slices.Contains(orderable[set], prop) || !adv {
			return nil, &queryError{"Request_UnsupportedQuery", "Sorting not supported for current query."}
		}
		lq.order, lq.desc = prop, len(f) == 2 && strings.EqualFold(f[1], "desc")
	}
	if s := strings.TrimSpace(vals.Get("$search")); s != "" {
		if !eventual(r) {
			return nil, &queryError{"Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"}
		}
		for _, clause := range strings.Split(s, " OR ") {
			clause = strings.Trim(strings.TrimSpace(clause), `"`)
			prop, term, ok := strings.Cut(clause, ":")
			if !ok || !slices.Contains(searchable[set], prop) {
				return nil, &queryError{"Request_UnsupportedQuery", "Unsupported or invalid $search clause: " + clause}
			}
			lq.search = append(lq.search, prop+":"+strings.ToLower(term))
		}
	}
	if tok := vals.Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "skip:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "skip:") || n < 0 {
			return nil, &queryError{"Request_BadRequest", "The specified page token value has expired and can no longer be included in your request."}
		}
		lq.skip = n
	}
	vals.Del("$skiptoken")
	lq.nextURL = q.r.URL.Path + "?" + encodeQuery(vals)
	return lq, nil
}

// encodeQuery encodes query options keeping $ and , readable, as Graph's nextLinks do.
func encodeQuery(v url.Values) string {
	s := v.Encode()
	return strings.NewReplacer("%24", "$", "%2C", ",").Replace(s)
}

// matches applies the filter and search of lq to o.
func (lq *listQuery) matches(o map[string]any) bool {
	if lq.where != nil && !lq.where(o) {
		return false
	}
	if len(lq.search) == 0 {
		return true
	}
	for _, c := range lq.search {
		prop, term, _ := strings.Cut(c, ":")
		s, _ := o[prop].(string)
		// Graph tokenizes on spaces and punctuation and matches word prefixes.
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if strings.HasPrefix(w, term) {
				return true
			}
		}
	}
	return false
}

// list answers a GET on a collection: filtered, searched, ordered, one page, with
// @odata.count and @odata.nextLink where they apply. Caller holds t.mu.
func (g *Graph) list(q *request, c *collection) {
	lq, err := parseList(q, q.set)
	if err != nil {
		q.fail(http.StatusBadRequest, err.code, err.msg)
		return
	}
	now := g.t.now()
	var all []map[string]any
	for _, id := range c.order {
		e := c.items[id]
		if e.visible(now) && lq.matches(e.obj) {
			all = append(all, e.obj)
		}
	}
	if lq.order != "" {
		sort.SliceStable(all, func(i, j int) bool {
			a, _ := all[i][lq.order].(string)
			b, _ := all[j][lq.order].(string)
			if lq.desc {
				return strings.ToLower(a) > strings.ToLower(b)
			}
			return strings.ToLower(a) < strings.ToLower(b)
		})
	}
	start := min(lq.skip, len(all))
	end := min(start+lq.top, len(all))
	page := all[start:end]
	extra := map[string]any{}
	if lq.count {
		extra["@odata.count"] = len(all)
	}
	if end < len(all) {
		tok := base64.RawURLEncoding.EncodeToString([]byte("skip:" + strconv.Itoa(end)))
		extra["@odata.nextLink"] = g.t.graphURL + lq.nextURL + "&$skiptoken=" + tok
	}
	g.respondList(q, page, extra)
}

// count answers GET /{set}/$count: the number of visible objects as text, in advanced queries
// only. Caller holds t.mu.
func (g *Graph) count(q *request) {
	c := map[string]*collection{"applications": g.t.apps, "servicePrincipals": g.t.sps, "oauth2PermissionGrants": g.t.grants}[q.set]
	if q.r.Method != http.MethodGet {
		q.notAllowed("")
		return
	}
	if !eventual(q.r) {
		q.fail(http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
		return
	}
	lq, err := parseList(q, q.set)
	if err != nil {
		q.fail(http.StatusBadRequest, err.code, err.msg)
		return
	}
	now := g.t.now()
	n := 0
	for _, id := range c.order {
		if e := c.items[id]; e.visible(now) && lq.matches(e.obj) {
			n++
		}
	}
	q.w.Header().Set("Content-Type", "text/plain")
	q.w.WriteHeader(http.StatusOK)
	fmt.Fprint(q.w, n)
}

// canonicalSet maps a path segment to the entity set it names: Graph matches segments case-insensitively.
func canonicalSet(seg string) string {
	for name := range objectSets {
		if strings.EqualFold(name, seg) {
			return name
		}
	}
	return seg
}
