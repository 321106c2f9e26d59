package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Marshal writes c as "yaml" or "json" with the YAML key names, in schema order, leaving out
// sections that are not configured. Secret references are written as references; nothing is
// resolved.
func Marshal(c *Config, format string) ([]byte, error) {
	if c == nil {
		c = &Config{}
	}
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, err
	}
	switch format {
	case "yaml", "yml", "":
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&n); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case "json":
		var buf bytes.Buffer
		if err := nodeJSON(&buf, &n); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
			return nil, err
		}
		out.WriteByte('\n')
		return out.Bytes(), nil
	}
	return nil, fmt.Errorf("unknown format %q (use yaml or json)", format)
}

// nodeJSON writes a yaml.Node tree as JSON, keeping the key order of the node.
func nodeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return nodeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return nodeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := nodeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := nodeJSON(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return err
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!int", "!!float":
			var x any
			if err := n.Decode(&x); err != nil {
				return err
			}
			j, err := json.Marshal(x)
			if err != nil {
				return err
			}
			buf.Write(j)
		default:
			s, _ := json.Marshal(n.Value)
			buf.Write(s)
		}
	}
	return nil
}
