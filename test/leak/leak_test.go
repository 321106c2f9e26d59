// Package leak runs the whole product against the sandbox with --debug and -o json and scans
// everything flowsctl printed or wrote, and every emulator's request log, for the secrets and
// tokens that exist in the run: the sandbox's own, the ones apply created, and every token an
// emulator issued.
package leak

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flowsctl/flowsctl/pkg/sandbox"
	"github.com/flowsctl/flowsctl/pkg/sandbox/emulators"
	"github.com/flowsctl/flowsctl/pkg/sandbox/sandboxtest"
	"github.com/flowsctl/flowsctl/test/harness"
)

// vault collects secret values seen anywhere in the run, with where they came from.
type vault struct {
	mu sync.Mutex
	m  map[string]string
}

func (v *vault) add(val, from string) {
	val = strings.TrimSpace(val)
	if len(val) < 12 || strings.ContainsAny(val, " \n") {
		return // too short to be a credential, or prose
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.m[val]; !ok {
		v.m[val] = from
	}
}

// secretKey matches JSON/form keys whose string values are credentials.
var secretKey = regexp.MustCompile(`(?i)(^|_)(access_?token|refresh_?token|id_?token|token|secret|secret_?text|client_?secret|password|assertion|api_?key|device_?code|bearer)$`)

// harvest walks a JSON document (or a form body) for credential values.
func (v *vault) harvest(b []byte, from string) {
	var doc any
	if json.Unmarshal(b, &doc) == nil {
		var walk func(k string, x any)
		walk = func(k string, x any) {
			switch t := x.(type) {
			case map[string]any:
				for kk, vv := range t {
					walk(kk, vv)
				}
			case []any:
				for _, vv := range t {
					walk(k, vv)
				}
			case string:
				if secretKey.MatchString(k) {
					v.add(t, from+" "+k)
				}
			}
		}
		walk("", doc)
		return
	}
	if q, err := url.ParseQuery(string(b)); err == nil {
		for k, vs := range q {
			if secretKey.MatchString(k) {
				for _, s := range vs {
					v.add(s, from+" form "+k)
				}
			}
		}
	}
}

// tap wraps an emulator and harvests every token/secret its answers carry and every
// credential a request presents (Authorization header, form or JSON body).
type tap struct {
	sandbox.Emulator
	v *vault
}

func (t tap) Bind(env *sandbox.Env) {
	if b, ok := t.Emulator.(sandbox.Binder); ok {
		b.Bind(env)
	}
}

func (t tap) ConfigFragment(env *sandbox.Env) (map[string]any, map[string]string) {
	if c, ok := t.Emulator.(sandbox.ConfigFragmenter); ok {
		return c.ConfigFragment(env)
	}
	return nil, nil
}

func (t tap) Handler() http.Handler {
	h := t.Emulator.Handler()
	name := t.Name()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			if i := strings.IndexByte(a, ' '); i > 0 {
				t.v.add(a[i+1:], name+" Authorization")
			}
		}
		if r.Body != nil {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
			r.Body = io.NopCloser(bytes.NewReader(b))
			t.v.harvest(b, name+" request "+r.URL.Path)
		}
		rec := &capture{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		t.v.harvest(rec.buf.Bytes(), name+" answer "+r.URL.Path)
	})
}

