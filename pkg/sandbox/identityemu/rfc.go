package identityemu

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	filter "github.com/scim2/filter-parser/v2"
)

// This file holds the RFC 7643/7644 rules the SCIM server enforces beyond what the
// elimity-com/scim framework does: one primary per multi-valued attribute, no duplicate
// (type, value) pairs, POST /.search on each resource type, and queries at the root.

// canonMulti checks and canonicalises the multi-valued complex attributes of a user: a
// repeated (type, value) pair is kept once (RFC 7643 §2.4: the pair SHOULD NOT repeat), and
// more than one primary value is the 400 invalidValue (RFC 7643 §2.4: primary "true" MUST
// appear no more than once).
func canonMulti(a map[string]any) error {
	for k, v := range a {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		seen := map[string]int{}
		out := make([]any, 0, len(list))
		primaries := 0
		for _, el := range list {
			m, isMap := el.(map[string]any)
			if !isMap {
				out = append(out, el)
				continue
			}
			key := pairKey(m)
			if at, dup := seen[key]; dup {
				// Keep the first copy; a primary flag on the repeat carries over.
				if isPrimary(m) && !isPrimary(out[at].(map[string]any)) {
					out[at].(map[string]any)["primary"] = true
					primaries++
				}
				continue
			}
			if isPrimary(m) {
				primaries++
			}
			seen[key] = len(out)
			out = append(out, m)
		}
		if primaries > 1 {
			e := scimerr.ScimErrorInvalidValue
			e.Detail = fmt.Sprintf("%s: %d values are primary; at most one may be (RFC 7643 section 2.4).", k, primaries)
			return e
		}
		a[k] = out
	}
	return nil
}

// pairKey identifies a multi-valued element by its type (case-insensitive) and value.
func pairKey(m map[string]any) string {
	tk, _ := lookup(m, "type")
	vk, _ := lookup(m, "value")
	t, _ := m[tk].(string)
	return strings.ToLower(t) + "\x00" + fmt.Sprint(m[vk])
}

func isPrimary(m map[string]any) bool {
	k, ok := lookup(m, "primary")
	if !ok {
		return false
	}
	b, _ := toBool(m[k]).(bool)
	return b
}

// hasPrimary reports whether v (a value or a list of values) carries primary true.
func hasPrimary(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		return isPrimary(x)
	case []any:
		for _, el := range x {
			if hasPrimary(el) {
				return true
			}
		}
	}
	return false
}

// clearPrimary unsets primary on every element of list: a PATCH that adds a new primary value
// makes the old one non-primary (RFC 7644 §3.5.2).
func clearPrimary(list []any) {
	for _, el := range list {
		if m, ok := el.(map[string]any); ok && isPrimary(m) {
			k, _ := lookup(m, "primary")
			m[k] = false
		}
	}
}

// copyList copies the elements (maps shallowly) of a multi-valued attribute so a PATCH that
// fails leaves the stored record untouched.
func copyList(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(list))
	for i, el := range list {
		if m, isMap := el.(map[string]any); isMap {
			cp := make(map[string]any, len(m))
			for k, x := range m {
				cp[k] = x
			}
			el = cp
		}
		out[i] = el
	}
	return out
}

// Search answers POST /Users/.search like GET /Users (RFC 7644 §3.4.3).
func (h userHandler) Search(r *http.Request, p scim.SearchParams) (scim.Page, error) {
	return h.GetAll(r, listParams(p))
}

// Search answers POST /Groups/.search like GET /Groups (RFC 7644 §3.4.3).
func (h groupHandler) Search(r *http.Request, p scim.SearchParams) (scim.Page, error) {
	return h.list(r, listParams(p), !names(p.ExcludedAttributes, "members"))
}

func listParams(p scim.SearchParams) scim.ListRequestParams {
	return scim.ListRequestParams{Count: p.Count, StartIndex: p.StartIndex, FilterValidator: p.FilterValidator}
}

func names(list []string, name string) bool {
	for _, s := range list {
		for _, part := range strings.Split(s, ",") {
			if strings.EqualFold(strings.TrimSpace(part), name) {
				return true
			}
		}
	}
	return false
}

