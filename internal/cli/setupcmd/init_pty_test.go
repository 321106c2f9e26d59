//go:build linux

package setupcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
)

// term is the person at a pty: it records the screen, answers survey's cursor-position
// queries and types once survey is reading keys.
type term struct {
	t           *testing.T
	master, tty *os.File
	mu          sync.Mutex
	screen      []byte
	scanned     int
	mark        int
}

func newTerm(t *testing.T) *term {
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	pty.Setsize(tty, &pty.Winsize{Rows: 40, Cols: 120})
	tm := &term{t: t, master: master, tty: tty}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			tm.mu.Lock()
			tm.screen = append(tm.screen, buf[:n]...)
			for {
				i := bytes.Index(tm.screen[tm.scanned:], []byte("\x1b[6n"))
				if i < 0 {
					break
				}
				at := tm.scanned + i
				ans := "\x1b[1;1R"
				if bytes.Contains(tm.screen[max(0, at-16):at], []byte("\x1b[999;999f")) {
					ans = "\x1b[40;120R"
				}
				master.Write([]byte(ans))
				tm.scanned = at + 4
			}
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		master.Close()
		tty.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	})
	return tm
}

func (tm *term) String() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.screen)
}

// answer waits for text on the screen (since the last answer) and for survey to read keys,
// then types keys.
func (tm *term) answer(text, keys string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm.mu.Lock()
		seen := bytes.Contains(tm.screen[tm.mark:], []byte(text))
		tm.mu.Unlock()
		n, _ := unix.IoctlGetInt(int(tm.tty.Fd()), unix.TIOCINQ)
		tio, err := unix.IoctlGetTermios(int(tm.tty.Fd()), unix.TCGETS)
		if seen && n == 0 && err == nil && tio.Lflag&unix.ICANON == 0 {
			time.Sleep(20 * time.Millisecond) // let survey finish drawing and start reading
			tm.mu.Lock()
			tm.mark = len(tm.screen)
			tm.mu.Unlock()
			tm.master.Write([]byte(keys))
			return
		}
		if time.Now().After(deadline) {
			tm.mu.Lock()
			defer tm.mu.Unlock()
			tm.t.Fatalf("waited 10s for %q; screen:\n%q", text, tm.screen)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestInitWizardOnPty drives the survey wizard through a pseudo-terminal: the questions the
// flags do not answer are asked, a bad URL is rejected as it is typed, and the file is written.
func TestInitWizardOnPty(t *testing.T) {
	tm := newTerm(t)
	s, err := prompt.NewSurveyStdio(tm.tty, tm.tty, tm.tty)
	if err != nil {
		t.Skipf("survey on a pty: %v", err)
	}
	path := filepath.Join(t.TempDir(), "flowsctl.yaml")
	io, _, _, errOut := iostreams.Test()
	a := defaults()
	a.UEMURL, a.Domain = "https://as1234.awmdm.com", "acme.com"
	set := map[string]bool{"uem-url": true, "domain": true, "azure-sign-in": true, "azure-client-id": true, "access-client-id": true,
		"uem-auth": true, "uem-region": true, "uem-client-id": true, "organization-group": true, "connectors": true, "boxer": true,
		"smart-group": true, "okta-url": true, "secrets": true, "secrets-dir": true}
	o := &InitOptions{Common: common(io, path, false), A: a, set: set}
	o.Prompter = func() prompt.Prompter { return s }
	done := make(chan error, 1)
	go func() { done <- initRun(o) }()

	tm.answer("Workspace ONE Access URL", "http://acme.vmwareidentity.com\r")
	tm.answer("must use https", "acme.vmwareidentity.com\r") // rejected as typed, asked again
	tm.answer("is not a URL", "https://acme.vmwareidentity.com\r")
	tm.answer("Entra ID tenant", "acme.onmicrosoft.com\r")
	tm.answer("provisions users", "\r") // default: identity
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("init: %v\n%s", err, errOut)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("init did not finish; screen:\n%q", tm.String())
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Access.URL != "https://acme.vmwareidentity.com" || cfg.Azure.TenantID != "acme.onmicrosoft.com" || !cfg.IdentityServices.Enabled {
		t.Fatalf("answers not written: access %s tenant %s identity %v", cfg.Access.URL, cfg.Azure.TenantID, cfg.IdentityServices.Enabled)
	}
	if !strings.Contains(tm.String(), "Entra ID tenant") {
		t.Fatal("the tenant question was not drawn")
	}
}
