package config

import (
	"fmt"
	"reflect"
	"strings"
)

// fieldDoc documents one key. Allowed and Default override what the generator derives.
type fieldDoc struct {
	Desc    string
	Allowed string
	Default string
}

// docRow is one key of the schema as the generator sees it.
type docRow struct {
	Path    string // with [] for list elements
	Type    string
	Default string
	Doc     fieldDoc
	Section bool
}

// schemaRows walks the Config type and lists every key with its type and default: in each
// section its own keys first, then its subsections.
func schemaRows() []docRow {
	def := docDefaults()
	var rows []docRow
	var walk func(t reflect.Type, v reflect.Value, path string)
	walk = func(t reflect.Type, v reflect.Value, path string) {
		type child struct {
			row  docRow
			t    reflect.Type
			v    reflect.Value
			path string
		}
		var children []child
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := yamlName(f)
			if name == "" {
				continue
			}
			p := joinPath(path, name)
			ft := f.Type
			fv := fieldValue(v, i)
			switch {
			case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
				var ev reflect.Value
				if fv.IsValid() && !fv.IsNil() {
					ev = fv.Elem()
				}
				children = append(children, child{docRow{Path: p, Type: "section", Doc: docFor(p), Section: true}, ft.Elem(), ev, p})
			case ft.Kind() == reflect.Struct && ft != durationType:
				children = append(children, child{docRow{Path: p, Type: "section", Doc: docFor(p), Section: true}, ft, fv, p})
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				var ev reflect.Value
				if fv.IsValid() && fv.Len() > 0 {
					ev = fv.Index(0)
				}
				children = append(children, child{docRow{Path: p, Type: "list of " + name, Doc: docFor(p), Section: true}, ft.Elem(), ev, p + "[]"})
			default:
				rows = append(rows, docRow{Path: p, Type: typeName(ft), Default: showDefault(fv), Doc: docFor(p)})
			}
		}
		for _, c := range children {
			rows = append(rows, c.row)
			walk(c.t, c.v, c.path)
		}
	}
	walk(reflect.TypeOf(Config{}), reflect.ValueOf(def).Elem(), "")
	return rows
}

func fieldValue(v reflect.Value, i int) reflect.Value {
	if !v.IsValid() {
		return reflect.Value{}
	}
	return v.Field(i)
}

func typeName(t reflect.Type) string {
	switch t {
	case durationType:
		return "duration"
	case secretRefType:
		return "secret ref"
	case urlType:
		return "URL"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Bool:
		return "boolean"
	}
	return "string"
}

func showDefault(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	switch x := v.Interface().(type) {
	case Duration:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case []string:
		if len(x) == 0 {
			return ""
		}
		return "[" + strings.Join(x, ", ") + "]"
	case *bool:
		if x == nil {
			return ""
		}
		return fmt.Sprint(*x)
	case int:
		return fmt.Sprint(x)
	case bool:
		return fmt.Sprint(x)
	}
	return v.String()
}

// docDefaults is a config with every section present and nothing set, after ApplyDefaults:
// exactly the defaults, without the placeholders Default() adds.
func docDefaults() *Config {
	doc := `
azure: {}
access: {scimClient: {}, directory: {}}
identityServices: {oidc: {}}
uem: {auth: {oauth: {}, basic: {}}, mobileFlows: {connectors: [{}]}, boxer: {}, integrations: [{}]}
okta: {oidcApp: {}}
doctor: {}
`
	c, _ := decode("flowsctl.yaml", []byte(doc))
	ApplyDefaults(c)
	return c
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

// Reference is docs/configuration.md: every key of flowsctl.yaml with its type, default,
// allowed values and meaning, generated from the schema (types.go), the defaults
// (ApplyDefaults) and the documentation table next to the validation rules (schema.go).
func Reference() string {
	var b strings.Builder
	b.WriteString(referenceIntro)
	b.WriteString("\n## Environment overrides\n\n")
	b.WriteString("Precedence: command-line flag > `FLOWSCTL_*` variable > file > default. An override applies only\n")
	b.WriteString("when the file has the section it belongs to. A problem with an overridden value names the variable.\n\n")
	b.WriteString("| variable | replaces | what |\n|---|---|---|\n")
	for _, o := range EnvOverrides {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", o.Name, o.Path, cell(o.Desc))
	}
	rows := schemaRows()
	b.WriteString("\n## Top level\n\n")
	var open bool
	for _, r := range rows {
		if r.Section {
			top := !strings.Contains(r.Path, ".")
			if top {
				fmt.Fprintf(&b, "\n## `%s`\n\n", r.Path)
			} else {
				fmt.Fprintf(&b, "\n### `%s`\n\n", r.Path)
			}
			if r.Doc.Desc != "" {
				b.WriteString(r.Doc.Desc + "\n\n")
			}
			if strings.HasPrefix(r.Type, "list of ") {
				b.WriteString("A list; each item has the keys below.\n\n")
			}
			open = false
			continue
		}
		if !open {
			b.WriteString("| key | type | default | allowed | description |\n|---|---|---|---|---|\n")
			open = true
		}
		def := code(r.Default)
		if r.Doc.Default != "" {
			def = r.Doc.Default
		}
		if def == "" {
			def = "—"
		}
		allowed := r.Doc.Allowed
		if allowed == "" {
			allowed = "—"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Path, r.Type, cell(def), cell(allowed), cell(r.Doc.Desc))
	}
	return b.String()
}

// docFor is the documentation of a key: fieldDocs, or a section's own table (oktaDocs).
func docFor(p string) fieldDoc {
	if d, ok := fieldDocs[p]; ok {
		return d
	}
	return oktaDocs[p]
}
