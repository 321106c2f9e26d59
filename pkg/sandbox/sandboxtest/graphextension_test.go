package sandboxtest

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func subsetPath(t *testing.T) string {
	return filepath.Join(ContractsDir(t), "graph", "graph-v1.0-csdl-subset.xml")
}

var sourceRE = regexp.MustCompile(`^github\.com/microsoftgraph/msgraph-metadata (schemas/v1\.0-[A-Za-z]+\.csdl|clean_v10_metadata/[A-Za-z0-9.]+\.xml) @ [0-9a-f]{40}$`)

// rootElement is the name of the one element an extension XML fragment holds.
func rootElement(fragment string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(fragment))
	var roots []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots = append(roots, el.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && strings.TrimSpace(string(el)) != "" {
				return "", fmt.Errorf("text outside the element: %q", strings.TrimSpace(string(el)))
			}
		}
	}
	if depth != 0 || len(roots) != 1 {
		return "", fmt.Errorf("%d top-level elements (depth %d at the end), want exactly one well-formed element", len(roots), depth)
	}
	return roots[0], nil
}

// TestGraphExtensionIsCSDL: every element of the extension names its source in
// msgraph-metadata at a commit, is one well-formed CSDL element of the kind its place allows,
// and, folded into the subset, refers only to what the subset declares: entity sets of entity
// types keyed by id, alternate keys on Edm.String properties, actions bound to and taking types
// of the subset.
func TestGraphExtensionIsCSDL(t *testing.T) {
	allowed := map[string]string{"EntityContainer": "EntitySet", "EntityType": "Annotation", "Schema": "Action"}
	for i, e := range GraphExtension {
		if !sourceRE.MatchString(e.Source) {
			t.Errorf("element %d: source %q is not a file of microsoftgraph/msgraph-metadata at a commit", i, e.Source)
		}
		root, err := rootElement(e.XML)
		if err != nil {
			t.Errorf("element %d (%s): %v", i, e.In, err)
			continue
		}
		kind, _, _ := strings.Cut(e.In, " ")
		if allowed[kind] != root {
			t.Errorf("element %d: a %s in %q; that place takes a %s", i, root, e.In, allowed[kind])
		}
	}

	s, err := LoadGraphSchema(subsetPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.EntitySets) == 0 || len(s.AlternateKeys) == 0 || len(s.Actions) == 0 {
		t.Fatalf("the extension added %d entity sets, %d types with alternate keys, %d actions",
			len(s.EntitySets), len(s.AlternateKeys), len(s.Actions))
	}
	for set, typ := range s.EntitySets {
		if !s.Entities[typ] || len(s.Keys[typ]) != 1 || s.Keys[typ][0] != "id" {
			t.Errorf("entity set %s: %s is not an entity type of the subset keyed by id (keys %v)", set, typ, s.Keys[typ])
		}
	}
	for typ, keys := range s.AlternateKeys {
		if !s.Entities[typ] {
			t.Errorf("alternate keys on %s, which is no entity type of the subset", typ)
		}
		for _, k := range keys {
			for _, part := range k {
				if part.Alias == "" || s.Props[typ][part.Property] != "Edm.String" {
					t.Errorf("alternate key %s.%s (alias %q) is not an Edm.String property of the subset", typ, part.Property, part.Alias)
				}
			}
		}
	}
	known := func(typ string) bool {
		typ = strings.TrimSuffix(strings.TrimPrefix(typ, "Collection("), ")")
		_, ok := s.Props[typ]
		return ok || strings.HasPrefix(typ, "Edm.")
	}
	for name, overloads := range s.Actions {
		for _, a := range overloads {
			if !s.Entities[a.Bound] {
				t.Errorf("action %s is bound to %q, no entity type of the subset", name, a.Bound)
			}
			for _, p := range a.Params {
				if !known(p.Type) {
					t.Errorf("action %s: parameter %s of type %s, which the subset does not declare", name, p.Name, p.Type)
				}
			}
			if a.Returns != "" && !known(a.Returns) {
				t.Errorf("action %s returns %s, which the subset does not declare", name, a.Returns)
			}
		}
	}
}

