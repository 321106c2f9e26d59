package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flowsctl/flowsctl/internal/safefile"
	"gopkg.in/yaml.v3"
)

// Day, Month and Year are the calendar units flowsctl durations accept.
// A month is 30 days and a year 365 days, the way the consoles count TTLs.
const (
	Day   = 24 * time.Hour
	Month = 30 * Day
	Year  = 365 * Day
)

// Duration is a span written as 10m, 24h, 10d, 90d, 12mo or 1y.
type Duration struct {
	D   time.Duration
	Raw string // as written; "" when unset
}

// ParseDuration reads one number and one unit: m, h, d, mo, y (also w for weeks).
func ParseDuration(s string) (Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Duration{}, fmt.Errorf("empty duration (use e.g. 10m, 24h, 10d, 12mo, 1y)")
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 || i > 9 {
		return Duration{}, fmt.Errorf("%q is not a duration (use a whole number and a unit: 10m, 24h, 10d, 12mo, 1y)", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return Duration{}, fmt.Errorf("%q is not a duration: %v", s, err)
	}
	var unit time.Duration
	switch t[i:] {
	case "m", "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = Day
	case "w":
		unit = 7 * Day
	case "mo":
		unit = Month
	case "y":
		unit = Year
	default:
		return Duration{}, fmt.Errorf("%q has unknown unit %q (allowed: m, h, d, w, mo, y)", s, t[i:])
	}
	if n > int64(100*Year/unit) {
		return Duration{}, fmt.Errorf("%q is longer than 100 years", s)
	}
	return Duration{D: time.Duration(n) * unit, Raw: t}, nil
}

// MustDuration is for defaults written in code.
func MustDuration(s string) Duration {
	d, err := ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Duration) IsZero() bool   { return d.D == 0 }
func (d Duration) Minutes() int64 { return int64(d.D / time.Minute) }
func (d Duration) String() string {
	if d.Raw != "" {
		return d.Raw
	}
	return FormatDuration(d.D)
}

// FormatDuration writes d in the largest unit that divides it exactly.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0m"
	case d%Year == 0:
		return fmt.Sprintf("%dy", d/Year)
	case d%Month == 0:
		return fmt.Sprintf("%dmo", d/Month)
	case d%Day == 0:
		return fmt.Sprintf("%dd", d/Day)
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	default:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
}

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("expected a duration such as 10m, 24h, 10d, 12mo, 1y")
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(d.String())), nil
}

// SecretRef points at a secret: env:NAME or file:PATH. The value is never kept in the config.
type SecretRef string

func (s SecretRef) IsZero() bool { return s == "" }

// Kind is "env", "file" or "" (unset or invalid).
func (s SecretRef) Kind() string {
	switch {
	case strings.HasPrefix(string(s), "env:"):
		return "env"
	case strings.HasPrefix(string(s), "file:"):
		return "file"
	}
	return ""
}

// Target is the variable name or the file path.
func (s SecretRef) Target() string {
	if i := strings.IndexByte(string(s), ':'); i >= 0 {
		return string(s)[i+1:]
	}
	return ""
}

// Resolve reads the secret. Errors name the reference, never the value.
func (s SecretRef) Resolve() (string, error) {
	switch s.Kind() {
	case "env":
		v, ok := os.LookupEnv(s.Target())
		if !ok || v == "" {
			return "", fmt.Errorf("secret %s: environment variable %s is not set", s, s.Target())
		}
		return v, nil
	case "file":
		p := s.Target()
		st, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("secret %s: %v", s, err)
		}
		if !st.Mode().IsRegular() {
			return "", fmt.Errorf("secret %s: %s, not a regular file (point the reference at a file holding only the secret)", s, safefile.Describe(st.Mode()))
		}
		if st.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("secret %s: file mode %04o lets others read it (run: chmod 600 %s)", s, st.Mode().Perm(), p)
		}
		b, err := safefile.Read(p, safefile.MaxSecret)
		if err != nil {
			return "", fmt.Errorf("secret %s: %v", s, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret %s: file is empty", s)
		}
		return v, nil
	case "":
		if s == "" {
			return "", fmt.Errorf("no secret reference configured")
		}
	}
	return "", fmt.Errorf("secret reference must be env:NAME or file:PATH")
}

// Write stores value in a file: sink atomically with mode 0600 (temp file, fsync, rename).
// It refuses a folder other users may write to, and refuses to replace a file that is not a
// secret sink (see CheckSink).
func (s SecretRef) Write(value string) error {
	if err := s.CheckSink(); err != nil {
		return err
	}
	return WriteFileAtomic(s.Target(), []byte(value+"\n"), 0o600)
}

// CheckSink tells whether Write could store a secret at s, without writing: it must be a
// file: reference, its folder must not be writable by other users, and an existing file
// there must look like a sink flowsctl wrote (a regular 0600 file of one line), so a sink
// that points at an unrelated file (~/.bashrc, a key ring) never replaces it. Generate and
// rotate commands call it before they touch the remote side.
func (s SecretRef) CheckSink() error {
	if s.Kind() != "file" {
		return fmt.Errorf("secret sink %s: only file:PATH sinks can be written (set the sink to file:PATH)", s)
	}
	p := s.Target()
	if err := safefile.CheckSinkDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("secret sink %s: %w", s, err)
	}
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("secret sink %s: %w", s, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("secret sink %s: %s is %s; refusing to replace it (point the sink at a new file)", s, p, safefile.Describe(st.Mode()))
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("secret sink %s: %s exists with mode %04o, so it is not a file flowsctl wrote; refusing to replace it (point the sink at a new file, or remove it yourself)", s, p, st.Mode().Perm())
	}
	b, err := safefile.Read(p, safefile.MaxSecret)
	if err != nil {
		return fmt.Errorf("secret sink %s: %s exists and is not a secret file (%v); refusing to replace it", s, p, err)
	}
	if strings.Count(strings.TrimRight(string(b), "\r\n"), "\n") > 0 {
		return fmt.Errorf("secret sink %s: %s exists and holds several lines, so it is not a secret flowsctl wrote; refusing to replace it (point the sink at a new file)", s, p)
	}
	return nil
}

// WriteFileAtomic writes data to path via a temp file in the same directory, fsync and rename,
// so a reader never sees a partial file. Parent directories are created 0700.
func WriteFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// URL is an absolute https URL (http only for loopback hosts).
type URL string

func (u URL) String() string { return string(u) }
func (u URL) IsZero() bool   { return u == "" }

// Join appends path elements without doubling slashes.
func (u URL) Join(p string) string {
	return strings.TrimRight(string(u), "/") + "/" + strings.TrimLeft(p, "/")
}