type capture struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (c *capture) Write(b []byte) (int, error) {
	if c.buf.Len() < 8<<20 {
		c.buf.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

func (c *capture) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type output struct {
	name, stream, text string
}

// TestNoSecretLeaks: apply, plan, doctor, scim sync of a few users, access token and identity
// token generate, all with --debug and -o json; no secret or token of the run appears in any
// output (except the stdout of `access token`, whose job is to print the token), in any file
// flowsctl wrote other than the configured secret sinks, or in any emulator's request log.
func TestNoSecretLeaks(t *testing.T) {
	v := &vault{m: map[string]string{}}
	var emus []sandbox.Emulator
	for _, e := range emulators.All() {
		emus = append(emus, tap{Emulator: e, v: v})
	}
	if len(emus) == 0 {
		t.Skip("no emulators registered in pkg/sandbox/emulators")
	}
	sb := sandboxtest.Start(t, emus...)
	work := t.TempDir()
	users := filepath.Join(work, "users.csv")
	csv := "userName,givenName,familyName,email,externalId,active,groups\n" +
		"ada@example.com,Ada,Lovelace,ada@example.com,okta-1,true,Engineering\n" +
		"alan@example.com,Alan,Turing,alan@example.com,okta-2,true,Engineering;Research\n" +
		"grace@example.com,Grace,Hopper,grace@example.com,okta-3,true,Research\n"
	if err := os.WriteFile(users, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	t.Setenv("HOME", t.TempDir())

	var outs []output
	var printedToken string
	for _, args := range [][]string{
		{"plan", "-o", "json"},
		{"apply", "-o", "json"},
		{"plan", "-o", "json"},
		{"doctor", "-o", "json"},
		{"scim", "sync", "--from", users, "-o", "json"},
		{"access", "token", "-o", "json"},
		{"access", "token"},
		{"identity", "token", "generate", "-o", "json"},
		{"apply", "-o", "json"},
		{"doctor"},
	} {
		args = append(args, "--debug")
		out, errs, code := run(t, sb, args...)
		t.Logf("flowsctl %s: exit %d (%d bytes out, %d bytes err)", strings.Join(args, " "), code, len(out), len(errs))
		if code != 0 && code != 2 {
			t.Errorf("flowsctl %s: exit %d\n%s", strings.Join(args, " "), code, harness.Tail(errs, 2000))
		}
		name := strings.Join(args, " ")
		if args[0] == "access" && args[1] == "token" {
			// Printing the token on stdout is what this command is for: its stdout is a sink.
			if len(args) == 3 {
				printedToken = strings.TrimSpace(out)
				v.add(printedToken, "access token stdout")
			}
		} else {
			outs = append(outs, output{name, "stdout", out})
		}
		outs = append(outs, output{name, "stderr", errs})
	}

	// Secrets the sandbox handed out and the ones flowsctl wrote to its sinks.
	sinks := map[string]bool{}
	sbDir := filepath.Dir(sb.ConfigPath())
	for _, root := range []string{sbDir, work, os.Getenv("HOME")} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.Contains(p, string(filepath.Separator)+"secrets"+string(filepath.Separator)) {
				sinks[p] = true
				b, _ := os.ReadFile(p)
				if bytes.Contains(b, []byte("-----BEGIN")) {
					for _, line := range strings.Split(string(b), "\n") {
						if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
							v.add(line, "secret file "+filepath.Base(p)+" (PEM line)")
						}
					}
				} else {
					v.add(string(b), "secret file "+filepath.Base(p))
				}
			}
			return nil
		})
	}
	if printedToken == "" {
		t.Error("access token printed nothing")
	}

	// Files flowsctl (or the sandbox) wrote, other than the secret sinks.
	for _, root := range []string{sbDir, work, os.Getenv("HOME")} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || sinks[p] || p == users {
				return err
			}
			b, _ := os.ReadFile(p)
			outs = append(outs, output{"file", p, string(b)})
			return nil
		})
	}
	// The emulators' request logs (paths and queries as the sandbox records them).
	for _, n := range sb.Names() {
		b, _ := json.Marshal(sb.Requests(n))
		outs = append(outs, output{"request log", n, string(b)})
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	kinds := map[string]int{}
	for _, from := range v.m {
		kinds[strings.Fields(from)[0]]++
	}
	t.Logf("scanning %d outputs for %d secret values (by origin: %v)", len(outs), len(v.m), kinds)
	if len(v.m) < 5 {
		t.Fatalf("only %d secrets collected; the tap or the run is broken", len(v.m))
	}
	var hits []string
	for val, from := range v.m {
		for _, o := range outs {
			if strings.Contains(o.text, val) {
				hits = append(hits, "the secret from "+from+" appears in "+o.name+" "+o.stream)
			}
		}
	}
	sort.Strings(hits)
	for _, h := range hits {
		t.Error(h)
	}
}

func run(t *testing.T, sb *sandbox.Sandbox, args ...string) (string, string, int) {
	t.Helper()
	r := harness.Run(t, harness.Options{Version: "leak"}, append(args, "-f", sb.ConfigPath(), "--ca-file", sb.CAPath(), "--no-input")...)
	return r.Out, r.Err, r.Code
}
