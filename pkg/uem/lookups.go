package uem

import (
	"context"
	"fmt"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/text"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// SystemInfo is GET /api/system/info.
type SystemInfo struct {
	ProductName    string `json:"ProductName"`
	ProductVersion string `json:"ProductVersion"`
}

// SystemInfo reads the product version (also the cheapest "test connection").
func (c *Client) SystemInfo(ctx context.Context) (SystemInfo, error) {
	var si SystemInfo
	_, err := c.Do(ctx, http.MethodGet, "/api/system/info", nil, 1, nil, &si)
	return si, err
}

// ConsoleRelease turns a ProductVersion into the YYMM release number the guides use
// ("19.04.0.0" and "1904" -> 1904, "23.10.0.1" -> 2310). Versions of the 9.x scheme are older
// than 1904 and give their major*100+minor (e.g. 907), which compares as too old.
func ConsoleRelease(productVersion string) (int, bool) {
	parts := strings.Split(strings.TrimSpace(productVersion), ".")
	if len(parts) == 0 || parts[0] == "" {
		return 0, false
	}
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return 0, false
	}
	if major >= 1000 { // "1904"
		return major, true
	}
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major*100 + minor, true
}

// OrganizationGroup is an OG in either the v1 (LocationGroups) or v2 (OrganizationGroups) shape.
type OrganizationGroup struct {
	ID                ID     `json:"Id"`
	UUID              string `json:"Uuid"`
	Name              string `json:"Name"`
	GroupID           string `json:"GroupId"`
	LocationGroupType string `json:"LocationGroupType"`
	LgLevel           int    `json:"LgLevel"`
	Parent            *struct {
		ID   ID     `json:"Id"`
		UUID string `json:"Uuid"`
	} `json:"ParentLocationGroup,omitempty"`
}

// OrganizationGroups lists OGs matching a search (empty q = all the account can see), v2 first
// and the v1 shape as fallback.
func (c *Client) OrganizationGroups(ctx context.Context, q url.Values) ([]OrganizationGroup, error) {
	ogs, err := searchAll[OrganizationGroup](ctx, c, "/api/system/groups/search", q, 2, "OrganizationGroups", "LocationGroups")
	if err != nil {
		if st := httpx.StatusOf(err); st == http.StatusNotAcceptable || st == http.StatusBadRequest {
			return searchAll[OrganizationGroup](ctx, c, "/api/system/groups/search", q, 1, "LocationGroups", "OrganizationGroups")
		}
	}
	return ogs, err
}

// FindOrganizationGroup resolves an OG by GroupId (the short code) or by name, exactly
// (case-insensitive). A miss is a *NotFoundError with "did you mean" suggestions.
func (c *Client) FindOrganizationGroup(ctx context.Context, key string) (OrganizationGroup, error) {
	og, found, err := c.lookupOrganizationGroup(ctx, key)
	if err != nil || found {
		return og, err
	}
	return OrganizationGroup{}, c.organizationGroupMiss(ctx, key)
}

// lookupOrganizationGroup is FindOrganizationGroup without the suggestions of a miss (found
// false, no error): a caller that looks elsewhere next lists every OG only if that misses too.
func (c *Client) lookupOrganizationGroup(ctx context.Context, key string) (OrganizationGroup, bool, error) {
	for _, param := range []string{"groupid", "name"} {
		ogs, err := c.OrganizationGroups(ctx, url.Values{param: {key}})
		if err != nil {
			return OrganizationGroup{}, false, err
		}
		for _, g := range ogs {
			if strings.EqualFold(g.GroupID, key) || strings.EqualFold(g.Name, key) {
				return g, true, nil
			}
		}
	}
	return OrganizationGroup{}, false, nil
}

