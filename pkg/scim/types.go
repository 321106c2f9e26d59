// Package scim is flowsctl's SCIM client: one typed client speaking two dialects, the
// Workspace ONE Access SCIM 1.1 API (/SAAS/jersey/manager/api/scim) and RFC 7644 as served by
// Identity Services (/usergroup/scim/v2); a paging iterator, a filter builder, typed errors, a
// reconcile engine (sync) and the conformance checks behind `flowsctl scim test`.
package scim

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// Dialect selects the wire format.
type Dialect int

const (
	// RFC7644 is SCIM 2.0 (Identity Services, any RFC server): PatchOp, PUT, ETags.
	RFC7644 Dialect = iota
	// Access11 is the Access SCIM 1.1 API: partial-resource PATCH answered 204, no PUT,
	// the urn:scim:schemas:extension:workspace:1.0 extension, eq/co/sw/gt/ge/lt/le filters only.
	Access11
)

func (d Dialect) String() string {
	if d == Access11 {
		return "access-scim-1.1"
	}
	return "rfc7644"
}

// Schema URNs of both dialects.
const (
	SchemaUser2       = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup2      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterprise2 = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaList2       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaPatch2      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaError2      = "urn:ietf:params:scim:api:messages:2.0:Error"
	SchemaCore1       = "urn:scim:schemas:core:1.0"
	SchemaWorkspace1  = "urn:scim:schemas:extension:workspace:1.0"
	SchemaEnterprise1 = "urn:scim:schemas:extension:enterprise:1.0"
	// SchemaWS1BUser and SchemaWS1BGroup are the Identity Services extensions (domain,
	// userPrincipalName, ...; directoryId: the directory the resource belongs to).
	SchemaWS1BUser  = "urn:ietf:params:scim:schemas:extension:ws1b:2.0:User"
	SchemaWS1BGroup = "urn:ietf:params:scim:schemas:extension:ws1b:2.0:Group"
)

// TokenSource hands out bearer tokens; *httpx.TokenSource (a cached OAuth token) satisfies it.
type TokenSource interface {
	Token(ctx context.Context) (httpx.Token, error)
}

// StaticToken is a fixed bearer token (an Identity Services SCIM token, a token file).
type StaticToken string

// Token returns the token with the expiry its JWT exp claim gives (zero when none).
func (s StaticToken) Token(context.Context) (httpx.Token, error) {
	exp, _ := httpx.JWTExpiry(string(s))
	return httpx.Token{Value: string(s), Expiry: exp}, nil
}

// Name is the SCIM name complex attribute.
type Name struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

// Email is one entry of emails.
type Email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// Ref is a member or group reference.
type Ref struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
}

// User is a user of either dialect. Domain, InternalUserType and UserStatus live in the Access
// workspace extension; they are ignored by the RFC dialect.
type User struct {
	ID          string  `json:"id,omitempty"`
	ExternalID  string  `json:"externalId,omitempty"`
	UserName    string  `json:"userName"`
	Name        Name    `json:"name"`
	DisplayName string  `json:"displayName,omitempty"`
	Emails      []Email `json:"emails,omitempty"`
	Active      bool    `json:"active"`
	Groups      []Ref   `json:"groups,omitempty"`

	Domain           string `json:"domain,omitempty"`
	InternalUserType string `json:"internalUserType,omitempty"`
	UserStatus       string `json:"userStatus,omitempty"`
	// DirectoryID is the Identity Services directory the user belongs to (ws1b extension), "" when
	// the server does not say.
	DirectoryID string `json:"directoryId,omitempty"`

	// Version is meta.version (the ETag).
	Version string `json:"version,omitempty"`
	// Password is write-only (sent on create when set, never read back).
	Password string `json:"-"`
}

// PrimaryEmail is the primary (or first) email value.
func (u *User) PrimaryEmail() string {
	for _, e := range u.Emails {
		if e.Primary {
			return e.Value
		}
	}
	if len(u.Emails) > 0 {
		return u.Emails[0].Value
	}
	return ""
}

// Group is a group of either dialect.
type Group struct {
	ID          string `json:"id,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
	DisplayName string `json:"displayName"`
	Members     []Ref  `json:"members,omitempty"`
	// Domain is the Access workspace extension's domain ("System" for groups Okta pushed).
	Domain string `json:"domain,omitempty"`
	// DirectoryID is the Identity Services directory of the group (ws1b extension), "" when unknown.
	DirectoryID string `json:"directoryId,omitempty"`
	Version     string `json:"version,omitempty"`
}

// wireMeta is meta of a resource.
type wireMeta struct {
	Version      string `json:"version,omitempty"`
	Location     string `json:"location,omitempty"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
}

