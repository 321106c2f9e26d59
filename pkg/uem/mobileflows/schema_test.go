package mobileflows_test

import (
	"fmt"
	"reflect"
	"strings"
)

// schemaValidator is the subset of JSON Schema (draft-07 keywords) that
// connector-discovery-schema.json uses; "format" is an annotation, as in draft-07 by default.
type schemaValidator struct {
	root map[string]any
}

func (v schemaValidator) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name := strings.TrimPrefix(ref, "#/definitions/")
		defs := v.root["definitions"].(map[string]any)
		next, ok := defs[name].(map[string]any)
		if !ok {
			panic("unresolved $ref " + ref)
		}
		s = next
	}
}

func jsonType(x any) string {
	switch t := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if t == float64(int64(t)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (v schemaValidator) validate(path string, s map[string]any, x any) []string {
	s = v.resolve(s)
	var errs []string
	if t, ok := s["type"].(string); ok {
		got := jsonType(x)
		if !(got == t || (t == "number" && got == "integer")) {
			return []string{fmt.Sprintf("%s: type %s, want %s", path, got, t)}
		}
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, c := range e {
			found = found || reflect.DeepEqual(c, x)
		}
		if !found {
			errs = append(errs, path+": not in enum")
		}
	}
	if c, ok := s["const"]; ok && !reflect.DeepEqual(c, x) {
		errs = append(errs, path+": const mismatch")
	}
	if m, ok := s["minimum"].(float64); ok {
		if f, isNum := x.(float64); isNum && f < m {
			errs = append(errs, path+": below minimum")
		}
	}
	if branches, ok := s["anyOf"].([]any); ok {
		okAny := false
		for _, sub := range branches {
			if len(v.validate(path, sub.(map[string]any), x)) == 0 {
				okAny = true
			}
		}
		if !okAny {
			errs = append(errs, path+": matches no anyOf branch")
		}
	}
	if ifs, ok := s["if"].(map[string]any); ok {
		if len(v.validate(path, ifs, x)) == 0 {
			if then, ok := s["then"].(map[string]any); ok {
				errs = append(errs, v.validate(path, then, x)...)
			}
		}
	}
	if obj, ok := x.(map[string]any); ok {
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, has := obj[r.(string)]; !has {
					errs = append(errs, path+": missing "+r.(string))
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, val := range obj {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, v.validate(path+"."+k, ps, val)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				errs = append(errs, v.validate(path+"."+k, ap, val)...)
			}
		}
		if deps, ok := s["dependencies"].(map[string]any); ok {
			for k, d := range deps {
				if _, has := obj[k]; !has {
					continue
				}
				if dm, ok := d.(map[string]any); ok {
					errs = append(errs, v.validate(path, dm, x)...)
				}
			}
		}
	}
	if arr, ok := x.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range arr {
				errs = append(errs, v.validate(fmt.Sprintf("%s[%d]", path, i), items, it)...)
			}
		}
	}
	return errs
}

func (v schemaValidator) Validate(x any) []string { return v.validate("$", v.root, x) }
