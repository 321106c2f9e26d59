package sandboxtest

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

// CSDL is the property table of a Graph CSDL document: type name -> property -> type, with
// base types folded in. Contract tests use it to hold the emulator and the client to Graph's
// published metadata.
type CSDL map[string]map[string]string

// Schema is a CSDL document read for contract tests: every entity and complex type with its
// properties (base types folded in), nullability, keys and enum types, and what the document
// declares beyond types: the entity sets of its EntityContainer, the alternate keys of its
// entity types (Org.OData.Core.V1.AlternateKeys, inline or in an Annotations element) and its
// bound actions.
type Schema struct {
	Props    CSDL
	Nullable map[string]map[string]bool // type -> property -> may be null
	Keys     map[string][]string        // entity type -> key properties (from the type or a base type)
	Entities map[string]bool            // which types are entity types
	Enums    map[string][]string        // enum type -> members
	Base     map[string]string          // type -> its base type ("" for none)

	EntitySets    map[string]string         // entity set -> entity type
	AlternateKeys map[string][]AlternateKey // entity type -> its alternate keys
	Actions       map[string][]Action       // action name -> its overloads
}

// AlternateKey is one alternate key of an entity type: the properties that make it up, each
// with the alias a URL uses (applications(appId='…')).
type AlternateKey []KeyPart

// KeyPart is one property of an alternate key.
type KeyPart struct{ Alias, Property string }

// Action is one overload of a CSDL action: what it is bound to and its parameters and return.
type Action struct {
	Bound      string // the binding parameter's type (local name), "" when unbound
	BoundToSet bool   // bound to a collection of Bound rather than one
	Params     []Param
	Returns    string // "" when the action returns nothing
	// ReturnsNonNull is the ReturnType's Nullable="false".
	ReturnsNonNull bool
}

// Param is a non-binding parameter of an action.
type Param struct {
	Name, Type string
	NonNull    bool // Nullable="false"
}

// LoadCSDL reads a CSDL (Schema) file such as ../shared/contracts/graph/graph-v1.0-csdl-subset.xml.
func LoadCSDL(path string) (CSDL, error) {
	s, err := LoadSchema(path)
	if err != nil {
		return nil, err
	}
	return s.Props, nil
}

// LoadSchema reads a CSDL (Schema) file into a Schema.
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := readCSDL(b, path)
	if err != nil {
		return nil, err
	}
	return buildSchema(doc), nil
}

type csdlProp struct {
	Name     string `xml:"Name,attr"`
	Type     string `xml:"Type,attr"`
	Nullable string `xml:"Nullable,attr"`
}

// csdlAnnotation is an Annotation element; only Org.OData.Core.V1.AlternateKeys is read.
type csdlAnnotation struct {
	Term    string `xml:"Term,attr"`
	Records []struct {
		Values []struct {
			Property string `xml:"Property,attr"`
			Refs     []struct {
				Values []struct {
					Property     string `xml:"Property,attr"`
					String       string `xml:"String,attr"`
					PropertyPath string `xml:"PropertyPath,attr"`
				} `xml:"PropertyValue"`
			} `xml:"Collection>Record"`
		} `xml:"PropertyValue"`
	} `xml:"Collection>Record"`
}

type csdlType struct {
	Name     string     `xml:"Name,attr"`
	BaseType string     `xml:"BaseType,attr"`
	Props    []csdlProp `xml:"Property"`
	Keys     []struct {
		Name string `xml:"Name,attr"`
	} `xml:"Key>PropertyRef"`
	Annotations []csdlAnnotation `xml:"Annotation"`
}

type csdlDoc struct {
	Entities []csdlType `xml:"EntityType"`
	Complex  []csdlType `xml:"ComplexType"`
	Enums    []struct {
		Name    string `xml:"Name,attr"`
		Members []struct {
			Name string `xml:"Name,attr"`
		} `xml:"Member"`
	} `xml:"EnumType"`
	Sets []struct {
		Name       string `xml:"Name,attr"`
		EntityType string `xml:"EntityType,attr"`
	} `xml:"EntityContainer>EntitySet"`
	Annotations []struct {
		Target      string           `xml:"Target,attr"`
		Annotations []csdlAnnotation `xml:"Annotation"`
	} `xml:"Annotations"`
	Actions []struct {
		Name    string     `xml:"Name,attr"`
		IsBound string     `xml:"IsBound,attr"`
		Params  []csdlProp `xml:"Parameter"`
		Return  *csdlProp  `xml:"ReturnType"`
	} `xml:"Action"`
}

