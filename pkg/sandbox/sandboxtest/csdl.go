package sandboxtest

import (
	"encoding/xml"
	"fmt"
	"os"
	"sort"
	"strings"
)

// CSDL is the property table of a Graph CSDL document: type name -> property -> type, with
// base types folded in. Contract tests use it to hold the emulator and the client to Graph's
// published metadata.
type CSDL map[string]map[string]string

// LoadCSDL reads a CSDL (Schema) file such as ../shared/contracts/graph/graph-v1.0-csdl-subset.xml.
func LoadCSDL(path string) (CSDL, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type prop struct {
		Name string `xml:"Name,attr"`
		Type string `xml:"Type,attr"`
	}
	type typ struct {
		Name     string `xml:"Name,attr"`
		BaseType string `xml:"BaseType,attr"`
		Props    []prop `xml:"Property"`
	}
	var doc struct {
		Entities []typ `xml:"EntityType"`
		Complex  []typ `xml:"ComplexType"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw := map[string]typ{}
	for _, t := range append(doc.Entities, doc.Complex...) {
		raw[t.Name] = t
	}
	out := CSDL{}
	for name := range raw {
		m := map[string]string{}
		for t, ok := raw[name], true; ok; t, ok = raw[strings.TrimPrefix(t.BaseType, "graph.")] {
			for _, p := range t.Props {
				if _, seen := m[p.Name]; !seen {
					m[p.Name] = p.Type
				}
			}
			if t.BaseType == "" {
				break
			}
		}
		out[name] = m
	}
	return out, nil
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
