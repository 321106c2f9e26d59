package identityemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/pkg/identity"
)

// rfcServer is a bare HTTP view of the SCIM server, to check answers byte for byte against
// RFC 7643/7644 rather than through flowsctl's own client.
type rfcServer struct {
	t    *testing.T
	base string
	tok  string
	hc   *http.Client
}

func startRFC(t *testing.T) *rfcServer {
	t.Helper()
	sb, emu, _, hc := start(t)
	return &rfcServer{t: t, base: sb.Services["identity"].URL + identity.SCIMPath,
		tok: emu.IssueSCIMToken("D", "example.com", time.Hour), hc: hc.HTTPClient()}
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// doAuth sends body (JSON text, may be empty) with the given Authorization header value.
func (s *rfcServer) doAuth(method, path, body, auth string) answer {
	s.t.Helper()
	return s.send(method, path, body, map[string]string{"Authorization": auth})
}

// send sends body (JSON text, may be empty) with the headers that have a value.
func (s *rfcServer) send(method, path, body string, headers map[string]string) answer {
	s.t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &a.body)
	return a
}

func (s *rfcServer) do(method, path, body string) answer {
	s.t.Helper()
	return s.doAuth(method, path, body, "Bearer "+s.tok)
}

// must is do that fails the test unless the status is want; it returns the body.
func (s *rfcServer) must(want int, method, path, body string) map[string]any {
	s.t.Helper()
	a := s.do(method, path, body)
	if a.status != want {
		s.t.Fatalf("%s %s %s: want %d, got %d %s", method, path, body, want, a.status, a.raw)
	}
	return a.body
}

const (
	coreUser  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]`
	coreGroup = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]`
	patchOp   = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
	searchReq = `"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]`
)

func (s *rfcServer) user(name, emails string) string {
	s.t.Helper()
	body := `{` + coreUser + `,"userName":"` + name + `"`
	if emails != "" {
		body += `,"emails":` + emails
	}
	return s.must(201, "POST", "/Users", body+`}`)["id"].(string)
}

func emailsOf(t *testing.T, u map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	list, _ := u["emails"].([]any)
	for _, el := range list {
		out = append(out, el.(map[string]any))
	}
	return out
}

func scimTypeOf(a answer) string { s, _ := a.body["scimType"].(string); return s }

// RFC 7235 §3.1 (which RFC 7644 §2 builds on): a 401 carries WWW-Authenticate naming the
// scheme; the server's one scheme is the bearer token.
func TestRFC401CarriesWWWAuthenticate(t *testing.T) {
	s := startRFC(t)
	for _, tc := range []struct{ name, auth string }{
		{"no Authorization", ""},
		{"unknown token", "Bearer not-a-token"},
		{"empty bearer", "Bearer "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.doAuth("GET", "/Users", "", tc.auth)
			if a.status != 401 {
				t.Fatalf("want 401, got %d %s", a.status, a.raw)
			}
			if h := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
				t.Fatalf("WWW-Authenticate %q: want the Bearer scheme", h)
			}
		})
	}
}