func readCSDL(b []byte, name string) (csdlDoc, error) {
	var doc csdlDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return doc, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// localName is a type's name without the microsoft.graph namespace or its graph alias; a
// collection keeps its Collection( ) around the local name.
func localName(t string) string {
	if inner, ok := strings.CutPrefix(t, "Collection("); ok {
		return "Collection(" + localName(strings.TrimSuffix(inner, ")")) + ")"
	}
	for _, ns := range []string{"microsoft.graph.", "graph."} {
		if rest, ok := strings.CutPrefix(t, ns); ok && !strings.Contains(rest, ".") {
			return rest
		}
	}
	return t
}

// alternateKeys reads an Org.OData.Core.V1.AlternateKeys annotation.
func alternateKeys(a csdlAnnotation) []AlternateKey {
	if a.Term != "Org.OData.Core.V1.AlternateKeys" {
		return nil
	}
	var out []AlternateKey
	for _, rec := range a.Records {
		for _, v := range rec.Values {
			if v.Property != "Key" {
				continue
			}
			var key AlternateKey
			for _, ref := range v.Refs {
				var part KeyPart
				for _, pv := range ref.Values {
					switch pv.Property {
					case "Alias":
						part.Alias = pv.String
					case "Name":
						part.Property = pv.PropertyPath
					}
				}
				key = append(key, part)
			}
			out = append(out, key)
		}
	}
	return out
}

// buildSchema folds one or more CSDL documents of the same namespace into a Schema.
func buildSchema(docs ...csdlDoc) *Schema {
	raw := map[string]csdlType{}
	s := &Schema{Props: CSDL{}, Nullable: map[string]map[string]bool{}, Keys: map[string][]string{},
		Entities: map[string]bool{}, Enums: map[string][]string{}, Base: map[string]string{},
		EntitySets: map[string]string{}, AlternateKeys: map[string][]AlternateKey{}, Actions: map[string][]Action{}}
	for _, doc := range docs {
		for _, t := range doc.Entities {
			raw[t.Name] = t
			s.Entities[t.Name] = true
			for _, a := range t.Annotations {
				s.AlternateKeys[t.Name] = append(s.AlternateKeys[t.Name], alternateKeys(a)...)
			}
		}
		for _, t := range doc.Complex {
			raw[t.Name] = t
		}
		for _, e := range doc.Enums {
			for _, m := range e.Members {
				s.Enums[e.Name] = append(s.Enums[e.Name], m.Name)
			}
		}
		for _, set := range doc.Sets {
			s.EntitySets[set.Name] = localName(set.EntityType)
		}
		for _, group := range doc.Annotations {
			target := localName(group.Target)
			for _, a := range group.Annotations {
				s.AlternateKeys[target] = append(s.AlternateKeys[target], alternateKeys(a)...)
			}
		}
		for _, a := range doc.Actions {
			var act Action
			params := a.Params
			if a.IsBound == "true" && len(params) > 0 {
				bound := localName(params[0].Type)
				inner, coll := strings.CutPrefix(bound, "Collection(")
				act.Bound, act.BoundToSet = strings.TrimSuffix(inner, ")"), coll
				params = params[1:]
			}
			for _, p := range params {
				act.Params = append(act.Params, Param{Name: p.Name, Type: localName(p.Type), NonNull: p.Nullable == "false"})
			}
			if a.Return != nil {
				act.Returns, act.ReturnsNonNull = localName(a.Return.Type), a.Return.Nullable == "false"
			}
			s.Actions[a.Name] = append(s.Actions[a.Name], act)
		}
	}
	for name := range raw {
		s.Base[name] = localName(raw[name].BaseType)
		m, null := map[string]string{}, map[string]bool{}
		var keys []string
		for t, ok := raw[name], true; ok; t, ok = raw[localName(t.BaseType)] {
			for _, p := range t.Props {
				if _, seen := m[p.Name]; !seen {
					m[p.Name] = p.Type
					null[p.Name] = p.Nullable != "false"
				}
			}
			if keys == nil {
				for _, k := range t.Keys {
					keys = append(keys, k.Name)
				}
			}
			if t.BaseType == "" {
				break
			}
		}
		s.Props[name], s.Nullable[name] = m, null
		if s.Entities[name] {
			s.Keys[name] = keys
		}
	}
	return s
}

// Check reports every property of body (recursively, through complex and collection types)
// that typeName does not declare.
func (c CSDL) Check(typeName string, body map[string]any) []string {
	var bad []string
	props, ok := c[typeName]
	if !ok {
		return []string{"type " + typeName + " is not in the CSDL"}
	}
	for k, v := range body {
		if strings.HasPrefix(k, "@") {
			continue
		}
		t, ok := props[k]
		if !ok {
			bad = append(bad, typeName+"."+k)
			continue
		}
		t = strings.TrimSuffix(strings.TrimPrefix(t, "Collection("), ")")
		inner := strings.TrimPrefix(t, "graph.")
		if _, complex := c[inner]; !complex {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			bad = append(bad, c.Check(inner, x)...)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					bad = append(bad, c.Check(inner, m)...)
				}
			}
		}
	}
	sort.Strings(bad)
	return bad
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// CheckValues reports every property of body (recursively) that typeName does not declare,
// whose JSON value does not fit its declared type (Edm.String, Edm.Guid, Edm.Boolean,
// Edm.Int32, Edm.DateTimeOffset, Edm.Binary, enums, collections, complex types), or that is
// null where the CSDL says Nullable="false". Instance annotations (@odata.*) are skipped.
func (s *Schema) CheckValues(typeName string, body map[string]any) []string {
	var bad []string
	props, ok := s.Props[typeName]
	if !ok {
		return []string{"type " + typeName + " is not in the CSDL"}
	}
	for k, v := range body {
		if strings.HasPrefix(k, "@") || strings.Contains(k, "@odata.") {
			continue
		}
		t, ok := props[k]
		if !ok {
			bad = append(bad, typeName+"."+k+": not declared")
			continue
		}
		if v == nil {
			if !s.Nullable[typeName][k] {
				bad = append(bad, typeName+"."+k+": null, but the CSDL says Nullable=\"false\"")
			}
			continue
		}
		bad = append(bad, s.checkValue(typeName+"."+k, t, v)...)
	}
	sort.Strings(bad)
	return bad
}

