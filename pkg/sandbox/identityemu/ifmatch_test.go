package identityemu_test

import (
	"net/http"
	"testing"
)

// doIfMatch sends a request with If-Match (when ifMatch is not "").
func (s *rfcServer) doIfMatch(method, path, body, ifMatch string) answer {
	s.t.Helper()
	return s.send(method, path, body, map[string]string{"Authorization": "Bearer " + s.tok, "If-Match": ifMatch})
}

func versionOf(t *testing.T, a answer) string {
	t.Helper()
	meta, _ := a.body["meta"].(map[string]any)
	v, _ := meta["version"].(string)
	if v == "" {
		t.Fatalf("no meta.version in %s", a.raw)
	}
	return v
}

// TestRFCIfMatchIs412: a write whose If-Match names another version of the resource is refused
// with 412 Precondition Failed (RFC 7644 §3.14, and Table 9's "Failed to update. Resource has
// changed on the server"), not 409, and the resource is left as it was. The error carries no
// scimType: Table 9's keywords are for 400 answers, and its invalidVers means an unsupported
// SCIM protocol version (§3.13), not a resource version. If-Match naming the current version,
// one of a list, or "*" lets the write through. The Identity Services OpenAPI lists 409 "the
// specified version number does not match" on PUT and PATCH but says nothing of If-Match or
// ETags; docs/sandbox.md records the choice.
func TestRFCIfMatchIs412(t *testing.T) {
	s := startRFC(t)
	if spc := s.must(200, "GET", "/ServiceProviderConfig", ""); spc["etag"].(map[string]any)["supported"] != true {
		t.Fatalf("ServiceProviderConfig etag %v: the server versions resources, so it says so", spc["etag"])
	}
	uid := s.user("ifmatch@example.com", "")
	gid := s.must(201, "POST", "/Groups", `{`+coreGroup+`,"displayName":"If-Match Group"}`)["id"].(string)

	for _, tc := range []struct {
		kind, path, put, patch string
	}{
		{"user", "/Users/" + uid, `{` + coreUser + `,"userName":"ifmatch@example.com","displayName":"Put"}`,
			`{` + patchOp + `,"Operations":[{"op":"replace","path":"displayName","value":"Patched"}]}`},
		{"group", "/Groups/" + gid, `{` + coreGroup + `,"displayName":"If-Match Group"}`,
			`{` + patchOp + `,"Operations":[{"op":"replace","path":"displayName","value":"If-Match Group 2"}]}`},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			got := s.doIfMatch("GET", tc.path, "", "")
			v1 := versionOf(t, got)
			// §3.14: a versioned resource carries its version in the ETag header and in
			// meta.version.
			if et := got.header.Get("ETag"); et != v1 {
				t.Errorf("GET: ETag %q, want meta.version %q", et, v1)
			}
			// The current version, then "*", let writes through; each write makes a new version.
			put := s.doIfMatch("PUT", tc.path, tc.put, v1)
			if put.status != 200 {
				t.Fatalf("PUT with the current If-Match: %d %s", put.status, put.raw)
			}
			v2 := versionOf(t, put)
			if v2 == v1 {
				t.Fatalf("PUT kept version %s", v1)
			}
			// RFC 7644 §3.5.2: a PATCH answers 200 with the resource or 204 without.
			if a := s.doIfMatch("PATCH", tc.path, tc.patch, `W/"0", `+v2); a.status != 200 && a.status != 204 {
				t.Fatalf("PATCH with a list holding the current version: %d %s", a.status, a.raw)
			}
			if a := s.doIfMatch("PATCH", tc.path, tc.patch, "*"); a.status != 200 && a.status != 204 {
				t.Fatalf(`PATCH with If-Match "*": %d %s`, a.status, a.raw)
			}
			before := s.must(200, "GET", tc.path, "")
			cur := versionOf(t, answer{body: before})

			// A stale version: 412 for each write method, nothing changed.
			for _, w := range []struct{ method, body string }{{"PUT", tc.put}, {"PATCH", tc.patch}, {"DELETE", ""}} {
				a := s.doIfMatch(w.method, tc.path, w.body, v1)
				if a.status != http.StatusPreconditionFailed {
					t.Errorf("%s with stale If-Match %s: %d %s, want 412", w.method, v1, a.status, a.raw)
					continue
				}
				if st, _ := a.body["status"].(string); st != "412" {
					t.Errorf("%s: error status %v, want \"412\"", w.method, a.body["status"])
				}
				if typ := scimTypeOf(a); typ != "" {
					t.Errorf("%s: scimType %q on a 412; RFC 7644's keywords are for 400 answers", w.method, typ)
				}
				if a.header.Get("ETag") != cur {
					t.Errorf("%s: 412 ETag %q, want the current version %s", w.method, a.header.Get("ETag"), cur)
				}
			}
			after := s.must(200, "GET", tc.path, "")
			if versionOf(t, answer{body: after}) != cur || after["displayName"] != before["displayName"] {
				t.Errorf("refused writes changed the %s: %v -> %v", tc.kind, before, after)
			}
			// Without If-Match the write is unconditional.
			if a := s.doIfMatch("PATCH", tc.path, tc.patch, ""); a.status != 200 && a.status != 204 {
				t.Errorf("PATCH without If-Match: %d %s", a.status, a.raw)
			}
		})
	}
}