// RFC 7643 §2.4: primary "true" appears at most once in a multi-valued attribute; RFC 7644
// §3.5.2: a PATCH that makes a new value primary unsets the old one.
func TestRFCAtMostOnePrimary(t *testing.T) {
	s := startRFC(t)
	twoPrimaries := `[{"value":"a@example.com","type":"work","primary":true},{"value":"b@example.com","type":"home","primary":true}]`
	for _, tc := range []struct {
		name        string
		method, via string // how the second primary arrives
		body        string
		wantStatus  int
		wantPrimary string // the one primary value afterwards ("" when the request fails)
	}{
		{"create with two primaries", "POST", "/Users", `{` + coreUser + `,"userName":"two@example.com","emails":` + twoPrimaries + `}`, 400, ""},
		{"replace with two primaries", "PUT", "/Users/{id}", `{` + coreUser + `,"userName":"{name}","emails":` + twoPrimaries + `}`, 400, ""},
		{"patch add a new primary", "PATCH", "/Users/{id}", `{` + patchOp + `,"Operations":[{"op":"add","path":"emails","value":[{"value":"new@example.com","type":"home","primary":true}]}]}`, 200, "new@example.com"},
		{"patch mark another value primary", "PATCH", "/Users/{id}", `{` + patchOp + `,"Operations":[{"op":"replace","path":"emails[type eq \"other\"].primary","value":true}]}`, 200, "other@example.com"},
		{"patch replace through a filter with a primary value", "PATCH", "/Users/{id}", `{` + patchOp + `,"Operations":[{"op":"replace","path":"emails[type eq \"other\"]","value":{"value":"o2@example.com","primary":true}}]}`, 200, "o2@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-") + "@example.com"
			id := s.user(name, `[{"value":"`+name+`","type":"work","primary":true},{"value":"other@example.com","type":"other"}]`)
			path := strings.ReplaceAll(tc.via, "{id}", id)
			body := strings.ReplaceAll(tc.body, "{name}", name)
			a := s.do(tc.method, path, body)
			if a.status != tc.wantStatus {
				t.Fatalf("want %d, got %d %s", tc.wantStatus, a.status, a.raw)
			}
			if tc.wantStatus == 400 {
				if scimTypeOf(a) != "invalidValue" {
					t.Fatalf("scimType %q, want invalidValue", scimTypeOf(a))
				}
				return
			}
			got := s.must(200, "GET", "/Users/"+id, "")
			var primaries []string
			for _, e := range emailsOf(t, got) {
				if e["primary"] == true {
					primaries = append(primaries, e["value"].(string))
				}
			}
			if len(primaries) != 1 || primaries[0] != tc.wantPrimary {
				t.Fatalf("primary values %v, want just %s (emails %v)", primaries, tc.wantPrimary, got["emails"])
			}
		})
	}
}

// RFC 7643 §2.4: a (type, value) pair appears once in a multi-valued attribute; RFC 7644
// §3.5.2.1: adding a value the attribute already holds changes nothing.
func TestRFCNoDuplicateTypeValuePairs(t *testing.T) {
	s := startRFC(t)
	for _, tc := range []struct {
		name   string
		emails string // at create
		patch  string // an add operation's value, or ""
		want   int    // emails stored afterwards
	}{
		{"create repeats a pair", `[{"value":"a@example.com","type":"work"},{"value":"a@example.com","type":"work"}]`, "", 1},
		{"create repeats a pair with the type in another case", `[{"value":"a@example.com","type":"work"},{"value":"a@example.com","type":"Work"}]`, "", 1},
		{"same value with another type is kept", `[{"value":"a@example.com","type":"work"},{"value":"a@example.com","type":"home"}]`, "", 2},
		{"patch adds a pair already held", `[{"value":"a@example.com","type":"work"}]`, `[{"value":"a@example.com","type":"work"}]`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := strings.ReplaceAll(tc.name, " ", "-") + "@example.com"
			id := s.user(name, tc.emails)
			if tc.patch != "" {
				s.must(200, "PATCH", "/Users/"+id, `{`+patchOp+`,"Operations":[{"op":"add","path":"emails","value":`+tc.patch+`}]}`)
			}
			got := s.must(200, "GET", "/Users/"+id, "")
			if n := len(emailsOf(t, got)); n != tc.want {
				t.Fatalf("%d emails stored, want %d: %v", n, tc.want, got["emails"])
			}
		})
	}
}

