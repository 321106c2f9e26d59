package mobileflows

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/flowsctl/flowsctl/internal/httpx"
)

// ObjectTypeInfo summarizes one object type of a discovery document.
type ObjectTypeInfo struct {
	Name     string   `json:"name" yaml:"name"`
	Endpoint string   `json:"endpoint" yaml:"endpoint"`
	Pollable bool     `json:"pollable" yaml:"pollable"`
	Actions  []string `json:"supportedActions,omitempty" yaml:"supportedActions,omitempty"`
	Fields   []string `json:"fields,omitempty" yaml:"fields,omitempty"`
}

// ActionInfo summarizes one connector-level action.
type ActionInfo struct {
	Key    string `json:"key" yaml:"key"`
	Type   string `json:"type" yaml:"type"`
	URL    string `json:"url" yaml:"url"`
	Label  string `json:"label,omitempty" yaml:"label,omitempty"`
	Action string `json:"actionKey" yaml:"actionKey"`
}

// Discovery is what a connector's discovery URL advertises.
type Discovery struct {
	URL         string           `json:"url" yaml:"url"`
	Image       string           `json:"image,omitempty" yaml:"image,omitempty"`
	TestAuth    string           `json:"testAuth,omitempty" yaml:"testAuth,omitempty"`
	ObjectTypes []ObjectTypeInfo `json:"objectTypes" yaml:"objectTypes"`
	Actions     []ActionInfo     `json:"actions" yaml:"actions"`
	Config      []string         `json:"config,omitempty" yaml:"config,omitempty"`
	// Warnings are problems the schema allows but the mobile flows server will trip on.
	Warnings []string `json:"warnings,omitempty" yaml:"warnings,omitempty"`
}

// DiscoveryError is an invalid discovery document or answer; Problems lists every finding.
type DiscoveryError struct {
	URL      string
	Problems []string
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("connector discovery %s is not valid: %s (the document must follow connector-discovery-schema.json: https://github.com/vmware-samples/card-connectors-guide)",
		e.URL, strings.Join(e.Problems, "; "))
}

// CheckDiscoveryURL requires an absolute https URL: the mobile flows server only calls public HTTPS.
func CheckDiscoveryURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("discovery URL %q is not an absolute URL", raw)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("discovery URL %q must use https: the mobile flows server only calls connectors over HTTPS (put the connector behind a TLS proxy)", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("discovery URL must not carry credentials: discovery is fetched unauthenticated")
	}
	return u, nil
}

// FetchDiscovery GETs the discovery document unauthenticated, requires 200 and
// Content-Type application/json, and validates it.
func FetchDiscovery(ctx context.Context, hc *httpx.Client, raw string) (*Discovery, error) {
	u, err := CheckDiscoveryURL(raw)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching connector discovery %s: %w", raw, err)
	}
	b, err := httpx.ReadBodyLimit(resp, 1<<20)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		e := httpx.NewAPIError("mobileflows", resp, b)
		e.Object = "connector discovery " + raw
		e.FixMsg = "GET / must answer 200 application/json"
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			e.FixMsg = "discovery must be reachable without authentication (permit GET / in the connector's security config)"
		}
		return nil, e
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" {
		got := mt
		if got == "" {
			got = "no Content-Type"
		}
		return nil, &DiscoveryError{URL: raw, Problems: []string{"Content-Type is " + got + ", must be application/json"}}
	}
	d, err := ParseDiscovery(b)
	if err != nil {
		if de, ok := err.(*DiscoveryError); ok {
			de.URL = raw
		}
		return nil, err
	}
	d.URL = raw
	return d, nil
}