func (s *Schema) checkValue(where, t string, v any) []string {
	wrong := []string{fmt.Sprintf("%s: %T value does not fit %s", where, v, t)}
	if inner, ok := strings.CutPrefix(t, "Collection("); ok {
		arr, ok := v.([]any)
		if !ok {
			return wrong
		}
		var bad []string
		for i, e := range arr {
			if e == nil {
				bad = append(bad, fmt.Sprintf("%s[%d]: null in a collection", where, i))
				continue
			}
			bad = append(bad, s.checkValue(fmt.Sprintf("%s[%d]", where, i), strings.TrimSuffix(inner, ")"), e)...)
		}
		return bad
	}
	str, isStr := v.(string)
	switch t {
	case "Edm.String":
		if !isStr {
			return wrong
		}
	case "Edm.Guid":
		if !isStr || !guidRE.MatchString(str) {
			return wrong
		}
	case "Edm.Boolean":
		if _, ok := v.(bool); !ok {
			return wrong
		}
	case "Edm.Int32", "Edm.Int64", "Edm.Double":
		if _, ok := v.(float64); !ok {
			return wrong
		}
	case "Edm.DateTimeOffset":
		if _, err := time.Parse(time.RFC3339Nano, str); !isStr || err != nil {
			return wrong
		}
	case "Edm.Binary":
		if _, err := base64.StdEncoding.DecodeString(str); !isStr || err != nil {
			return wrong
		}
	case "Edm.Stream":
		return []string{where + ": a stream property is never inline in JSON"}
	default:
		name := strings.TrimPrefix(t, "graph.")
		if members, ok := s.Enums[name]; ok {
			for _, m := range strings.Split(str, ",") {
				if !isStr || !containsFold(members, strings.TrimSpace(m)) {
					return wrong
				}
			}
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			return wrong
		}
		if _, known := s.Props[name]; !known {
			return nil // a type outside the subset: its inside is not checked
		}
		var bad []string
		for _, b := range s.CheckValues(name, m) {
			bad = append(bad, where+" > "+b)
		}
		return bad
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
