// Package docs checks that the commands the documentation shows do what it says: every
// `flowsctl` command in a ```sh block of README.md and docs/**/*.md is run against one sandbox
// (or listed with the reason it cannot be), and must exit with the code the doc implies and
// print the lines it claims.
package docs

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Command is one flowsctl invocation found in a ```sh block.
type Command struct {
	File    string   // relative to the repository root, slash-separated
	Line    int      // 1-based line of the command in File
	Args    []string // after "flowsctl" (or "go run ./cmd/flowsctl")
	Comment string   // the trailing "# ..." comment of the line, without the "#"
}

// Key names the command in the test's table: "FILE: ARGS".
func (c Command) Key() string { return c.File + ": " + strings.Join(c.Args, " ") }

// Extract returns the flowsctl commands of the ```sh blocks of README.md and docs/**/*.md
// under root, README first, then docs/getting-started.md, then the other files in path order
// (the order a reader meets them); docs/cli, generated from the command tree, is left out.
func Extract(root string) ([]Command, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "cli" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rank := func(f string) int {
		switch f {
		case "docs/getting-started.md":
			return 0
		}
		return 1
	}
	sort.Slice(files, func(i, j int) bool {
		if ri, rj := rank(files[i]), rank(files[j]); ri != rj {
			return ri < rj
		}
		return files[i] < files[j]
	})
	files = append([]string{"README.md"}, files...)
	var out []Command
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		cs, err := extractFile(f, string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// extractFile finds the ```sh blocks of one Markdown file and the flowsctl commands in them.
func extractFile(name, text string) ([]Command, error) {
	var out []Command
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	inSh, inOther := false, false
	var pending string // a line continued with a trailing backslash
	start := 0
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			switch {
			case inSh || inOther:
				inSh, inOther = false, false
			case strings.TrimSpace(strings.TrimPrefix(trim, "```")) == "sh":
				inSh = true
			default:
				inOther = true
			}
			continue
		}
		if !inSh {
			continue
		}
		if pending == "" {
			start = n
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		full := pending + line
		pending = ""
		cs, err := parseLine(full)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, start, err)
		}
		for _, c := range cs {
			c.File, c.Line = name, start
			out = append(out, c)
		}
	}
	return out, sc.Err()
}

// parseLine splits a shell line into its simple commands (at ; && || & |), drops redirections
// and the trailing comment, and returns those that run flowsctl.
func parseLine(line string) ([]Command, error) {
	toks, comment, err := tokenize(line)
	if err != nil {
		return nil, err
	}
	var out []Command
	var cur []string
	flush := func() {
		if args, ok := flowsctlArgs(cur); ok {
			out = append(out, Command{Args: args})
		}
		cur = nil
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.op && (t.s == ";" || t.s == "&&" || t.s == "||" || t.s == "&" || t.s == "|"):
			flush()
		case t.op && (t.s == ">" || t.s == ">>" || t.s == "<" || t.s == "2>"):
			i++ // the redirection target
		case t.op:
			// 2>&1 and the like: nothing to run
		default:
			cur = append(cur, t.s)
		}
	}
	flush()
	if len(out) > 0 {
		out[len(out)-1].Comment = comment
	}
	return out, nil
}

// flowsctlArgs: the arguments after flowsctl (or go run ./cmd/flowsctl), skipping KEY=VALUE
// assignments in front.
func flowsctlArgs(words []string) ([]string, bool) {
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
		words = words[1:]
	}
	switch {
	case len(words) >= 1 && words[0] == "flowsctl":
		return words[1:], true
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/flowsctl":
		return words[3:], true
	}
	return nil, false
}

type token struct {
	s  string
	op bool // an operator or redirection, not a word
}

// tokenize is the part of shell word splitting the docs use: single and double quotes,
// backslash escapes outside single quotes, operators and a # comment at a word start.
func tokenize(line string) (toks []token, comment string, err error) {
	var w strings.Builder
	inWord := false
	end := func() {
		if inWord {
			toks = append(toks, token{s: w.String()})
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			end()
		case c == '#' && !inWord:
			return toks, strings.TrimSpace(line[i+1:]), nil
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated ' in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				w.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, "", fmt.Errorf("unterminated \" in %q", line)
			}
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '2' && !inWord && strings.HasPrefix(line[i:], "2>&1"):
			toks = append(toks, token{s: "2>&1", op: true})
			i += 3
		case c == '2' && !inWord && strings.HasPrefix(line[i:], "2>"):
			toks = append(toks, token{s: "2>", op: true})
			i++
		case strings.IndexByte(";&|<>", c) >= 0:
			end()
			op := string(c)
			if i+1 < len(line) && (line[i:i+2] == "&&" || line[i:i+2] == "||" || line[i:i+2] == ">>") {
				op = line[i : i+2]
				i++
			}
			toks = append(toks, token{s: op, op: true})
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	end()
	return toks, "", nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
