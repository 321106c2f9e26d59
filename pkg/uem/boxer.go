package uem

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
	"github.com/flowsctl/flowsctl/pkg/object"
	"github.com/flowsctl/flowsctl/pkg/plan"
)

// DefaultMobileFlowsHost is the mobile flows cloud service (the Teams mobile flows guide).
const DefaultMobileFlowsHost = "https://prod.hero.vmwservices.com"

// BoxerBundleIDs are the Workspace ONE Boxer public apps (iOS, Android).
var BoxerBundleIDs = []string{"com.air-watch.boxer", "com.boxer.email"}

// The five application configuration keys of the Teams mobile flows guide, in its order.
const (
	KeyEnabled    = "AppMobileFlowsEnabled"
	KeyHost       = "AppMobileFlowsHost"
	KeyVIDM       = "AppMobileFlowsvIDM"
	KeySyncHours  = "AppMobileFlowsSyncTimeHours"
	KeyAutoEnable = "AppMobileFlowsAutoEnableConnectors"
)

// AppConfigValue is one key of application_configuration.
type AppConfigValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"` // BOOLEAN | STRING | INTEGER
}

// BoxerSpec is what `uem boxer configure` converges.
type BoxerSpec struct {
	SmartGroups []string
	Keys        []AppConfigValue
	// OrganizationGroup scopes the smart-group and app lookups ("" = the account's OG).
	OrganizationGroup string
}

// BoxerSpecFrom builds the spec from uem.boxer, uem.mobileFlows.host and access.url.
func BoxerSpecFrom(cfg *config.Config) (BoxerSpec, error) {
	if cfg.UEM == nil || cfg.UEM.Boxer == nil {
		return BoxerSpec{}, errors.New("the config has no uem.boxer section (add uem.boxer.smartGroups)")
	}
	b := cfg.UEM.Boxer
	if len(b.SmartGroups) == 0 {
		return BoxerSpec{}, errors.New("uem.boxer.smartGroups is empty: name the smart groups whose Boxer assignment gets the mobile flows keys")
	}
	host := DefaultMobileFlowsHost
	if cfg.UEM.MobileFlows != nil && cfg.UEM.MobileFlows.Host != "" {
		host = strings.TrimRight(string(cfg.UEM.MobileFlows.Host), "/")
	}
	if cfg.Access == nil || cfg.Access.URL == "" {
		return BoxerSpec{}, errors.New("AppMobileFlowsvIDM needs the Access URL: set access.url")
	}
	sync := b.SyncTimeHours
	if sync == 0 {
		sync = 24
	}
	if sync < 0 {
		return BoxerSpec{}, fmt.Errorf("uem.boxer.syncTimeHours %d: must be a positive number of hours (e.g. 24)", sync)
	}
	return BoxerSpec{
		SmartGroups:       b.SmartGroups,
		OrganizationGroup: cfg.UEM.OrganizationGroup,
		Keys: []AppConfigValue{
			{KeyEnabled, strconv.FormatBool(b.Enabled), "BOOLEAN"},
			{KeyHost, host, "STRING"},
			{KeyVIDM, config.MobileFlowsVIDM(string(cfg.Access.URL)), "STRING"},
			{KeySyncHours, strconv.Itoa(sync), "INTEGER"},
			{KeyAutoEnable, strconv.FormatBool(b.AutoEnableConnectors), "BOOLEAN"},
		},
	}, nil
}

// Boxer converges the mobile flows keys on the Boxer app assignments (step uem.boxer).
type Boxer struct {
	C    *Client
	Spec BoxerSpec
}

// boxerApp is one Boxer app with its assignment rules as read (kept verbatim for the PUT).
type boxerApp struct {
	app   App
	rules map[string]any
	// assignments of rules["assignments"], the same maps
	assignments []map[string]any
}