// organizationGroupMiss is the *NotFoundError of an OG key, with the closest existing names.
func (c *Client) organizationGroupMiss(ctx context.Context, key string) error {
	all, err := c.OrganizationGroups(ctx, nil)
	if err != nil {
		return err
	}
	var names []string
	for _, g := range all {
		names = append(names, g.Name, g.GroupID)
	}
	return &NotFoundError{Kind: "organization group", Key: key, Suggestions: Suggest(key, names),
		Fix: "list them with: flowsctl uem groups (console: Groups & Settings > Groups > Organization Groups)"}
}

// Children lists the descendants of an OG (the endpoint also returns the OG itself; it is dropped).
func (c *Client) Children(ctx context.Context, ogID int) ([]OrganizationGroup, error) {
	var out []OrganizationGroup
	if _, err := c.Do(ctx, http.MethodGet, "/api/system/groups/"+strconv.Itoa(ogID)+"/children", nil, 1, nil, &out); err != nil {
		return nil, err
	}
	kids := out[:0]
	for _, g := range out {
		if int(g.ID) != ogID {
			kids = append(kids, g)
		}
	}
	return kids, nil
}

// SmartGroup is an assignment group.
type SmartGroup struct {
	ID                           ID     `json:"SmartGroupID"`
	UUID                         string `json:"SmartGroupUuid"`
	Name                         string `json:"Name"`
	ManagedByOrganizationGroupID ID     `json:"ManagedByOrganizationGroupId"`
	ManagedByOrganizationGroup   string `json:"ManagedByOrganizationGroupName,omitempty"`
	Devices                      int    `json:"Devices,omitempty"`
}

// SmartGroups searches smart groups (name is a contains-match on the server; "" = all).
func (c *Client) SmartGroups(ctx context.Context, name string, ogID int) ([]SmartGroup, error) {
	q := url.Values{}
	if name != "" {
		q.Set("name", name)
	}
	if ogID > 0 {
		q.Set("organizationgroupid", strconv.Itoa(ogID))
	}
	return searchAll[SmartGroup](ctx, c, "/api/mdm/smartgroups/search", q, 1, "SmartGroups")
}

// FindSmartGroup resolves a smart group by exact name (case-insensitive), with suggestions on a miss.
func (c *Client) FindSmartGroup(ctx context.Context, name string, ogID int) (SmartGroup, error) {
	sgs, err := c.SmartGroups(ctx, name, ogID)
	if err != nil {
		return SmartGroup{}, err
	}
	for _, g := range sgs {
		if strings.EqualFold(g.Name, name) {
			return g, nil
		}
	}
	all, err := c.SmartGroups(ctx, "", ogID)
	if err != nil {
		return SmartGroup{}, err
	}
	var names []string
	for _, g := range all {
		names = append(names, g.Name)
	}
	return SmartGroup{}, &NotFoundError{Kind: "smart group", Key: name, Suggestions: Suggest(name, names),
		Fix: "list them with: flowsctl uem groups (console: Groups & Settings > Groups > Assignment Groups)"}
}

// Group is an OG or a smart group, as integration settings name them.
type Group struct {
	Kind string `json:"kind" yaml:"kind"` // organization-group | smart-group
	Name string `json:"name" yaml:"name"`
	ID   int    `json:"id" yaml:"id"`
	UUID string `json:"uuid,omitempty" yaml:"uuid,omitempty"`
	// GroupID is the OG's short code.
	GroupID string `json:"groupId,omitempty" yaml:"groupId,omitempty"`
}

// FindGroup resolves a name as an OG first, then as a smart group. Suggestions merge both.
func (c *Client) FindGroup(ctx context.Context, key string, ogID int) (Group, error) {
	og, found, err := c.lookupOrganizationGroup(ctx, key)
	switch {
	case err != nil:
		return Group{}, err
	case found:
		return Group{Kind: "organization-group", Name: og.Name, ID: int(og.ID), UUID: og.UUID, GroupID: og.GroupID}, nil
	}
	sg, err := c.FindSmartGroup(ctx, key, ogID)
	if err == nil {
		return Group{Kind: "smart-group", Name: sg.Name, ID: int(sg.ID), UUID: sg.UUID}, nil
	}
	nf2, ok := err.(*NotFoundError)
	if !ok {
		return Group{}, err
	}
	// Neither kind has the key: only now are all OGs listed, for the suggestions (a smart
	// group's name costs no such list, nor its round trip).
	err = c.organizationGroupMiss(ctx, key)
	nf1, ok := err.(*NotFoundError)
	if !ok {
		return Group{}, err
	}
	var names []string
	names = append(names, nf1.Suggestions...)
	names = append(names, nf2.Suggestions...)
	return Group{}, &NotFoundError{Kind: "organization group or smart group", Key: key, Suggestions: Suggest(key, names),
		Fix: "list them with: flowsctl uem groups"}
}

