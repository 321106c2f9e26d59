package entraemu_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox/entraemu"
)

// names are the displayNames of a list answer, in order.
func names(m map[string]any) []string {
	var out []string
	vals, _ := m["value"].([]any)
	for _, v := range vals {
		o, _ := v.(map[string]any)
		s, _ := o["displayName"].(string)
		out = append(out, s)
	}
	return out
}

// TestGraphODataQueries: the $filter, $orderby, $count, $search, $top and paging that Graph
// supports on applications, servicePrincipals and oauth2PermissionGrants work, and what Graph
// refuses (or allows only in advanced queries) gets Graph's 400.
func TestGraphODataQueries(t *testing.T) {
	f := start(t)
	_, tk := f.token(entraemu.SignInClientID, f.sts.SignInSecret())
	tok := tk["access_token"].(string)
	for _, body := range []string{
		`{"displayName":"Alpha app","identifierUris":["api://alpha"],"tags":["blue"],"description":"first one"}`,
		`{"displayName":"Beta app","signInAudience":"AzureADMultipleOrgs"}`,
		`{"displayName":"alphabet","tags":["green"]}`,
	} {
		if code, m := f.call(tok, "POST", "/v1.0/applications", body, false); code != 201 {
			t.Fatalf("create: %d %v", code, m)
		}
	}
	adv := []string{"ConsistencyLevel", "eventual"}
	tests := []struct {
		name, path string
		hdr        []string
		status     int
		code       string // error code, or "" for success
		want       string // displayNames joined by "|", checked when status is 200
		msg        string // part of the error message
	}{
		{"startswith is case-insensitive", "/v1.0/applications?$filter=startswith(displayName,'alpha')", nil, 200, "", "Alpha app|alphabet", ""},
		{"startsWith spelt with a capital", "/v1.0/applications?$filter=startsWith(displayName, 'Beta')", nil, 200, "", "Beta app", ""},
		{"in", "/v1.0/applications?$filter=displayName in ('Beta app', 'nope')", nil, 200, "", "Beta app", ""},
		{"or and parentheses", "/v1.0/applications?$filter=(displayName eq 'Alpha app' or displayName eq 'alphabet') and signInAudience eq 'AzureADMyOrg'", nil, 200, "", "Alpha app|alphabet", ""},
		{"any on a collection", "/v1.0/applications?$filter=identifierUris/any(x:x eq 'api://alpha')", nil, 200, "", "Alpha app", ""},
		{"any with startswith", "/v1.0/applications?$filter=tags/any(t:startswith(t,'gr'))", nil, 200, "", "alphabet", ""},
		{"eq null where Graph allows it", "/v1.0/applications?$filter=description eq null", nil, 200, "", "Beta app|alphabet", ""},
		{"collection without any", "/v1.0/applications?$filter=identifierUris eq 'api://alpha'", nil, 400, "Request_UnsupportedQuery", "", "property 'identifierUris' of resource 'Application'"},
		{"property Graph does not filter", "/v1.0/applications?$filter=notes eq 'x'", nil, 400, "Request_UnsupportedQuery", "", "property 'notes'"},
		{"eq null where Graph does not allow it", "/v1.0/applications?$filter=appId eq null", nil, 400, "Request_UnsupportedQuery", "", "property 'appId'"},
		{"endswith", "/v1.0/applications?$filter=endswith(displayName,'app')", nil, 400, "Request_UnsupportedQuery", "", "property 'displayName'"},
		{"ne needs an advanced query", "/v1.0/applications?$filter=displayName ne 'Beta app'", nil, 400, "Request_UnsupportedQuery", "", "Operator 'ne' is not supported"},
		{"ne needs $count=true too", "/v1.0/applications?$filter=displayName ne 'Beta app'", adv, 400, "Request_UnsupportedQuery", "", "Operator 'ne'"},
		{"ne in an advanced query", "/v1.0/applications?$filter=displayName ne 'Beta app'&$count=true", adv, 200, "", "Alpha app|alphabet", ""},
		{"not needs an advanced query", "/v1.0/applications?$filter=not startswith(displayName,'alpha')", nil, 400, "Request_UnsupportedQuery", "", "Operator 'not'"},
		{"not in an advanced query", "/v1.0/applications?$filter=not(startswith(displayName,'alpha'))&$count=true", adv, 200, "", "Beta app", ""},
		{"syntax error", "/v1.0/applications?$filter=displayName eq", nil, 400, "BadRequest", "", "Invalid filter clause"},
		{"orderby needs an advanced query", "/v1.0/applications?$orderby=displayName", nil, 400, "Request_UnsupportedQuery", "", "Sorting not supported"},
		{"orderby in an advanced query", "/v1.0/applications?$orderby=displayName desc&$count=true", adv, 200, "", "Beta app|alphabet|Alpha app", ""},
		{"orderby on a property Graph does not sort", "/v1.0/applications?$orderby=appId&$count=true", adv, 400, "Request_UnsupportedQuery", "", "Sorting not supported"},
		{"search needs ConsistencyLevel", `/v1.0/applications?$search="displayName:alpha"`, nil, 400, "Request_UnsupportedQuery", "", "ConsistencyLevel: eventual"},
		{"search", `/v1.0/applications?$search="displayName:alpha"`, adv, 200, "", "Alpha app|alphabet", ""},
		{"skip", "/v1.0/applications?$skip=1", nil, 400, "Request_BadRequest", "", "$skip"},
		{"top out of range", "/v1.0/applications?$top=1000", nil, 400, "Request_BadRequest", "", "between 1 and 999"},
		{"sp by servicePrincipalNames", "/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '" + entraemu.GraphAppID + "')", nil, 200, "", "Microsoft Graph", ""},
		{"entity set names are case-insensitive", "/v1.0/oAuth2PermissionGrants", nil, 200, "", "", ""},
		{"grants filter on eq only", "/v1.0/oauth2PermissionGrants?$filter=startswith(clientId,'a')", nil, 400, "Request_UnsupportedQuery", "", "resource 'OAuth2PermissionGrant'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, m := f.call(tok, "GET", tc.path, "", false, tc.hdr...)
			if code != tc.status || errCode(m) != tc.code {
				t.Fatalf("%s: %d %s, want %d %s (%v)", tc.path, code, errCode(m), tc.status, tc.code, m)
			}
			if code == 200 && strings.Join(names(m), "|") != tc.want {
				t.Errorf("%s: %q, want %q", tc.path, strings.Join(names(m), "|"), tc.want)
			}
			if e, _ := m["error"].(map[string]any); e != nil && !strings.Contains(e["message"].(string), tc.msg) {
				t.Errorf("%s: message %q does not say %q", tc.path, e["message"], tc.msg)
			}
		})
	}

	t.Run("count only with ConsistencyLevel", func(t *testing.T) {
		_, m := f.call(tok, "GET", "/v1.0/applications?$count=true", "", false)
		if _, ok := m["@odata.count"]; ok {
			t.Errorf("$count=true without ConsistencyLevel: Graph ignores it, the emulator answered %v", m["@odata.count"])
		}
		_, m = f.call(tok, "GET", "/v1.0/applications?$count=true&$filter=startswith(displayName,'alpha')&$top=1", "", false, adv...)
		if m["@odata.count"] != float64(2) || len(names(m)) != 1 {
			t.Errorf("advanced $count with $top=1: count %v, %d on the page", m["@odata.count"], len(names(m)))
		}
		if code, m := f.call(tok, "GET", "/v1.0/applications/$count", "", false); code != 400 || errCode(m) != "Request_BadRequest" {
			t.Errorf("/$count without ConsistencyLevel: %d %v", code, m)
		}
		req, _ := http.NewRequest("GET", f.sb.Services["graph"].URL+"/v1.0/servicePrincipals/$count", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := f.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "1" {
			t.Errorf("/servicePrincipals/$count: %d %q, want 1 (the Microsoft Graph service principal)", resp.StatusCode, b)
		}
	})

	t.Run("top pages with nextLink", func(t *testing.T) {
		base := f.sb.Services["graph"].URL
		path := "/v1.0/applications?$top=1&$select=displayName"
		var seen []string
		for pages := 0; path != ""; pages++ {
			if pages > 5 {
				t.Fatalf("more pages than objects: %v", seen)
			}
			code, m := f.call(tok, "GET", path, "", false)
			if code != 200 {
				t.Fatalf("%s: %d %v", path, code, m)
			}
			seen = append(seen, names(m)...)
			path = ""
			if next, ok := m["@odata.nextLink"].(string); ok {
				if !strings.HasPrefix(next, base) || !strings.Contains(next, "$skiptoken=") || !strings.Contains(next, "$select=displayName") {
					t.Fatalf("nextLink %q: want the emulator's URL, the query and a $skiptoken", next)
				}
				path = strings.TrimPrefix(next, base)
			}
		}
		if strings.Join(seen, "|") != "Alpha app|Beta app|alphabet" {
			t.Errorf("pages gave %v, want every application once, in order", seen)
		}
		if code, m := f.call(tok, "GET", "/v1.0/applications?$skiptoken=garbage", "", false); code != 400 {
			t.Errorf("a forged $skiptoken: %d %v", code, m)
		}
	})
}

// TestARMListsForSignIn: the STS listener answers the Resource Manager lists az reads at login.
func TestARMListsForSignIn(t *testing.T) {
	f := start(t)
	_, tk := f.token(entraemu.SignInClientID, f.sts.SignInSecret())
	get := func(path, tok string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", f.sb.Services["sts"].URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		return f.decode(f.hc.Do(req))
	}
	tok := tk["access_token"].(string)
	if code, m := get("/subscriptions?api-version=2022-12-01", tok); code != 200 || len(m["value"].([]any)) != 0 {
		t.Errorf("subscriptions: %d %v", code, m)
	}
	if code, m := get("/tenants?api-version=2022-12-01", tok); code != 200 || len(m["value"].([]any)) != 1 {
		t.Errorf("tenants: %d %v", code, m)
	}
	if code, _ := get("/subscriptions?api-version=2022-12-01", ""); code != 401 {
		t.Errorf("subscriptions without a token: %d, want 401", code)
	}
}
