package sandboxtest

// The Graph contract's extension of the shared CSDL subset. The subset
// (../shared/contracts/graph/graph-v1.0-csdl-subset.xml) holds the types reachable from
// application, servicePrincipal and oAuth2PermissionGrant but nothing else of the document:
// no EntityContainer, no alternate keys (annotations were dropped), no actions. A Graph request
// names all three (POST /v1.0/applications(uniqueName='…')/addPassword), so the contract needs
// them, and takes each from Microsoft Graph's full v1.0 CSDL, element by element, as XML.

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// GraphCSDLSource is where every element of GraphExtension was copied from: the production
// v1.0 CSDL in Microsoft's msgraph-metadata repository at a fixed commit.
const GraphCSDLSource = "github.com/microsoftgraph/msgraph-metadata schemas/v1.0-Prod.csdl @ 03244d6fdd8ba496b9580136ab08a07912223a63"

// ExtensionElement is one CSDL element copied from the full Graph CSDL: where it stands there
// (In: "EntityContainer GraphService", "EntityType application" for an annotation of that type,
// or "Schema microsoft.graph"), the element's XML as it stands (re-indented, and an entity set's
// NavigationPropertyBinding children left out: the contract checks no navigation) and its source.
type ExtensionElement struct {
	In, XML, Source string
}

// GraphExtension is everything the contract knows of Graph v1.0 beyond the subset's types.
// Add to it only by copying an element from the real CSDL, with its source: a fact that is
// not here is one the checker refuses (an entity set, an alternate key, an action).
var GraphExtension = []ExtensionElement{
	// The entity sets flowsctl and az address.
	{In: "EntityContainer GraphService", Source: GraphCSDLSource, XML: `
        <EntitySet Name="applications" EntityType="microsoft.graph.application" />`},
	{In: "EntityContainer GraphService", Source: GraphCSDLSource, XML: `
        <EntitySet Name="oauth2PermissionGrants" EntityType="microsoft.graph.oAuth2PermissionGrant" />`},
	{In: "EntityContainer GraphService", Source: GraphCSDLSource, XML: `
        <EntitySet Name="servicePrincipals" EntityType="microsoft.graph.servicePrincipal" />`},

	// The alternate keys: the last child of each EntityType element (msgraph-sdk-go generates
	// ApplicationsWithAppId, ApplicationsWithUniqueName and ServicePrincipalsWithAppId from them).
	{In: "EntityType application", Source: GraphCSDLSource, XML: `
        <Annotation Term="Org.OData.Core.V1.AlternateKeys">
          <Collection>
            <Record Type="Org.OData.Core.V1.AlternateKey">
              <PropertyValue Property="Key">
                <Collection>
                  <Record Type="Org.OData.Core.V1.PropertyRef">
                    <PropertyValue Property="Alias" String="appId" />
                    <PropertyValue Property="Name" PropertyPath="appId" />
                  </Record>
                </Collection>
              </PropertyValue>
            </Record>
            <Record Type="Org.OData.Core.V1.AlternateKey">
              <PropertyValue Property="Key">
                <Collection>
                  <Record Type="Org.OData.Core.V1.PropertyRef">
                    <PropertyValue Property="Alias" String="uniqueName" />
                    <PropertyValue Property="Name" PropertyPath="uniqueName" />
                  </Record>
                </Collection>
              </PropertyValue>
            </Record>
          </Collection>
        </Annotation>`},
	{In: "EntityType servicePrincipal", Source: GraphCSDLSource, XML: `
        <Annotation Term="Org.OData.Core.V1.AlternateKeys">
          <Collection>
            <Record Type="Org.OData.Core.V1.AlternateKey">
              <PropertyValue Property="Key">
                <Collection>
                  <Record Type="Org.OData.Core.V1.PropertyRef">
                    <PropertyValue Property="Alias" String="appId" />
                    <PropertyValue Property="Name" PropertyPath="appId" />
                  </Record>
                </Collection>
              </PropertyValue>
            </Record>
          </Collection>
        </Annotation>`},

	// The bound actions of secret rotation (flowsctl rotate teams-secret, az ad app credential
	// reset), each with both overloads the CSDL declares.
	{In: "Schema microsoft.graph", Source: GraphCSDLSource, XML: `
      <Action Name="addPassword" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.application" Nullable="false" />
        <Parameter Name="passwordCredential" Type="graph.passwordCredential" />
        <ReturnType Type="graph.passwordCredential" Nullable="false" />
      </Action>`},
	{In: "Schema microsoft.graph", Source: GraphCSDLSource, XML: `
      <Action Name="addPassword" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.servicePrincipal" Nullable="false" />
        <Parameter Name="passwordCredential" Type="graph.passwordCredential" />
        <ReturnType Type="graph.passwordCredential" Nullable="false" />
      </Action>`},
	{In: "Schema microsoft.graph", Source: GraphCSDLSource, XML: `
      <Action Name="removePassword" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.application" Nullable="false" />
        <Parameter Name="keyId" Type="Edm.Guid" Nullable="false" />
      </Action>`},
	{In: "Schema microsoft.graph", Source: GraphCSDLSource, XML: `
      <Action Name="removePassword" IsBound="true">
        <Parameter Name="bindingParameter" Type="graph.servicePrincipal" Nullable="false" />
        <Parameter Name="keyId" Type="Edm.Guid" Nullable="false" />
      </Action>`},
}

