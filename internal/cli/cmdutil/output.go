package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Print writes data to w as JSON or YAML, or calls text for the text format.
func Print(w io.Writer, format string, data any, text func(io.Writer) error) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(data)
	case "yaml":
		b, err := yaml.Marshal(data)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "", "text":
		if text == nil {
			return Print(w, "yaml", data, nil)
		}
		return text(w)
	}
	return fmt.Errorf("unknown output format %q (use text, json or yaml)", format)
}
