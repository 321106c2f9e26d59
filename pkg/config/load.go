package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowsctl/flowsctl/internal/safefile"
	"github.com/flowsctl/flowsctl/internal/text"
	"gopkg.in/yaml.v3"
)

// Load reads path and returns the effective config: the file decoded strictly, FLOWSCTL_*
// overrides applied (ApplyEnv), the guides' defaults filled in, and validated. Every problem found is
// returned at once as *Errors. Command-line flags are applied by the CLI afterwards.
func Load(path string) (*Config, error) {
	b, err := safefile.Read(path, safefile.MaxConfig)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read config: %w (create one with: flowsctl init)", err)
		}
		return nil, fmt.Errorf("read config: %w (the config must be a regular file of at most %d MiB)", err, safefile.MaxConfig>>20)
	}
	return load(path, b, os.Getenv)
}

// Parse decodes a document strictly, fills defaults and validates it, without looking at the
// environment. name is used in positions and as the base for relative file: paths.
func Parse(name string, b []byte) (*Config, error) {
	return load(name, b, nil)
}

func load(name string, b []byte, getenv func(string) string) (*Config, error) {
	c, errs := decode(name, b)
	if errs.tooLarge {
		return nil, errs
	}
	if getenv != nil {
		ApplyEnv(c, getenv)
	}
	ApplyDefaults(c)
	if verr, ok := c.Validate().(*Errors); ok {
		// A field that did not decode is reported once, not again as out of range.
		bad := map[string]bool{}
		for _, p := range errs.Problems {
			if p.Key == "" {
				bad[p.Path] = true
			}
		}
		for _, p := range verr.Problems {
			if !bad[p.Path] {
				errs.add(p)
			}
		}
	}
	if errs.Len() > 0 {
		errs.sort()
		errs.Problems = dedupe(errs.Problems)
		if n := len(errs.Problems); n > maxProblems {
			errs.Problems = append(errs.Problems[:maxProblems], Problem{File: name,
				Message: fmt.Sprintf("%d more problems not shown; fix the ones above first", n-maxProblems)})
		}
		return nil, errs
	}
	c.absolutize()
	return c, nil
}

// maxProblems caps the list so a broken generated file does not flood the terminal.
const maxProblems = 200