// ws1bExt is the part of the Identity Services extension flowsctl reads.
type ws1bExt struct {
	DirectoryID string `json:"directoryId"`
}

type workspaceExt struct {
	Domain           string `json:"domain,omitempty"`
	InternalUserType string `json:"internalUserType,omitempty"`
	UserStatus       string `json:"userStatus,omitempty"`
	// DirectoryID is the Identity Services directory the user belongs to (ws1b extension), "" when
	// the server does not say.
	DirectoryID string `json:"directoryId,omitempty"`
}

// flexBool reads true/false as JSON booleans or Entra's "True"/"False" strings.
type flexBool struct {
	v, set bool
}

func (b *flexBool) UnmarshalJSON(p []byte) error {
	s := strings.Trim(strings.ToLower(string(p)), `"`)
	switch s {
	case "true", "1":
		b.v, b.set = true, true
	case "false", "0":
		b.v, b.set = false, true
	}
	return nil
}

type wireUser struct {
	ID          string        `json:"id"`
	ExternalID  string        `json:"externalId"`
	UserName    string        `json:"userName"`
	Name        Name          `json:"name"`
	DisplayName string        `json:"displayName"`
	Emails      []Email       `json:"emails"`
	Active      *flexBool     `json:"active"`
	Groups      []Ref         `json:"groups"`
	Meta        wireMeta      `json:"meta"`
	Workspace   *workspaceExt `json:"urn:scim:schemas:extension:workspace:1.0"`
	WS1B        *ws1bExt      `json:"urn:ietf:params:scim:schemas:extension:ws1b:2.0:User"`
}

func (w *wireUser) user() User {
	u := User{ID: w.ID, ExternalID: w.ExternalID, UserName: w.UserName, Name: w.Name, DisplayName: w.DisplayName,
		Emails: w.Emails, Active: true, Groups: w.Groups, Version: w.Meta.Version}
	if w.Active != nil && w.Active.set {
		u.Active = w.Active.v
	}
	if w.WS1B != nil {
		u.DirectoryID = w.WS1B.DirectoryID
	}
	if w.Workspace != nil {
		u.Domain, u.InternalUserType, u.UserStatus = w.Workspace.Domain, w.Workspace.InternalUserType, w.Workspace.UserStatus
		if w.Active == nil && w.Workspace.UserStatus == "2" {
			u.Active = false
		}
	}
	return u
}

type wireGroup struct {
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId"`
	DisplayName string   `json:"displayName"`
	Members     []Ref    `json:"members"`
	Meta        wireMeta `json:"meta"`
	Workspace   *struct {
		Domain string `json:"domain"`
	} `json:"urn:scim:schemas:extension:workspace:1.0"`
	WS1B *ws1bExt `json:"urn:ietf:params:scim:schemas:extension:ws1b:2.0:Group"`
}

func (w *wireGroup) group() Group {
	g := Group{ID: w.ID, ExternalID: w.ExternalID, DisplayName: w.DisplayName, Members: w.Members, Version: w.Meta.Version}
	if w.Workspace != nil {
		g.Domain = w.Workspace.Domain
	}
	if w.WS1B != nil {
		g.DirectoryID = w.WS1B.DirectoryID
	}
	return g
}

// listResponse accepts Resources (RFC, Access) and resources (the Identity Services swagger).
type listResponse struct {
	TotalResults int               `json:"totalResults"`
	ItemsPerPage int               `json:"itemsPerPage"`
	StartIndex   int               `json:"startIndex"`
	Resources    []json.RawMessage `json:"Resources"`
	Lower        []json.RawMessage `json:"resources"`
}

func (l *listResponse) items() []json.RawMessage {
	if len(l.Resources) > 0 {
		return l.Resources
	}
	return l.Lower
}

// ServiceProviderConfig is what the client uses of /ServiceProviderConfig.
type ServiceProviderConfig struct {
	Patch  bool
	ETag   bool
	Filter bool
	Bulk   bool
	// MaxResults is filter.maxResults (0 unknown).
	MaxResults int
	Raw        map[string]any
}