// exerciseOf is an exchange that needs exactly the fact element e adds: accepted with the whole
// extension, refused without e.
func exerciseOf(t *testing.T, s *Schema, e ExtensionElement) GraphExchange {
	t.Helper()
	setOf := func(typ string) string {
		for set, ty := range s.EntitySets {
			if ty == typ {
				return set
			}
		}
		t.Fatalf("no entity set of %s in the extension", typ)
		return ""
	}
	const id = "0f4b6a52-8c1d-4e7f-a3b9-2d5c6e7f8a91"
	var el struct {
		XMLName xml.Name
		Name    string `xml:"Name,attr"`
		Params  []struct {
			Type string `xml:"Type,attr"`
		} `xml:"Parameter"`
		Records []struct {
			Values []struct {
				Refs []struct {
					Values []struct {
						String string `xml:"String,attr"`
					} `xml:"PropertyValue"`
				} `xml:"Collection>Record"`
			} `xml:"PropertyValue"`
		} `xml:"Collection>Record"`
	}
	if err := xml.Unmarshal([]byte(e.XML), &el); err != nil {
		t.Fatal(err)
	}
	switch el.XMLName.Local {
	case "EntitySet":
		return GraphExchange{Method: "GET", Path: "/v1.0/" + el.Name, Status: 200, RespBody: []byte(`{"value":[]}`)}
	case "Annotation":
		typ := strings.TrimPrefix(e.In, "EntityType ")
		alias := el.Records[len(el.Records)-1].Values[0].Refs[0].Values[0].String
		return GraphExchange{Method: "GET", Path: "/v1.0/" + setOf(typ) + "(" + alias + "='x')", Status: 200,
			RespBody: []byte(`{"id":"` + id + `"}`)}
	case "Action":
		bound := localName(el.Params[0].Type)
		x := GraphExchange{Method: "POST", Path: "/v1.0/" + setOf(bound) + "/" + id + "/" + el.Name}
		a, _ := s.boundAction(el.Name, bound, false)
		body := map[string]string{}
		for _, p := range a.Params {
			if p.NonNull && p.Type == "Edm.Guid" {
				body[p.Name] = `"` + id + `"`
			}
		}
		var parts []string
		for k, v := range body {
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		}
		x.ReqBody = []byte("{" + strings.Join(parts, ",") + "}")
		if a.Returns != "" {
			x.Status, x.RespBody = 200, []byte(`{}`)
		} else {
			x.Status = 204
		}
		return x
	}
	t.Fatalf("no exercise for a %s", el.XMLName.Local)
	return GraphExchange{}
}

// TestCheckerKnowsOnlyTheExtension: each element of the extension is what lets the checker
// accept the exchange that uses it; without the element the same exchange is refused. So the
// checker accepts no entity set, alternate key or action that is not copied from the real CSDL.
func TestCheckerKnowsOnlyTheExtension(t *testing.T) {
	full, err := LoadGraphSchema(subsetPath(t))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range GraphExtension {
		x := exerciseOf(t, full, e)
		if _, bad := CheckGraphExchange(full, x); len(bad) > 0 {
			t.Errorf("element %d (%s): %s %s refused with the whole extension: %q", i, e.In, x.Method, x.Path, bad)
		}
		rest := append(append([]ExtensionElement(nil), GraphExtension[:i]...), GraphExtension[i+1:]...)
		without, err := loadWithExtension(subsetPath(t), rest)
		if err != nil {
			t.Fatal(err)
		}
		if _, bad := CheckGraphExchange(without, x); len(bad) == 0 {
			t.Errorf("element %d (%s): %s %s is still accepted without it, so the checker knows it from elsewhere", i, e.In, x.Method, x.Path)
		}
	}
}