func dedupe(ps []Problem) []Problem {
	seen := map[string]bool{}
	out := ps[:0]
	for _, p := range ps {
		k := p.String()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// meta is what the loader learned about the document beyond the values: where each field was
// written, which were given by the environment, which were filled with a derived default.
type meta struct {
	decoded   bool // built by the loader (not in code): absent keys are known
	pos       map[string]position
	env       map[string]string // field path -> FLOWSCTL_* variable that set it
	defaulted map[string]bool   // field path -> value was filled by ApplyDefaults
}

type position struct{ line, col int }

func (c *Config) metadata() *meta {
	if c.meta == nil {
		c.meta = &meta{pos: map[string]position{}, env: map[string]string{}, defaulted: map[string]bool{}}
	}
	return c.meta
}

// present reports whether the document set path (so a default must not replace it).
func (c *Config) present(path string) bool {
	if c.meta == nil {
		return false
	}
	_, ok := c.meta.pos[path]
	if !ok {
		_, ok = c.meta.env[path]
	}
	return ok
}

// problem builds a Problem for path with the best location known.
func (c *Config) problem(path, msg string) Problem {
	p := Problem{File: c.Path, Path: path, Message: msg}
	if c.meta != nil {
		if env, ok := c.meta.env[path]; ok {
			p.Source = env
		} else if pos, ok := c.nearestPos(path); ok {
			p.Line, p.Column = pos.line, pos.col
		}
	}
	return p
}

// nearestPos is where path was written or, for a missing key, where its closest written
// parent mapping is.
func (c *Config) nearestPos(path string) (position, bool) {
	for path != "" {
		if pos, ok := c.meta.pos[path]; ok {
			return pos, true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return position{}, false
}

// decodeBudget bounds the work on hostile documents (aliases expanding into large trees).
const decodeBudget = 200000

type decoder struct {
	file   string
	errs   *Errors
	meta   *meta
	budget int
	spent  bool
	// aliased: the document uses aliases (*name), which can expand a small file into a huge tree.
	aliased bool
	active  map[*yaml.Node]bool // mappings being decoded, to catch self-referencing merges
}

// decode turns the document into a Config, collecting every unknown key and type error.
func decode(name string, b []byte) (*Config, *Errors) {
	c := &Config{Path: name}
	m := c.metadata()
	m.decoded = true
	errs := &Errors{}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		if p, ok := controlProblem(name, b); ok {
			errs.add(p)
			return c, errs
		}
		errs.add(syntaxProblem(name, err))
		return c, errs
	}
	d := &decoder{file: name, errs: errs, meta: m, budget: decodeBudget, active: map[*yaml.Node]bool{}}
	n := &root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			errs.add(emptyProblem(name))
			return c, errs
		}
		n = n.Content[0]
	}
	if n.Kind == 0 || isNull(n) {
		errs.add(emptyProblem(name))
		return c, errs
	}
	d.value(n, reflect.ValueOf(c).Elem(), "", 0)
	return c, errs
}

// emptyProblem: a file with no settings (empty, only comments, or null) would make every
// command a silent no-op.
func emptyProblem(name string) Problem {
	return Problem{File: name, Message: "the file is empty (no settings): write one with `flowsctl init`, or start from flowsctl.example.yaml"}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

func syntaxProblem(name string, err error) Problem {
	msg := err.Error()
	p := Problem{File: name, Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Column = 1
		p.Message = "invalid YAML: " + msg[len(m[0]):]
	}
	return p
}

// controlProblem locates the first character YAML does not allow in a document (a NUL byte, another
// C0 control other than tab/newline/carriage return, DEL, or bytes that are not UTF-8), which yaml.v3
// reports without a position.
func controlProblem(name string, b []byte) (Problem, bool) {
	line, col := 1, 1
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		var what string
		switch {
		case r == utf8.RuneError && size <= 1:
			what = fmt.Sprintf("a byte that is not UTF-8 (0x%02X)", b[i])
		case r == 0:
			what = "a NUL byte (0x00)"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			what = fmt.Sprintf("a control character (0x%02X)", r)
		}
		if what != "" {
			return Problem{File: name, Line: line, Column: col,
				Message: "invalid YAML: " + what + " here; save the file as plain UTF-8 text"}, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return Problem{}, false
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

var (
	durationType  = reflect.TypeOf(Duration{})
	secretRefType = reflect.TypeOf(SecretRef(""))
	urlType       = reflect.TypeOf(URL(""))
)

func (d *decoder) fail(n *yaml.Node, path, msg string) {
	d.errs.add(Problem{File: d.file, Line: n.Line, Column: n.Column, Path: path, Message: msg})
}

func (d *decoder) record(n *yaml.Node, path string) {
	if path != "" {
		d.meta.pos[path] = position{n.Line, n.Column}
	}
}

// resolve follows aliases (bounded: yaml.v3 rejects cycles, but stay defensive) and notes that
// the document uses them, so that a document over budget is blamed on its aliases only when it
// has any.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		d.aliased = true
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int":
			return "a number"
		case "!!float":
			return "a number"
		case "!!bool":
			return "true/false"
		case "!!null":
			return "nothing"
		}
		return "a string"
	}
	return "something else"
}

// overBudget reports (once) a document that expands beyond the decoder's budget or depth.
func (d *decoder) overBudget(n *yaml.Node, path string, depth int) bool {
	d.budget--
	if d.budget >= 0 && depth <= 32 {
		return false
	}
	if !d.spent {
		d.spent = true
		d.errs.tooLarge = true
		switch {
		case depth > 32:
			d.fail(n, path, "document too deeply nested (more than 32 levels); flowsctl.yaml needs a handful")
		case d.aliased:
			d.fail(n, path, fmt.Sprintf("document too large: its aliases (*name) expand to more than %d values", decodeBudget))
		default:
			d.fail(n, path, fmt.Sprintf("document too large: more than %d values", decodeBudget))
		}
	}
	return true
}

// is reports whether n holds a value of kind to decode: false for null (nothing written), and
// false after failing "expected <expected>, got <kind>" for another kind. It never shows the
// value written.
func (d *decoder) is(n *yaml.Node, path string, kind yaml.Kind, expected string) bool {
	if isNull(n) {
		return false
	}
	if n.Kind != kind {
		d.fail(n, path, fmt.Sprintf("expected %s, got %s", expected, kindName(n)))
		return false
	}
	return true
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, depth int) {
	n = d.resolve(n)
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if d.overBudget(n, path, depth) {
		return
	}
	d.record(n, path)
	t := v.Type()
	switch t {
	case durationType:
		if !d.is(n, path, yaml.ScalarNode, "a duration such as 10m, 24h, 10d, 12mo, 1y") {
			return
		}
		dur, err := ParseDuration(n.Value)
		if err != nil {
			d.fail(n, path, err.Error())
			return
		}
		v.Set(reflect.ValueOf(dur))
		return
	case secretRefType:
		// is never echoes what was written: it may be a secret.
		if d.is(n, path, yaml.ScalarNode, "a secret reference env:NAME or file:PATH") {
			v.SetString(n.Value)
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			if t.Elem().Kind() == reflect.Struct {
				// "section:" with everything commented out still means the section is wanted.
				v.Set(reflect.New(t.Elem()))
			}
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.value(n, v.Elem(), path, depth+1)
	case reflect.Struct:
		if !d.is(n, path, yaml.MappingNode, fmt.Sprintf("a mapping of keys (%s)", strings.Join(keysOf(t), ", "))) {
			return
		}
		d.mapping(n, v, path, depth, map[string]bool{}, false)
	case reflect.Slice:
		if !d.is(n, path, yaml.SequenceNode, "a list such as [a, b]") {
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.value(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.String:
		if d.is(n, path, yaml.ScalarNode, "a string") {
			v.SetString(n.Value)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if isNull(n) {
			return
		}
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.fail(n, path, fmt.Sprintf("expected a whole number, got %s", describe(n)))
			return
		}
		if v.OverflowInt(i) {
			d.fail(n, path, fmt.Sprintf("%s is out of range", n.Value))
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		if isNull(n) {
			return
		}
		var b bool
		if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
			d.fail(n, path, fmt.Sprintf("expected true or false, got %s", describe(n)))
			return
		}
		v.SetBool(b)
	default:
		d.fail(n, path, "unsupported field type "+t.String())
	}
}

// describe shows a scalar with its value (fields reaching here are never secrets).
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		v := n.Value
		if len(v) > 60 {
			v = v[:60] + "…"
		}
		return fmt.Sprintf("%s %q", kindName(n), v)
	}
	return kindName(n)
}

// mapping decodes the keys of n into struct v. seen holds the keys already set (merge keys
// "<<" only fill keys the mapping itself does not set).
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string, depth int, seen map[string]bool, merged bool) {
	if d.overBudget(n, path, depth) {
		return
	}
	if d.active[n] {
		d.fail(n, path, "a merge key (<<) refers to the mapping that contains it")
		return
	}
	d.active[n] = true
	defer delete(d.active, n)
	t := v.Type()
	fields := fieldIndex(t)
	var merges []*yaml.Node
	firstLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := d.resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.fail(n.Content[i], path, fmt.Sprintf("a key must be a plain string, got %s", kindName(n.Content[i])))
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			merges = append(merges, val)
			continue
		}
		f, ok := fields[k.Value]
		if !ok {
			d.errs.add(Problem{File: d.file, Line: k.Line, Column: k.Column, Path: path, Key: k.Value,
				Message: unknownKeyMessage(k.Value, path, keysOf(t))})
			continue
		}
		if line, dup := firstLine[k.Value]; dup {
			d.fail(k, joinPath(path, k.Value), fmt.Sprintf("key %q is set twice (first on line %d)", k.Value, line))
			continue
		}
		firstLine[k.Value] = k.Line
		if merged && seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		d.value(val, v.FieldByIndex(f), joinPath(path, k.Value), depth+1)
	}
	for _, m := range merges {
		m = d.resolve(m)
		switch {
		case m == nil:
		case m.Kind == yaml.MappingNode:
			d.mapping(m, v, path, depth+1, seen, true)
		case m.Kind == yaml.SequenceNode:
			for _, e := range m.Content {
				if e = d.resolve(e); e != nil && e.Kind == yaml.MappingNode {
					d.mapping(e, v, path, depth+1, seen, true)
				}
			}
		default:
			d.fail(m, path, "a merge key (<<) needs a mapping")
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func unknownKeyMessage(key, path string, valid []string) string {
	where := "in " + path
	if path == "" {
		where = "at the top level"
	}
	msg := fmt.Sprintf("unknown key %q %s", key, where)
	if s := text.Suggest(key, valid); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + " (valid keys: " + strings.Join(valid, ", ") + ")"
}

// yamlName is the YAML key of a struct field ("" when the field is not a key).
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// fieldIndex maps YAML keys to field indexes, from the yaml tags.
func fieldIndex(t reflect.Type) map[string][]int {
	m := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		if n := yamlName(t.Field(i)); n != "" {
			m[n] = t.Field(i).Index
		}
	}
	return m
}

// keysOf lists the YAML keys of a struct type in declaration order.
func keysOf(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if n := yamlName(t.Field(i)); n != "" {
			out = append(out, n)
		}
	}
	return out
}
