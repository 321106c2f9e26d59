// Package interrupt runs the real flowsctl binary's apply against an in-process sandbox, stops
// it with SIGINT or SIGKILL after a random number of requests, and checks that a re-run
// converges and that no config, state or secret file was ever left partially written.
package interrupt

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowsctl/flowsctl/test/harness"
	"gopkg.in/yaml.v3"
)

var (
	cases = flag.Int("interrupt.cases", 4, "interrupt points per signal")
	seed  = flag.Uint64("interrupt.seed", 1, "seed of the random interrupt points")
)

func TestMain(m *testing.M) { harness.Main(m) }

// runner is the built binary run against a sandbox, in a working folder and HOME of its own.
type runner struct {
	harness.Process
	*harness.Env
}

func (r *runner) cmd(ctx context.Context, args ...string) (*exec.Cmd, *harness.LockedBuffer, *harness.LockedBuffer) {
	return r.Command(ctx, append(args, r.Args...)...)
}

func (r *runner) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	res := r.Process.Run(t, append(args, r.Args...)...)
	return res.Code, res.Out, res.Err
}

// TestInterruptResume: for SIGINT and SIGKILL, at random request counts within a fresh apply's
// request total, the interrupted apply leaves every file whole and a re-run converges.
func TestInterruptResume(t *testing.T) {
	bin := harness.Binary(t)

	// A fresh apply's request count bounds where an interrupt can land.
	ref := start(t, bin)
	if code, _, e := ref.run(t, "apply"); code != 0 {
		t.Fatalf("uninterrupted apply: exit %d\n%s", code, e)
	}
	fresh := ref.Requests()
	refCounts := ref.Objects()
	t.Logf("a fresh apply makes %d requests", fresh)

	rng := rand.New(rand.NewPCG(*seed, *seed+1))
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL"}[sig]
		for i := 0; i < *cases; i++ {
			after := 1 + rng.IntN(max(1, fresh-1))
			t.Run(fmt.Sprintf("%s-after-%d", name, after), func(t *testing.T) {
				r := start(t, bin)
				interrupted(t, r, sig, after)
				checkFiles(t, r, sig == syscall.SIGKILL)
				code, _, e := r.run(t, "apply")
				if code != 0 {
					t.Fatalf("re-run after %v: exit %d\n%s", sig, code, e)
				}
				if code, out, _ := r.run(t, "plan"); code != 0 {
					t.Fatalf("plan after the re-run: exit %d, want 0\n%s", code, out)
				}
				checkFiles(t, r, sig == syscall.SIGKILL)
				for k, n := range r.Objects() {
					if n != refCounts[k] {
						t.Errorf("%s: %d objects after interrupt and re-run, an uninterrupted apply leaves %d", k, n, refCounts[k])
					}
				}
			})
		}
	}
}

func start(t *testing.T, bin string) *runner {
	t.Helper()
	return &runner{Process: harness.Process{Bin: bin, Dir: t.TempDir(), Home: t.TempDir()}, Env: harness.Start(t, harness.Options{})}
}

// interrupted starts apply and signals it once the emulators have seen `after` requests.
func interrupted(t *testing.T, r *runner, sig syscall.Signal, after int) {
	t.Helper()
	// Slow every answer a little so the signal lands mid-run, not after the process finished.
	r.SetLatency(t, 5)
	defer r.SetLatency(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, _, errb := r.cmd(ctx, "apply")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			t.Logf("apply finished before %d requests (%v)", after, err)
			return
		case <-tick.C:
		}
		if r.Requests() >= after {
			break
		}
	}
	if err := c.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	code, _ := harness.ExitCode(<-done)
	t.Logf("%v after %d requests: exit %d", sig, r.Requests(), code)
	if sig == syscall.SIGINT {
		if code == 0 || code == 1 || code == 130 || code == 3 {
			// 0: finished anyway; 1/130: cancelled; 3: an operator step is pending.
		} else {
			t.Errorf("SIGINT: exit %d\n%s", code, errb.String())
		}
		if strings.Contains(errb.String(), "panic") {
			t.Errorf("SIGINT: panic\n%s", errb.String())
		}
	}
}

// checkFiles: every file under the sandbox dir, the working dir and HOME parses (YAML, JSON) or
// is a non-empty one-line secret; secret files are 0600. After SIGKILL a hidden temp file of an
// atomic write may remain (it is 0600 and never read); after SIGINT none may.
func checkFiles(t *testing.T, r *runner, killed bool) {
	t.Helper()
	for _, root := range []string{filepath.Dir(r.SB.ConfigPath()), r.Dir, r.Home} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			base := d.Name()
			if strings.Contains(base, ".tmp") {
				if !killed {
					t.Errorf("%s: temp file left after a clean stop", rel)
				} else {
					t.Logf("%s: temp file of an atomic write cut by SIGKILL (mode %o)", rel, info.Mode().Perm())
				}
				if info.Mode().Perm()&0o077 != 0 {
					t.Errorf("%s: temp file mode %o, want 0600", rel, info.Mode().Perm())
				}
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			secret := strings.Contains(p, string(filepath.Separator)+"secrets"+string(filepath.Separator))
			switch {
			case secret:
				if info.Mode().Perm() != 0o600 {
					t.Errorf("secret %s: mode %o, want 0600", rel, info.Mode().Perm())
				}
				if strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key") {
					if !bytes.Contains(b, []byte("-----END")) {
						t.Errorf("secret %s: truncated PEM", rel)
					}
				} else if v := strings.TrimSpace(string(b)); v == "" || strings.Contains(v, "\n") {
					t.Errorf("secret %s: empty or partial (%d bytes)", rel, len(b))
				}
			case strings.HasSuffix(base, ".json"):
				if !json.Valid(b) {
					t.Errorf("%s: not valid JSON (partial write?)", rel)
				}
			case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
				var v any
				if err := yaml.Unmarshal(b, &v); err != nil || v == nil {
					t.Errorf("%s: not valid YAML (%v)", rel, err)
				}
			case strings.HasSuffix(base, ".pem"):
				if !bytes.Contains(b, []byte("-----END")) {
					t.Errorf("%s: truncated PEM", rel)
				}
			}
			return nil
		})
	}
}