func (b *Boxer) ogID(ctx context.Context) (int, error) {
	if b.Spec.OrganizationGroup == "" {
		return 0, nil
	}
	og, err := b.C.FindOrganizationGroup(ctx, b.Spec.OrganizationGroup)
	if err != nil {
		return 0, fmt.Errorf("uem.organizationGroup: %w", err)
	}
	return int(og.ID), nil
}

// findApps returns the Boxer public apps visible to the account.
func (b *Boxer) findApps(ctx context.Context, ogID int) ([]*boxerApp, error) {
	q := url.Values{"applicationname": {"Boxer"}, "applicationtype": {"Public"}}
	if ogID > 0 {
		q.Set("locationgroupid", strconv.Itoa(ogID))
	}
	apps, err := b.C.Apps(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("searching the Workspace ONE Boxer app: %w", err)
	}
	var out []*boxerApp
	for _, a := range apps {
		isBoxer := strings.Contains(strings.ToLower(a.ApplicationName), "boxer")
		for _, id := range BoxerBundleIDs {
			isBoxer = isBoxer || strings.EqualFold(a.BundleID, id)
		}
		if !isBoxer || (a.AppType != "" && !strings.EqualFold(a.AppType, "Public")) {
			continue
		}
		if a.UUID == "" {
			return nil, fmt.Errorf("app %q (id %d) has no Uuid in the search answer; the v2 assignment rules need it", a.ApplicationName, a.ID)
		}
		out = append(out, &boxerApp{app: a})
	}
	if len(out) == 0 {
		return nil, errors.New("no Workspace ONE Boxer public app found: add it at Apps & Books > Applications > Native > Public > Add Application (search \"Workspace ONE Boxer\"), then re-run")
	}
	return out, nil
}

func (b *Boxer) readRules(ctx context.Context, ba *boxerApp) error {
	var raw json.RawMessage
	path := "/api/mam/apps/" + url.PathEscape(ba.app.UUID) + "/assignment-rules"
	if _, err := b.C.Do(ctx, http.MethodGet, path, nil, 2, nil, &raw); err != nil {
		return fmt.Errorf("reading the assignments of %q: %w", ba.app.ApplicationName, err)
	}
	m := map[string]any{}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // keep every number exactly as read for the PUT
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("decoding the assignments of %q: %w", ba.app.ApplicationName, err)
		}
	}
	ba.rules = m
	ba.assignments = nil
	list, _ := m["assignments"].([]any)
	for _, a := range list {
		if am, ok := a.(map[string]any); ok {
			ba.assignments = append(ba.assignments, am)
		}
	}
	return nil
}

