package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	textpkg "github.com/flowsctl/flowsctl/internal/text"

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
		// Text embeds server values (names, messages): render it, then neutralise every control
		// sequence except colour, so a hostile answer cannot drive the terminal.
		var b strings.Builder
		err := text(&b)
		if _, werr := io.WriteString(w, textpkg.Terminal(b.String())); err == nil {
			err = werr
		}
		return err
	}
	return fmt.Errorf("unknown output format %q (use text, json or yaml)", format)
}