// ParseDiscovery validates a discovery document with checks that mirror
// connector-discovery-schema.json and summarizes it.
func ParseDiscovery(b []byte) (*Discovery, error) {
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, &DiscoveryError{Problems: []string{"not JSON: " + err.Error()}}
	}
	v := &validator{}
	d := &Discovery{ObjectTypes: []ObjectTypeInfo{}, Actions: []ActionInfo{}}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, &DiscoveryError{Problems: []string{"the document must be a JSON object"}}
	}
	if x, ok := root["image"]; ok {
		d.Image = v.link("image", x)
	}
	if x, ok := root["test_auth"]; ok {
		d.TestAuth = v.link("test_auth", x)
	}
	v.members("", root, "object_types", func(p, name string, x any) {
		d.ObjectTypes = append(d.ObjectTypes, v.objectType(p, name, x))
	})
	v.members("", root, "actions", func(p, k string, x any) { d.Actions = append(d.Actions, v.action(p, k, x)) })
	v.members("", root, "config", func(p, k string, x any) {
		v.config(p, x)
		d.Config = append(d.Config, k)
	})
	if len(v.problems) > 0 {
		return nil, &DiscoveryError{Problems: v.problems}
	}
	if len(d.ObjectTypes) == 0 && len(d.Actions) == 0 {
		d.Warnings = append(d.Warnings, "no object_types and no actions: the connector would produce nothing")
	}
	for _, ot := range d.ObjectTypes {
		if !absoluteHTTP(ot.Endpoint) {
			d.Warnings = append(d.Warnings, fmt.Sprintf("object type %s: endpoint %q is not an absolute URL the mobile flows server can call", ot.Name, ot.Endpoint))
		}
	}
	return d, nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

type validator struct{ problems []string }

func (v *validator) add(path, format string, a ...any) {
	v.problems = append(v.problems, path+": "+fmt.Sprintf(format, a...))
}

func (v *validator) object(path string, x any) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.add(path, "must be an object, got %s", kind(x))
		return nil
	}
	return m
}

func kind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

func (v *validator) link(path string, x any) string {
	m := v.object(path, x)
	if m == nil {
		return ""
	}
	h, ok := m["href"]
	if !ok {
		v.add(path, "href is required")
		return ""
	}
	s, ok := h.(string)
	if !ok {
		v.add(path+".href", "must be a string, got %s", kind(h))
	}
	return s
}

func (v *validator) str(path string, m map[string]any, key string, required bool) string {
	x, ok := m[key]
	if !ok {
		if required {
			v.add(path, "%s is required", key)
		}
		return ""
	}
	s, ok := x.(string)
	if !ok {
		v.add(path+"."+key, "must be a string, got %s", kind(x))
	}
	return s
}

func (v *validator) boolean(path string, m map[string]any, key string) bool {
	x, ok := m[key]
	if !ok {
		return false
	}
	b, ok := x.(bool)
	if !ok {
		v.add(path+"."+key, "must be a boolean, got %s", kind(x))
	}
	return b
}

func (v *validator) integer(path string, m map[string]any, key string, min *float64) {
	x, ok := m[key]
	if !ok {
		return
	}
	f, ok := x.(float64)
	if !ok || f != float64(int64(f)) {
		v.add(path+"."+key, "must be an integer, got %s", kind(x))
		return
	}
	if min != nil && f < *min {
		v.add(path+"."+key, "must be at least %v", *min)
	}
}

func (v *validator) optObject(path string, m map[string]any, key string) map[string]any {
	x, ok := m[key]
	if !ok {
		return nil
	}
	return v.object(join(path, key), x)
}

// join is path.key ("key" at the root).
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// required returns m[key] after checking it is there, or reports it missing.
func (v *validator) required(path string, m map[string]any, key string) (any, bool) {
	x, ok := m[key]
	if !ok {
		v.add(path, "%s is required", key)
	}
	return x, ok
}

// reqObject checks that m[key] is present and an object.
func (v *validator) reqObject(path string, m map[string]any, key string) map[string]any {
	if x, ok := v.required(path, m, key); ok {
		return v.object(path+"."+key, x)
	}
	return nil
}

// reqLink checks that m[key] is present and a link {href}.
func (v *validator) reqLink(path string, m map[string]any, key string) string {
	if x, ok := v.required(path, m, key); ok {
		return v.link(path+"."+key, x)
	}
	return ""
}

// members calls fn for each member of the optional object m[key], in key order.
func (v *validator) members(path string, m map[string]any, key string, fn func(path, k string, x any)) {
	if o := v.optObject(path, m, key); o != nil {
		for _, k := range slices.Sorted(maps.Keys(o)) {
			fn(join(path, key)+"."+k, k, o[k])
		}
	}
}