func assignmentGroups(a map[string]any) []string {
	d, _ := a["distribution"].(map[string]any)
	var out []string
	if d == nil {
		return nil
	}
	list, _ := d["smart_groups"].([]any)
	for _, x := range list {
		switch v := x.(type) {
		case string:
			out = append(out, v)
		case map[string]any: // tolerate {uuid,name} objects
			if s, ok := v["uuid"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func findAssignment(ba *boxerApp, sgUUID string) map[string]any {
	for _, a := range ba.assignments {
		for _, g := range assignmentGroups(a) {
			if strings.EqualFold(g, sgUUID) {
				return a
			}
		}
	}
	return nil
}

func readConfig(a map[string]any) []map[string]any {
	list, _ := a["application_configuration"].([]any)
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}

// sameKeyValue compares a key's live value with the wanted one. The vIDM URL ignores a trailing
// slash and the case of scheme and host; a live value ending in /SAAS still differs (keyNote says why).
func sameKeyValue(key, have, want string) bool {
	if key == KeyVIDM {
		norm := func(s string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "/")) }
		return norm(have) == norm(want)
	}
	return have == want
}

// keyNote explains a known wrong value of a key.
func keyNote(key, have string) string {
	if key == KeyVIDM && config.MobileFlowsVIDM(have) != strings.TrimRight(strings.TrimSpace(have), "/") {
		return "; Boxer wants the Access tenant URL without /SAAS"
	}
	return ""
}

// mergeKeys sets want on assignment a (in place when apply), keeping every other key.
// It returns the field changes (key-level) and the kept foreign keys.
func mergeKeys(a map[string]any, want []AppConfigValue, prefix string, apply bool) (plan.Diff, []plan.FieldChange) {
	cur := readConfig(a)
	var d plan.Diff
	var kept []plan.FieldChange
	wanted := map[string]AppConfigValue{}
	for _, w := range want {
		wanted[w.Key] = w
	}
	seen := map[string]bool{}
	for _, e := range cur {
		k := str(e["key"])
		w, ok := wanted[k]
		if !ok {
			kept = append(kept, plan.FieldChange{Path: prefix + k, Old: str(e["value"]), Keep: true})
			continue
		}
		seen[k] = true
		oldV, oldT := str(e["value"]), strings.ToUpper(str(e["type"]))
		if !sameKeyValue(k, oldV, w.Value) || (oldT != "" && oldT != w.Type) {
			d = append(d, plan.FieldChange{Path: prefix + k, Old: oldV + " (" + oldT + ")", New: w.Value + " (" + w.Type + ")" + keyNote(k, oldV)})
			if apply {
				e["value"], e["type"] = w.Value, w.Type
			}
		}
	}
	for _, w := range want {
		if seen[w.Key] {
			continue
		}
		d = append(d, plan.FieldChange{Path: prefix + w.Key, New: w.Value + " (" + w.Type + ")"})
		if apply {
			list, _ := a["application_configuration"].([]any)
			a["application_configuration"] = append(list, map[string]any{"key": w.Key, "value": w.Value, "type": w.Type})
		}
	}
	return d, kept
}

// survey reads everything and computes the changes; with apply it also edits the read rules
// in place so that a PUT of them converges.
func (b *Boxer) survey(ctx context.Context, apply bool) ([]*boxerApp, []SmartGroup, []plan.Change, map[*boxerApp]bool, error) {
	ogID, err := b.ogID(ctx)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	apps, sgs, err := b.appsAndSmartGroups(ctx, ogID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, ba := range apps {
		if err := b.readRules(ctx, ba); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	changes, dirty := b.compare(apps, sgs, apply)
	return apps, sgs, changes, dirty, nil
}

// compare computes the changes from the rules read into apps, for the smart groups sgs; with
// apply it edits the rules in place so that a PUT of them converges.
func (b *Boxer) compare(apps []*boxerApp, sgs []SmartGroup, apply bool) ([]plan.Change, map[*boxerApp]bool) {
	dirty := map[*boxerApp]bool{}
	var changes []plan.Change
	for _, ba := range apps {
		for _, sg := range sgs {
			obj := fmt.Sprintf("boxer assignment %q / smart group %q", ba.app.ApplicationName, sg.Name)
			a := findAssignment(ba, sg.UUID)
			if a == nil {
				nc := plan.Change{Object: obj, Action: plan.Create, Note: "new assignment, on demand"}
				for _, k := range b.Spec.Keys {
					nc.Fields = append(nc.Fields, plan.FieldChange{Path: "application_configuration." + k.Key, New: k.Value + " (" + k.Type + ")"})
				}
				changes = append(changes, nc)
				if apply {
					a = newAssignment(ba, sg)
					mergeKeys(a, b.Spec.Keys, "", true)
					dirty[ba] = true
				}
				continue
			}
			d, kept := mergeKeys(a, b.Spec.Keys, "application_configuration.", apply)
			ch := plan.Change{Object: obj, Action: plan.NoOp}
			if len(d) > 0 {
				ch.Action = plan.Update
				ch.Fields = append(ch.Fields, d...)
				ch.Fields = append(ch.Fields, kept...)
				if n := len(ba.assignments) - 1; n > 0 {
					ch.Note = fmt.Sprintf("other keys and %d other assignment(s) kept", n)
				} else {
					ch.Note = "other keys kept"
				}
				dirty[ba] = true
			}
			changes = append(changes, ch)
		}
	}
	return changes, dirty
}

func newAssignment(ba *boxerApp, sg SmartGroup) map[string]any {
	prio := 0
	for _, a := range ba.assignments {
		if n, err := strconv.Atoi(str(a["priority"])); err == nil && n >= prio {
			prio = n + 1
		}
	}
	a := map[string]any{
		"priority": prio,
		"distribution": map[string]any{
			"name":                "Mobile flows - " + sg.Name,
			"smart_groups":        []any{sg.UUID},
			"app_delivery_method": "ON_DEMAND",
		},
		"application_configuration": []any{},
	}
	list, _ := ba.rules["assignments"].([]any)
	ba.rules["assignments"] = append(list, a)
	ba.assignments = append(ba.assignments, a)
	return a
}

// Plan reports key-level changes per assignment. Read-only.
func (b *Boxer) Plan(ctx context.Context) ([]plan.Change, error) {
	_, _, ch, _, err := b.survey(ctx, false)
	return ch, err
}

// Apply sets the keys and PUTs the assignment rules of each app that needs it (202), then reads
// back the rules of those apps (the organization group, the apps and the smart groups it found
// before the PUT are not asked for again: the PUT changed none of them). A second Apply makes no
// write.
func (b *Boxer) Apply(ctx context.Context) (object.Result, error) {
	res := object.Result{Object: "boxer assignments", Kind: "boxer assignment", Key: strings.Join(b.Spec.SmartGroups, ", "), Action: plan.NoOp}
	apps, sgs, ch, dirty, err := b.survey(ctx, true)
	if err != nil {
		return res, err
	}
	for _, ba := range apps {
		if !dirty[ba] {
			continue
		}
		path := "/api/mam/apps/" + url.PathEscape(ba.app.UUID) + "/assignment-rules"
		if _, err := b.C.Do(ctx, http.MethodPut, path, nil, 2, ba.rules, nil); err != nil {
			return res, fmt.Errorf("updating the assignments of %q: %w", ba.app.ApplicationName, err)
		}
	}
	for _, c := range ch {
		if c.Action != plan.NoOp {
			res.Changes = append(res.Changes, c)
		}
	}

	if len(dirty) > 0 {
		var written []*boxerApp
		for _, ba := range apps {
			if dirty[ba] {
				if err := b.readRules(ctx, ba); err != nil {
					return res, fmt.Errorf("reading back the Boxer assignments: %w", err)
				}
				written = append(written, ba)
			}
		}
		if after, _ := b.compare(written, sgs, false); plan.Pending(after) {
			return res, errors.New("the Boxer assignments do not show the mobile flows keys after the update (UEM accepted it with 202 but did not apply it); check Apps & Books > Public > Workspace ONE Boxer > Assignments")
		}
	}
	return res, nil
}

// Verify checks that every configured smart group's Boxer assignment carries the five keys with
// the right values.
func (b *Boxer) Verify(ctx context.Context) []doctor.Check {
	_, _, ch, _, err := b.survey(ctx, false)
	if err != nil {
		return []doctor.Check{{ID: "uem.boxer", Title: "Boxer mobile flows keys", Status: doctor.Fail, Detail: err.Error(),
			Fix: "flowsctl uem boxer configure"}}
	}
	var out []doctor.Check
	for i, c := range ch {
		ck := doctor.Check{ID: "uem.boxer." + strconv.Itoa(i+1), Title: c.Object, Status: doctor.Pass,
			Detail: "AppMobileFlows* keys present with the configured values"}
		if c.Action != plan.NoOp {
			var miss []string
			for _, f := range c.Fields {
				if !f.Keep {
					miss = append(miss, f.Path)
				}
			}
			sort.Strings(miss)
			ck.Status, ck.Detail = doctor.Fail, "missing or different: "+strings.Join(miss, ", ")
			ck.Fix = "flowsctl uem boxer configure"
		}
		out = append(out, ck)
	}
	return out
}