// rootQuery answers GET / and POST /.search (RFC 7644 §3.4.2.1): users then groups, each
// filtered by the filter when it is valid for that resource type's schema.
type rootQuery struct {
	s     *scimServer
	base  string
	types []scim.ResourceType
}

func (q rootQuery) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	return q.query(r, r.URL.Query().Get("filter"), p.StartIndex, p.Count, wantMembers(r))
}

func (q rootQuery) Search(r *http.Request, p scim.SearchParams) (scim.Page, error) {
	return q.query(r, p.Filter, p.StartIndex, p.Count, !names(p.ExcludedAttributes, "members"))
}

func (q rootQuery) query(r *http.Request, filter string, start, count int, withMembers bool) (scim.Page, error) {
	all := scim.ListRequestParams{StartIndex: 1, Count: math.MaxInt32}
	var match []scim.Resource
	collect := func(rt scim.ResourceType, pg scim.Page, err error) error {
		if err != nil {
			return err
		}
		for _, res := range pg.Resources {
			match = append(match, rooted(q.base, rt, res))
		}
		return nil
	}
	if filter == "" {
		for _, rt := range q.types {
			pg, err := q.list(r, rt, all, withMembers)
			if err := collect(rt, pg, err); err != nil {
				return scim.Page{}, err
			}
		}
	} else {
		valid := scim.ValidateFilterForResourceTypes(filter, q.types)
		if len(valid) == 0 {
			return scim.Page{}, scimerr.ScimErrorInvalidFilter
		}
		for _, f := range valid {
			p := all
			v := f.Validator
			p.FilterValidator = &v
			pg, err := q.list(r, f.ResourceType, p, withMembers)
			if err := collect(f.ResourceType, pg, err); err != nil {
				return scim.Page{}, err
			}
		}
	}
	return scim.Page{TotalResults: len(match), Resources: page(match, start, count)}, nil
}

func (q rootQuery) list(r *http.Request, rt scim.ResourceType, p scim.ListRequestParams, withMembers bool) (scim.Page, error) {
	if rt.Name == "Group" {
		return groupHandler{q.s}.list(r, p, withMembers)
	}
	return rt.Handler.GetAll(r, p)
}

// rooted adds what a root query's resources need to say themselves: schemas and
// meta.resourceType and location (the framework adds only id, externalId and meta times).
func rooted(base string, rt scim.ResourceType, res scim.Resource) scim.Resource {
	attrs := make(scim.ResourceAttributes, len(res.Attributes)+2)
	for k, v := range res.Attributes {
		attrs[k] = v
	}
	schemas := []string{rt.Schema.ID}
	for _, ext := range rt.SchemaExtensions {
		schemas = append(schemas, ext.Schema.ID)
	}
	attrs["schemas"] = schemas
	attrs["meta"] = map[string]any{"resourceType": rt.Name, "location": base + rt.Endpoint + "/" + res.ID}
	res.Attributes = attrs
	return res
}

// fromFilter builds the element an add through a value filter path creates when nothing
// matches: the filter's `attr eq "x"` sets attr, and the value goes to the sub-attribute
// (or is merged when it is an object). Any other filter creates nothing.
func fromFilter(e filter.Expression, sub *string, v any) map[string]any {
	ae, ok := e.(*filter.AttributeExpression)
	if !ok || ae.Operator != filter.EQ {
		return nil
	}
	name := ae.AttributePath.AttributeName
	if ae.AttributePath.SubAttribute != nil {
		name = *ae.AttributePath.SubAttribute
	}
	val := ae.CompareValue
	if raw, isStr := val.(string); isStr {
		// The parser keeps escapes; a JSON decode of the quoted form undoes them.
		var d string
		if json.Unmarshal([]byte(`"`+raw+`"`), &d) == nil {
			val = d
		}
	}
	m := map[string]any{name: val}
	switch {
	case sub != nil:
		m[*sub] = v
	default:
		vm, isMap := v.(map[string]any)
		if !isMap {
			return nil
		}
		for k, x := range vm {
			m[k] = x
		}
	}
	return m
}