// items calls fn for each element of the optional array m[key] that is an object.
func (v *validator) items(path string, m map[string]any, key string, fn func(path string, im map[string]any)) {
	x, ok := m[key]
	if !ok {
		return
	}
	list, ok := x.([]any)
	if !ok {
		v.add(path+"."+key, "must be an array, got %s", kind(x))
	}
	for i, it := range list {
		p := fmt.Sprintf("%s.%s[%d]", path, key, i)
		if im := v.object(p, it); im != nil {
			fn(p, im)
		}
	}
}

func (v *validator) objectType(path, name string, x any) ObjectTypeInfo {
	info := ObjectTypeInfo{Name: name}
	m := v.object(path, x)
	if m == nil {
		return info
	}
	info.Endpoint = v.reqLink(path, m, "endpoint")
	if dx, ok := m["doc"]; ok {
		v.link(path+".doc", dx)
	}
	v.members(path, m, "fields", func(p, k string, x any) {
		v.inputField(p, x)
		info.Fields = append(info.Fields, k)
	})
	info.Pollable = v.boolean(path, m, "pollable")
	v.boolean(path, m, "pre_hire_capable")
	v.boolean(path, m, "post_hire_capable")
	v.members(path, m, "supported_actions", func(p, k string, x any) {
		if am := v.object(p, x); am != nil {
			v.optObject(p, am, "label")
			v.str(p, am, "category", false)
		}
		info.Actions = append(info.Actions, k)
	})
	v.members(path, m, "supported_workflows", func(p, _ string, x any) {
		if wm := v.object(p, x); wm != nil {
			v.optObject(p, wm, "label")
		}
	})
	v.optObject(path, m, "metadata")
	return info
}

func (v *validator) inputField(path string, x any) {
	m := v.object(path, x)
	if m == nil {
		return
	}
	v.str(path, m, "regex", false)
	v.integer(path, m, "capture_group", nil)
	v.str(path, m, "env", false)
	v.boolean(path, m, "required")
	if _, ok := m["capture_group"]; ok {
		if _, ok := m["regex"]; !ok {
			v.add(path, "capture_group needs regex")
		}
	}
}

var httpMethods = map[string]bool{"DELETE": true, "GET": true, "HEAD": true, "OPTIONS": true, "PATCH": true, "POST": true, "PUT": true, "TRACE": true}

func (v *validator) action(path, key string, x any) ActionInfo {
	info := ActionInfo{Key: key}
	m := v.object(path, x)
	if m == nil {
		return info
	}
	info.URL = v.reqLink(path, m, "url")
	if t, ok := v.required(path, m, "type"); ok {
		s, isStr := t.(string)
		if !isStr || !httpMethods[s] {
			v.add(path+".type", "must be an HTTP method (DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE), got %v", t)
		}
		info.Type = s
	}
	if lm := v.reqObject(path, m, "label"); lm != nil {
		info.Label = firstLabel(lm)
	}
	info.Action = v.str(path, m, "action_key", true)
	v.optObject(path, m, "completed_label")
	v.optObject(path, m, "metadata")
	v.members(path, m, "fields", func(p, _ string, x any) { v.inputField(p, x) })
	if _, hasUI := m["user_input"]; info.Action == "USER_INPUT" && !hasUI {
		v.add(path, "user_input is required when action_key is USER_INPUT")
	}
	v.items(path, m, "user_input", func(p string, im map[string]any) {
		v.str(p, im, "id", true)
		v.reqObject(p, im, "label")
		f := v.str(p, im, "format", true)
		zero := 0.0
		v.integer(p, im, "min_length", &zero)
		v.integer(p, im, "max_length", &zero)
		if _, hasSel := im["select"]; f == "select" && !hasSel {
			v.add(p, "select is required when format is select")
		}
		v.items(p, im, "select", func(sp string, sm map[string]any) {
			v.str(sp, sm, "value", true)
			v.optObject(sp, sm, "label")
		})
	})
	return info
}

func (v *validator) config(path string, x any) {
	m := v.object(path, x)
	if m == nil {
		return
	}
	v.str(path, m, "type", true)
	v.reqObject(path, m, "label")
	v.str(path, m, "default", false)
	v.optObject(path, m, "description")
	v.items(path, m, "validators", func(p string, vm map[string]any) {
		v.str(p, vm, "type", true)
		v.reqObject(p, vm, "description")
		v.str(p, vm, "value", false)
	})
}

func firstLabel(m map[string]any) string {
	if s, ok := m["en-US"].(string); ok {
		return s
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}