// RFC 7644 §3.5.2.3: replace through a value filter that selects nothing is 400 noTarget.
func TestRFCPatchReplaceNoTarget(t *testing.T) {
	s := startRFC(t)
	uid := s.user("nt@example.com", `[{"value":"nt@example.com","type":"work","primary":true}]`)
	gid := s.must(201, "POST", "/Groups", `{`+coreGroup+`,"displayName":"NoTarget","members":[{"value":"`+uid+`"}]}`)["id"].(string)
	for _, tc := range []struct {
		name, path, op string
		wantStatus     int
		wantType       string
	}{
		{"user: filter selects no email", "/Users/" + uid, `{"op":"replace","path":"emails[type eq \"home\"].value","value":"h@example.com"}`, 400, "noTarget"},
		{"user: filter selects no value object", "/Users/" + uid, `{"op":"replace","path":"emails[value eq \"none@example.com\"]","value":{"value":"x@example.com"}}`, 400, "noTarget"},
		{"group: filter selects no member", "/Groups/" + gid, `{"op":"replace","path":"members[value eq \"no-such-id\"]","value":[{"value":"` + uid + `"}]}`, 400, "noTarget"},
		{"user: filter selects the work email", "/Users/" + uid, `{"op":"replace","path":"emails[type eq \"work\"].value","value":"nt2@example.com"}`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := s.do("PATCH", tc.path, `{`+patchOp+`,"Operations":[`+tc.op+`]}`)
			if a.status/100 != tc.wantStatus/100 || scimTypeOf(a) != tc.wantType {
				t.Fatalf("want %d %q, got %d %s", tc.wantStatus, tc.wantType, a.status, a.raw)
			}
		})
	}
	// A failed PATCH changes nothing.
	got := s.must(200, "GET", "/Users/"+uid, "")
	if e := emailsOf(t, got); len(e) != 1 || e[0]["value"] != "nt2@example.com" {
		t.Fatalf("emails after the PATCHes: %v", got["emails"])
	}
	// RFC 7644 §3.5.2: a PATCH is atomic, so operations before the failing one are undone too.
	ops := `{"op":"replace","path":"displayName","value":"Renamed"},{"op":"remove","path":"members"},` +
		`{"op":"replace","path":"members[value eq \"no-such-id\"]","value":[{"value":"` + uid + `"}]}`
	if a := s.do("PATCH", "/Groups/"+gid, `{`+patchOp+`,"Operations":[`+ops+`]}`); a.status != 400 || scimTypeOf(a) != "noTarget" {
		t.Fatalf("group PATCH ending in noTarget: %d %s", a.status, a.raw)
	}
	g := s.must(200, "GET", "/Groups/"+gid, "")
	if ms, _ := g["members"].([]any); g["displayName"] != "NoTarget" || len(ms) != 1 {
		t.Fatalf("a failed group PATCH changed the group: %v", g)
	}
	if a := s.do("POST", "/Groups", `{`+coreGroup+`,"displayName":"Renamed"}`); a.status != 201 {
		t.Fatalf("the undone rename still holds the name: %d %s", a.status, a.raw)
	}
}

// RFC 7644 §3.4.3 and §3.4.2.1: POST /.search on each resource type and at the root, and GET
// at the root, answer ListResponses; the ServiceProviderConfig says filtering is supported.
func TestRFCSearchAndRootQueries(t *testing.T) {
	s := startRFC(t)
	uid := s.user("find@example.com", "")
	s.user("other@example.com", "")
	s.must(201, "POST", "/Groups", `{`+coreGroup+`,"displayName":"Finders","members":[{"value":"`+uid+`"}]}`)
	for _, tc := range []struct {
		name, method, path, body string
		wantTotal                int
		wantType                 string // meta.resourceType of the first resource
	}{
		{"users .search", "POST", "/Users/.search", `{` + searchReq + `,"filter":"userName eq \"find@example.com\""}`, 1, "User"},
		{"groups .search", "POST", "/Groups/.search", `{` + searchReq + `,"filter":"displayName eq \"Finders\"","excludedAttributes":["members"]}`, 1, "Group"},
		{"users .search without filter", "POST", "/Users/.search", `{` + searchReq + `}`, 2, "User"},
		{"root .search by userName", "POST", "/.search", `{` + searchReq + `,"filter":"userName eq \"find@example.com\""}`, 1, "User"},
		{"root .search by displayName", "POST", "/.search", `{` + searchReq + `,"filter":"displayName eq \"Finders\""}`, 1, "Group"},
		{"root GET without filter", "GET", "/", "", 3, "User"},
		{"root GET with filter", "GET", "/?filter=userName+sw+%22other%22", "", 1, "User"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.must(200, tc.method, tc.path, tc.body)
			if n, _ := got["totalResults"].(float64); int(n) != tc.wantTotal {
				t.Fatalf("totalResults %v, want %d: %v", got["totalResults"], tc.wantTotal, got)
			}
			res, _ := got["Resources"].([]any)
			if len(res) == 0 {
				t.Fatalf("no Resources: %v", got)
			}
			first := res[0].(map[string]any)
			meta, _ := first["meta"].(map[string]any)
			if meta["resourceType"] != tc.wantType || first["schemas"] == nil {
				t.Fatalf("first resource %v: want a %s with schemas", first, tc.wantType)
			}
			if strings.Contains(tc.body, "excludedAttributes") && first["members"] != nil {
				t.Fatalf("excludedAttributes members ignored: %v", first)
			}
		})
	}
	if a := s.do("POST", "/.search", `{`+searchReq+`,"filter":"noSuchAttribute eq \"x\""}`); a.status != 400 || scimTypeOf(a) != "invalidFilter" {
		t.Fatalf("root filter valid for no resource type: want 400 invalidFilter, got %d %s", a.status, a.raw)
	}
	spc := s.must(200, "GET", "/ServiceProviderConfig", "")
	if f, _ := spc["filter"].(map[string]any); f["supported"] != true {
		t.Fatalf("ServiceProviderConfig filter %v: searches work, so filter.supported must be true", spc["filter"])
	}
	if b, _ := spc["bulk"].(map[string]any); b["supported"] != false {
		t.Fatalf("ServiceProviderConfig bulk %v: there is no /Bulk", spc["bulk"])
	}
	if a := s.do("POST", "/Bulk", `{}`); a.status < 400 {
		t.Fatalf("/Bulk is declared unsupported but answered %d", a.status)
	}
}