// ExtensionDocument assembles elements into one CSDL Schema document: entity sets inside their
// EntityContainer, a type's annotations in an Annotations element targeting the type (the
// out-of-line form CSDL allows for any inline annotation), schema children as they are.
func ExtensionDocument(elems []ExtensionElement) (string, error) {
	var containers, annotations, schema []string
	group := map[string][]string{}
	for i, e := range elems {
		kind, name, _ := strings.Cut(e.In, " ")
		switch {
		case kind == "EntityContainer" && name != "":
			if group["c:"+name] == nil {
				containers = append(containers, name)
			}
			group["c:"+name] = append(group["c:"+name], e.XML)
		case kind == "EntityType" && name != "":
			if group["t:"+name] == nil {
				annotations = append(annotations, name)
			}
			group["t:"+name] = append(group["t:"+name], e.XML)
		case kind == "Schema" && name == "microsoft.graph":
			schema = append(schema, e.XML)
		default:
			return "", fmt.Errorf("extension element %d: In %q is none of EntityContainer NAME, EntityType NAME, Schema microsoft.graph", i, e.In)
		}
	}
	var b strings.Builder
	b.WriteString(`<Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">`)
	for _, c := range containers {
		fmt.Fprintf(&b, "\n<EntityContainer Name=%q>%s\n</EntityContainer>", c, strings.Join(group["c:"+c], ""))
	}
	for _, t := range annotations {
		fmt.Fprintf(&b, "\n<Annotations Target=%q>%s\n</Annotations>", "microsoft.graph."+t, strings.Join(group["t:"+t], ""))
	}
	b.WriteString(strings.Join(schema, ""))
	b.WriteString("\n</Schema>\n")
	return b.String(), nil
}

// LoadGraphSchema reads the Graph CSDL subset at path and folds GraphExtension into it: the
// one CSDL-shaped structure CheckGraphExchange judges Graph traffic by.
func LoadGraphSchema(path string) (*Schema, error) {
	return loadWithExtension(path, GraphExtension)
}

func loadWithExtension(path string, ext []ExtensionElement) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	subset, err := readCSDL(b, path)
	if err != nil {
		return nil, err
	}
	x, err := ExtensionDocument(ext)
	if err != nil {
		return nil, err
	}
	extra, err := readCSDL([]byte(x), "the Graph CSDL extension")
	if err != nil {
		return nil, err
	}
	return buildSchema(subset, extra), nil
}

// hasAlternateKey reports whether typ declares a one-property alternate key with that alias.
func (s *Schema) hasAlternateKey(typ, alias string) bool {
	for _, k := range s.AlternateKeys[typ] {
		if len(k) == 1 && k[0].Alias == alias {
			return true
		}
	}
	return false
}

// boundAction finds the overload of name bound to typ (or to a base type of typ), to one
// entity or, when toSet, to the collection.
func (s *Schema) boundAction(name, typ string, toSet bool) (Action, bool) {
	for t := typ; t != ""; t = s.Base[t] {
		for _, a := range s.Actions[name] {
			if a.Bound == t && a.BoundToSet == toSet {
				return a, true
			}
		}
	}
	return Action{}, false
}

// checkActionCall judges a request that invokes action on typ (toSet: on the entity set rather
// than on one entity): the CSDL must declare an overload bound there, the method is POST, and the
// body carries only the overload's parameters, each of its type, none of the non-nullable ones
// missing or null.
func (s *Schema) checkActionCall(action, typ string, toSet bool, method string, body map[string]any) []string {
	a, ok := s.boundAction(action, typ, toSet)
	if !ok {
		where := "a single " + typ
		if toSet {
			where = "the collection of " + typ
		}
		return []string{action + " is not an action the CSDL (subset and extension) binds to " + where}
	}
	var bad []string
	if method != http.MethodPost {
		bad = append(bad, action+" is an action: it is invoked with POST, not "+method)
	}
	params := map[string]Param{}
	for _, p := range a.Params {
		params[p.Name] = p
		if v, sent := body[p.Name]; p.NonNull && (!sent || v == nil) {
			bad = append(bad, action+" needs its parameter "+p.Name+" (Nullable=\"false\")")
		}
	}
	for k, v := range body {
		p, ok := params[k]
		switch {
		case !ok:
			bad = append(bad, action+" has no parameter "+k)
		case v != nil:
			bad = append(bad, s.checkValue(action+"."+k, p.Type, v)...)
		}
	}
	return bad
}

// checkActionAnswer judges an action's answer (ans nil: no body) by the overload's ReturnType.
func (s *Schema) checkActionAnswer(action, typ string, toSet bool, ans map[string]any) []string {
	a, ok := s.boundAction(action, typ, toSet)
	if !ok {
		return nil // the request was already reported
	}
	switch {
	case a.Returns == "" && ans != nil:
		return []string{action + " returns nothing in the CSDL, but the answer has a body"}
	case a.Returns == "":
		return nil
	case ans == nil:
		if a.ReturnsNonNull {
			return []string{action + " answered without a body, but its ReturnType " + a.Returns + " is Nullable=\"false\""}
		}
		return nil
	case strings.HasPrefix(a.Returns, "Edm.") || strings.HasPrefix(a.Returns, "Collection("):
		// OData wraps a primitive or collection result in {"value": ...}.
		v, ok := ans["value"]
		if !ok {
			return []string{action + " returns " + a.Returns + ": the answer has no value"}
		}
		return s.checkValue(action+" value", a.Returns, v)
	default:
		return s.CheckValues(a.Returns, ans)
	}
}
