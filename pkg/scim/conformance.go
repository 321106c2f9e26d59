package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// Conformance runs Okta's "Test API Credentials" and the twelve checks of Okta's SCIM 2.0 SPEC
// test (R1..R12) against the client's base, one check each. It creates one test user (and
// deletes it at the end) and, when the server has no user, one more fixture user for R2.
func (c *Client) Conformance(ctx context.Context) []doctor.Check {
	t := &conf{c: c, suffix: randSuffix()}
	return t.run(ctx)
}

type conf struct {
	c      *Client
	suffix string
	first  *User // a user from R1 (or the fixture)
	fixID  string
	newID  string
	newU   string
	checks []doctor.Check
}

func randSuffix() string {
	b := make([]byte, 5)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (t *conf) add(id, title string, start time.Time, err error, fix string) bool {
	ch := doctor.Check{ID: id, Title: title, Status: doctor.Pass, DurationMs: time.Since(start).Milliseconds()}
	if err != nil {
		if s, ok := err.(skip); ok {
			ch.Status, ch.Detail = doctor.Skip, string(s)
		} else {
			ch.Status, ch.Detail, ch.Fix = doctor.Fail, err.Error(), fix
		}
	}
	t.checks = append(t.checks, ch)
	return err == nil
}

type skip string

func (s skip) Error() string { return string(s) }

func (t *conf) get(ctx context.Context, path string, q url.Values, token *string) (*Response, error) {
	return t.c.Raw(ctx, http.MethodGet, path, q, nil, token)
}

// errorBody accepts an RFC 7644 Error (status string or number) or, for Access, its errors list.
func (t *conf) errorBody(r *Response, want int) error {
	if ok, st := ErrorBodyHasSchema(r.Body); ok {
		if st != 0 && st != want {
			return fmt.Errorf("the Error body says status %d, the HTTP status is %d", st, r.Status)
		}
		return nil
	}
	if t.c.Dialect() == Access11 {
		var v struct {
			Errors []any `json:"errors"`
		}
		if json.Unmarshal(r.Body, &v) == nil && len(v.Errors) > 0 {
			return nil
		}
	}
	return fmt.Errorf("the body is not a SCIM Error (schemas %q with status): %.120s", SchemaError2, strings.TrimSpace(string(r.Body)))
}

func listOf(r *Response) (*listResponse, error) {
	var lr listResponse
	var raw map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if _, ok := raw["totalResults"].(float64); !ok {
		return nil, fmt.Errorf("the ListResponse has no integer totalResults (Okta needs integers): %.120s", string(r.Body))
	}
	if err := json.Unmarshal(r.Body, &lr); err != nil {
		return nil, err
	}
	return &lr, nil
}

// findUsers filters /Users on userName (count at most) and reads the ListResponse of a 200.
func (t *conf) findUsers(ctx context.Context, userName, count string) (*listResponse, error) {
	r, err := t.get(ctx, "/Users", url.Values{"filter": {Eq("userName", userName).String()}, "startIndex": {"1"}, "count": {count}}, nil)
	if err != nil {
		return nil, err
	}
	if err := status(r, 200); err != nil {
		return nil, err
	}
	return listOf(r)
}

func status(r *Response, want ...int) error {
	for _, w := range want {
		if r.Status == w {
			return nil
		}
	}
	return fmt.Errorf("HTTP %d, want %v: %.160s", r.Status, want, strings.TrimSpace(string(r.Body)))
}

func (t *conf) run(ctx context.Context) []doctor.Check {
	c := t.c
	fixAuth := "check the token: `flowsctl identity token generate` (Identity Services) or access.scimClient, or pass --token-file"
	fixSrv := "the server at " + c.Base() + " does not behave like Okta expects; see docs/guides for the SCIM endpoint"

	// Okta: Test API Credentials (GET /Users?filter=userName eq "..."&startIndex=1&count=100).
	s := time.Now()
	r, err := t.get(ctx, "/Users", url.Values{"filter": {Eq("userName", "flowsctl-credentials-check-"+t.suffix).String()}, "startIndex": {"1"}, "count": {"100"}}, nil)
	if err == nil {
		if err = status(r, 200, 404); err == nil && r.Status == 200 {
			_, err = listOf(r)
		}
	}
	if !t.add("okta-test-api-credentials", "Okta Test API Credentials: the token is accepted", s, err, fixAuth) {
		return t.checks // nothing else can pass
	}

	// R1: list users with count=1.
	s = time.Now()
	r, err = t.get(ctx, "/Users", url.Values{"startIndex": {"1"}, "count": {"1"}}, nil)
	if err == nil {
		if err = status(r, 200); err == nil {
			var lr *listResponse
			if lr, err = listOf(r); err == nil {
				if n := len(lr.items()); n > 1 {
					err = fmt.Errorf("count=1 returned %d resources", n)
				} else if n == 1 {
					var w wireUser
					json.Unmarshal(lr.items()[0], &w)
					u := w.user()
					t.first = &u
				}
			}
		}
	}
	t.add("R1", "List users with count=1 returns a ListResponse", s, err, fixSrv)

	// R2: get a user by id (create a fixture when the server has none).
	s = time.Now()
	err = nil
	if t.first == nil {
		u, _, cerr := c.CreateUser(ctx, t.testUser("fixture"))
		if cerr != nil {
			err = fmt.Errorf("no user to read and creating a fixture failed: %v", cerr)
		} else {
			t.first, t.fixID = u, u.ID
		}
	}
	if err == nil {
		r, err = t.get(ctx, "/Users/"+url.PathEscape(t.first.ID), nil, nil)
		if err == nil {
			if err = status(r, 200); err == nil {
				var w wireUser
				if json.Unmarshal(r.Body, &w) != nil || w.ID != t.first.ID {
					err = fmt.Errorf("GET /Users/%s did not return that user", t.first.ID)
				}
			}
		}
	}
	t.add("R2", "Get a user by id", s, err, fixSrv)

	// R3: filter on a userName that does not exist: 200, totalResults 0.
	s = time.Now()
	lr, err := t.findUsers(ctx, "no-such-user-"+t.suffix+"@example.invalid", "100")
	if err == nil && (lr.TotalResults != 0 || len(lr.items()) != 0) {
		err = fmt.Errorf("totalResults %d for a userName that does not exist", lr.TotalResults)
	}
	t.add("R3", "Filter on an unknown userName returns 200 with totalResults 0", s, err, fixSrv)

	// R4: a bogus id is a 404 with an Error body.
	s = time.Now()
	r, err = t.get(ctx, "/Users/"+"flowsctl-bogus-"+t.suffix, nil, nil)
	if err == nil {
		if err = status(r, 404); err == nil {
			err = t.errorBody(r, 404)
		}
	}
	t.add("R4", "Get a bogus user id returns 404 with a SCIM Error", s, err, fixSrv)

	// R5: the random test user does not exist yet.
	t.newU = "flowsctl.conformance." + t.suffix + "@" + t.domain()
	s = time.Now()
	if lr, err = t.findUsers(ctx, t.newU, "1"); err == nil && lr.TotalResults != 0 {
		err = fmt.Errorf("the random user %s already exists", t.newU)
	}
	t.add("R5", "A random user does not exist", s, err, fixSrv)

	// R6: create it: 201 with an id.
	s = time.Now()
	body := c.userBody(t.testUserNamed(t.newU))
	body["password"] = "Fl0wsctl-" + t.suffix // Okta sends one; write-only
	if c.Dialect() == RFC7644 {
		body["groups"] = []any{}
	}
	r, err = c.Raw(ctx, http.MethodPost, "/Users", nil, body, nil)
	if err == nil {
		if err = status(r, 201); err == nil {
			var w wireUser
			if json.Unmarshal(r.Body, &w) != nil || w.ID == "" {
				err = fmt.Errorf("the 201 body has no id (Okta treats an empty reply as an error)")
			} else if !strings.EqualFold(w.UserName, t.newU) {
				err = fmt.Errorf("the created user's userName is %q, want %q", w.UserName, t.newU)
			} else {
				t.newID = w.ID
			}
		}
	}
	t.add("R6", "Create a user returns 201 with the user", s, err, fixSrv)

	// R7: read it back.
	s = time.Now()
	err = skip("R6 created no user")
	if t.newID != "" {
		r, err = t.get(ctx, "/Users/"+url.PathEscape(t.newID), nil, nil)
		if err == nil {
			if err = status(r, 200); err == nil {
				var w wireUser
				if json.Unmarshal(r.Body, &w) != nil || !strings.EqualFold(w.UserName, t.newU) {
					err = fmt.Errorf("the user read back is not the one created")
				}
			}
		}
	}
	t.add("R7", "Read the created user back", s, err, fixSrv)

	// R8: creating it again is a 409.
	s = time.Now()
	r, err = c.Raw(ctx, http.MethodPost, "/Users", nil, body, nil)
	if err == nil {
		if err = status(r, 409); err == nil {
			err = t.errorBody(r, 409)
		}
		if r.Status == 201 {
			var w wireUser
			if json.Unmarshal(r.Body, &w) == nil && w.ID != "" && w.ID != t.newID {
				c.DeleteUser(ctx, w.ID)
			}
		}
	}
	t.add("R8", "Creating a duplicate userName returns 409", s, err, fixSrv)

	// R9: userName matching is case-insensitive.
	s = time.Now()
	if lr, err = t.findUsers(ctx, strings.ToUpper(t.newU), "1"); err == nil && lr.TotalResults != 1 {
		err = fmt.Errorf("filter on the UPPERCASE userName found %d users, want 1 (userName is caseExact=false)", lr.TotalResults)
	}
	t.add("R9", "userName filter is case-insensitive", s, err, fixSrv)

	// R10: groups endpoint (optional for Okta: 404/501 is a skip).
	s = time.Now()
	r, err = t.get(ctx, "/Groups", url.Values{"startIndex": {"1"}, "count": {"1"}}, nil)
	if err == nil {
		switch r.Status {
		case 404, 501:
			err = skip("the server has no /Groups (Okta's group push will not work)")
		default:
			if err = status(r, 200); err == nil {
				_, err = listOf(r)
			}
		}
	}
	t.add("R10", "List groups returns a ListResponse", s, err, fixSrv)

	// R11: a bad token is a 401 with an Error body.
	s = time.Now()
	bad := "flowsctl-invalid-token-" + t.suffix
	r, err = t.get(ctx, "/Users", url.Values{"startIndex": {"1"}, "count": {"1"}}, &bad)
	if err == nil {
		if err = status(r, 401); err == nil {
			err = t.errorBody(r, 401)
		}
	}
	t.add("R11", "A bad token returns 401 with a SCIM Error", s, err, "the server must refuse unknown tokens with 401")

	// R12: delete the test user; reading it then returns 404 with an Error body.
	s = time.Now()
	err = skip("R6 created no user")
	if t.newID != "" {
		if err = c.DeleteUser(ctx, t.newID); err == nil {
			r, err = t.get(ctx, "/Users/"+url.PathEscape(t.newID), nil, nil)
			if err == nil {
				if err = status(r, 404); err == nil {
					err = t.errorBody(r, 404)
				}
			}
		}
	}
	t.add("R12", "A deleted user returns 404 with a SCIM Error", s, err, fixSrv)
	if t.fixID != "" {
		c.DeleteUser(ctx, t.fixID)
	}
	return t.checks
}

func (t *conf) domain() string {
	if d := t.c.Domain(); d != "" {
		return d
	}
	return "example.com"
}

func (t *conf) testUser(kind string) User {
	return t.testUserNamed("flowsctl." + kind + "." + t.suffix + "@" + t.domain())
}

func (t *conf) testUserNamed(name string) User {
	return User{UserName: name, ExternalID: "flowsctl-" + t.suffix, Active: true,
		Name:   Name{GivenName: "Flowsctl", FamilyName: "Conformance"},
		Emails: []Email{{Value: name, Type: "work", Primary: true}}}
}