// NotFoundError names what was looked for and the closest existing names.
type NotFoundError struct {
	Kind        string
	Key         string
	Suggestions []string
	Fix         string
}

func (e *NotFoundError) Error() string {
	s := fmt.Sprintf("%s %q not found", e.Kind, e.Key)
	if len(e.Suggestions) > 0 {
		s += "; did you mean " + quoteList(e.Suggestions) + "?"
	}
	if e.Fix != "" {
		s += " (" + e.Fix + ")"
	}
	return s
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// Suggest returns up to three candidates close to key: same letters case-insensitively, a
// prefix/containment match, or an edit distance of at most a third of the key's length (min 2).
func Suggest(key string, candidates []string) []string {
	type scored struct {
		s string
		d int
	}
	k := strings.ToLower(key)
	limit := len(k) / 3
	if limit < 2 {
		limit = 2
	}
	seen := map[string]bool{}
	var out []scored
	for _, c := range candidates {
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		lc := strings.ToLower(c)
		d := text.Distance(k, lc)
		if d > limit && (strings.Contains(lc, k) || strings.Contains(k, lc) || closeWord(k, lc)) {
			d = limit // a partial match ranks after close typos
		}
		if d <= limit {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	var res []string
	for i := 0; i < len(out) && i < 3; i++ {
		res = append(res, out[i].s)
	}
	return res
}

// closeWord reports whether key is within one edit of one of the candidate's words.
func closeWord(key, cand string) bool {
	if len(key) < 3 {
		return false
	}
	for _, w := range strings.Fields(cand) {
		if text.Distance(key, w) <= 1 {
			return true
		}
	}
	return false
}

// App is a row of GET /api/mam/apps/search (v1 "Application" shape).
type App struct {
	ID              ID     `json:"Id"`
	UUID            string `json:"Uuid"`
	ApplicationName string `json:"ApplicationName"`
	BundleID        string `json:"BundleId"`
	AppType         string `json:"AppType"`
	Platform        ID     `json:"Platform"`
	Status          string `json:"Status,omitempty"`
	LocationGroupID ID     `json:"LocationGroupId"`
}

// Apps searches applications.
func (c *Client) Apps(ctx context.Context, q url.Values) ([]App, error) {
	return searchAll[App](ctx, c, "/api/mam/apps/search", q, 1, "Application", "applications")
}

// Tag is a row of GET /api/mdm/tags/search.
type Tag struct {
	ID      ID     `json:"Id"`
	TagName string `json:"TagName"`
	TagType int    `json:"TagType,omitempty"`
}

// Tags searches tags.
func (c *Client) Tags(ctx context.Context, q url.Values) ([]Tag, error) {
	return searchAll[Tag](ctx, c, "/api/mdm/tags/search", q, 1, "Tags")
}

// Device is the part of a device row flowsctl reads.
type Device struct {
	ID                 ID     `json:"Id"`
	UUID               string `json:"Uuid"`
	SerialNumber       string `json:"SerialNumber"`
	DeviceFriendlyName string `json:"DeviceFriendlyName"`
	UserName           string `json:"UserName"`
	Platform           string `json:"Platform"`
}

// Devices searches devices (204 = none).
func (c *Client) Devices(ctx context.Context, q url.Values) ([]Device, error) {
	return searchAll[Device](ctx, c, "/api/mdm/devices/search", q, 1, "Devices")
}