// RFC 7643 §4.2: a Group needs only the core schema; its members are optional.
func TestRFCMinimalCoreGroup(t *testing.T) {
	s := startRFC(t)
	uid := s.user("m@example.com", "")
	for _, tc := range []struct {
		name, body  string
		wantMembers int
	}{
		{"core schema and displayName", `{` + coreGroup + `,"displayName":"Only Core"}`, 0},
		{"core schema, displayName and members", `{` + coreGroup + `,"displayName":"Core With Members","members":[{"value":"` + uid + `"}]}`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.must(201, "POST", "/Groups", tc.body)
			back := s.must(200, "GET", "/Groups/"+got["id"].(string), "")
			if ms, _ := back["members"].([]any); len(ms) != tc.wantMembers {
				t.Fatalf("members %v, want %d", back["members"], tc.wantMembers)
			}
		})
	}
}

// The deviations docs/sandbox.md lists for the SCIM server, each kept because a real client
// relies on it.
func TestKeptDeviations(t *testing.T) {
	s := startRFC(t)
	uid := s.user("dev@example.com", `[{"value":"dev@example.com","type":"work","primary":true}]`)
	t.Run("token without the Bearer scheme (Okta's Header Auth test app)", func(t *testing.T) {
		if a := s.doAuth("GET", "/Users", "", s.tok); a.status != 200 {
			t.Fatalf("want 200, got %d %s", a.status, a.raw)
		}
	})
	t.Run("add through a value filter that selects nothing creates the value (Entra)", func(t *testing.T) {
		s.must(200, "PATCH", "/Users/"+uid, `{`+patchOp+`,"Operations":[{"op":"Add","path":"emails[type eq \"home\"].value","value":"h@example.com"}]}`)
		got := s.must(200, "GET", "/Users/"+uid, "")
		var home []string
		for _, e := range emailsOf(t, got) {
			if e["type"] == "home" {
				home = append(home, e["value"].(string))
			}
		}
		if len(home) != 1 || home[0] != "h@example.com" {
			t.Fatalf("home emails %v (all: %v)", home, got["emails"])
		}
	})
	t.Run("boolean strings (Entra)", func(t *testing.T) {
		s.must(200, "PATCH", "/Users/"+uid, `{`+patchOp+`,"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
		if got := s.must(200, "GET", "/Users/"+uid, ""); got["active"] != false {
			t.Fatalf("active %v, want false", got["active"])
		}
	})
}
