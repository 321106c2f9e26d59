//go:build linux

package prompt

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// fakeTerm is the person and the terminal emulator on the master side of a pty: it records
// what survey draws, answers survey's cursor-position queries (DSR, ESC[6n) and types keys.
type fakeTerm struct {
	t           *testing.T
	master, tty *os.File

	mu      sync.Mutex
	screen  []byte
	scanned int // screen[:scanned] has been searched for DSR queries
	lastDSR int // end of the last DSR query, to tell a size probe from a position probe
	dsr     int // queries answered
	mark    int // waitFor looks for text after this offset
}

const (
	dsrQuery  = "\x1b[6n"
	sizeProbe = "\x1b[999;999f" // survey moves to the corner before asking, to learn the size
)

func newFakeTerm(t *testing.T) *fakeTerm {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	// Size the tty side: Fd() on the master would make it blocking, and Close could then no
	// longer interrupt the reader below.
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 80}); err != nil {
		t.Fatal(err)
	}
	f := &fakeTerm{t: t, master: master, tty: tty}
	done := make(chan struct{})
	go f.readLoop(done)
	t.Cleanup(func() {
		master.Close() // hangs up the tty: a prompt still reading gets an error
		tty.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("pty reader did not stop")
		}
	})
	return f
}

func (f *fakeTerm) readLoop(done chan struct{}) {
	defer close(done)
	buf := make([]byte, 4096)
	for {
		n, err := f.master.Read(buf)
		if n > 0 {
			f.mu.Lock()
			f.screen = append(f.screen, buf[:n]...)
			for {
				i := bytes.Index(f.screen[f.scanned:], []byte(dsrQuery))
				if i < 0 {
					if s := len(f.screen) - len(dsrQuery) + 1; s > f.scanned {
						f.scanned = s
					}
					break
				}
				at := f.scanned + i
				answer := "\x1b[1;1R" // row 1, column 1
				if bytes.Contains(f.screen[f.lastDSR:at], []byte(sizeProbe)) {
					answer = "\x1b[24;80R" // the bottom-right corner: the size
				}
				f.master.Write([]byte(answer))
				f.dsr++
				f.scanned = at + len(dsrQuery)
				f.lastDSR = f.scanned
			}
			f.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// waitFor blocks until text appeared since the last wait, at least dsr position queries were
// answered and consumed, and the tty is in raw mode (survey is reading keys). Then keys can be
// typed without racing survey's own reads.
func (f *fakeTerm) waitFor(text string, dsr int) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		seen := bytes.Contains(f.screen[f.mark:], []byte(text))
		answered := f.dsr >= dsr
		f.mu.Unlock()
		if seen && answered && f.inputDrained() && f.raw() {
			f.mu.Lock()
			f.mark = len(f.screen)
			f.mu.Unlock()
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("waited 10s for %q with %d DSR answers; screen so far:\n%q", text, dsr, f.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (f *fakeTerm) inputDrained() bool {
	n, err := unix.IoctlGetInt(int(f.tty.Fd()), unix.TIOCINQ)
	return err == nil && n == 0
}

func (f *fakeTerm) raw() bool {
	tio, err := unix.IoctlGetTermios(int(f.tty.Fd()), unix.TCGETS)
	return err == nil && tio.Lflag&unix.ICANON == 0
}

func (f *fakeTerm) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.screen)
}

func (f *fakeTerm) send(keys string) {
	f.t.Helper()
	if _, err := f.master.Write([]byte(keys)); err != nil {
		f.t.Fatal(err)
	}
}

// run asks on a goroutine and returns its result, failing the test after a bounded time.
func run[T any](t *testing.T, f *fakeTerm, ask func() (T, error)) func() (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := ask()
		ch <- result{v, err}
	}()
	return func() (T, error) {
		t.Helper()
		select {
		case r := <-ch:
			return r.v, r.err
		case <-time.After(10 * time.Second):
			t.Fatalf("the prompt did not return within 10s; screen:\n%q", f.String())
		}
		var zero T
		return zero, nil
	}
}

func newPtySurvey(t *testing.T) (*Survey, *fakeTerm) {
	f := newFakeTerm(t)
	s, err := NewSurveyStdio(f.tty, f.tty, f.tty)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Interactive() {
		t.Fatal("a survey on a pty is not interactive")
	}
	return s, f
}

const (
	keyEnter = "\r"
	keyDown  = "\x1b[B"
)

func TestSurveyInputValidator(t *testing.T) {
	s, f := newPtySurvey(t)
	var calls []string
	validate := func(v string) error {
		calls = append(calls, v)
		if !strings.HasSuffix(v, ".example.com") {
			return errors.New("must end with .example.com")
		}
		return nil
	}
	wait := run(t, f, func() (string, error) {
		return s.Input("Access tenant host", "", "--tenant", validate)
	})
	f.waitFor("Access tenant host", 2)
	f.send("bad-host" + keyEnter)
	// The rejection is drawn, then survey asks again on a fresh line (two more DSR queries).
	f.waitFor("must end with .example.com", 4)
	f.send("tenant.example.com" + keyEnter)
	got, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	if got != "tenant.example.com" {
		t.Errorf("answer %q", got)
	}
	if len(calls) != 2 || calls[0] != "bad-host" {
		t.Errorf("validator calls %q", calls)
	}
}

func TestSurveyInputDefault(t *testing.T) {
	s, f := newPtySurvey(t)
	wait := run(t, f, func() (string, error) { return s.Input("Directory name", "Okta", "--directory", nil) })
	f.waitFor("Directory name", 2)
	f.send(keyEnter)
	if got, err := wait(); err != nil || got != "Okta" {
		t.Errorf("got %q %v, want the default", got, err)
	}
}

func TestSurveySelect(t *testing.T) {
	tests := []struct {
		name, def, keys, want string
	}{
		{"first", "", keyEnter, "api"},
		{"down once", "", keyDown + keyEnter, "operator"},
		{"from the default", "operator", keyDown + keyEnter, "off"},
		{"unknown default ignored", "nope", keyEnter, "api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, f := newPtySurvey(t)
			wait := run(t, f, func() (string, error) {
				return s.Select("Mobile flows mode", []string{"api", "operator", "off"}, tt.def, "--mode")
			})
			f.waitFor("Mobile flows mode", 0)
			f.send(tt.keys)
			got, err := wait()
			if err != nil || got != tt.want {
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			}
		})
	}
}

func TestSurveyMultiSelect(t *testing.T) {
	s, f := newPtySurvey(t)
	wait := run(t, f, func() ([]string, error) {
		return s.MultiSelect("Connectors", []string{"teams", "jira", "servicenow"}, []string{"teams"}, "--connector")
	})
	f.waitFor("Connectors", 0)
	f.send(keyDown + keyDown + " " + keyEnter) // keep teams, add servicenow
	got, err := wait()
	if err != nil || strings.Join(got, ",") != "teams,servicenow" {
		t.Errorf("got %q %v", got, err)
	}
}

func TestSurveyConfirm(t *testing.T) {
	tests := []struct {
		def  bool
		keys string
		want bool
	}{
		{false, "y" + keyEnter, true},
		{true, "n" + keyEnter, false},
		{true, keyEnter, true},
		{false, keyEnter, false},
	}
	for _, tt := range tests {
		s, f := newPtySurvey(t)
		wait := run(t, f, func() (bool, error) { return s.Confirm("Rotate the client secret?", tt.def, "--yes") })
		f.waitFor("Rotate the client secret?", 2)
		f.send(tt.keys)
		got, err := wait()
		if err != nil || got != tt.want {
			t.Errorf("def %v keys %q: got %v %v, want %v", tt.def, tt.keys, got, err, tt.want)
		}
	}
}

func TestSurveyPassword(t *testing.T) {
	s, f := newPtySurvey(t)
	const secret = "pty-typed-secret-42"
	wait := run(t, f, func() (string, error) { return s.Password("Okta API token", "FLOWSCTL_OKTA_TOKEN") })
	f.waitFor("Okta API token", 2)
	f.send(secret + keyEnter)
	got, err := wait()
	if err != nil || got != secret {
		t.Fatalf("got %q %v", got, err)
	}
	if strings.Contains(f.String(), secret) {
		t.Error("the password was echoed on the terminal")
	}
}

func TestSurveyInterrupt(t *testing.T) {
	s, f := newPtySurvey(t)
	wait := run(t, f, func() (string, error) { return s.Input("Tenant", "", "--tenant", nil) })
	f.waitFor("Tenant", 2)
	f.send("\x03") // Ctrl-C
	_, err := wait()
	if err == nil || !strings.Contains(err.Error(), "interrupt") {
		t.Errorf("want an interrupt error, got %v", err)
	}
}

// TestNewSurveyNeedsTerminal checks that survey never starts without a terminal: it answers
// like NoInput, naming the flag, instead of reading stdin.
func TestNewSurveyNeedsTerminal(t *testing.T) {
	f := newFakeTerm(t)
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	file, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	tests := []struct {
		name        string
		in          any
		out         *os.File
		errOut      any
		interactive bool
	}{
		{"pty everywhere", f.tty, nil, f.tty, true},
		{"pty in, stdout pty, stderr file", f.tty, f.tty, file, true},
		{"pipe in", pipeR, f.tty, f.tty, false},
		{"buffer in", &bytes.Buffer{}, f.tty, f.tty, false},
		{"pty in, no terminal out", f.tty, file, file, false},
		{"pty in, nil out, buffer errOut", f.tty, nil, &bytes.Buffer{}, false},
	}
	for _, tt := range tests {
		in, _ := tt.in.(interface {
			Read([]byte) (int, error)
		})
		errOut, _ := tt.errOut.(interface {
			Write([]byte) (int, error)
		})
		s := NewSurvey(in, tt.out, errOut)
		if s.Interactive() != tt.interactive {
			t.Errorf("%s: interactive %v, want %v", tt.name, s.Interactive(), tt.interactive)
		}
		if tt.interactive {
			continue
		}
		if _, err := s.Input("Tenant URL", "", "--tenant-url", nil); err == nil || !strings.Contains(err.Error(), "--tenant-url") {
			t.Errorf("%s: Input error %v does not name the flag", tt.name, err)
		}
		if _, err := s.Password("Client secret", "FLOWSCTL_ACCESS_SECRET"); err == nil || !strings.Contains(err.Error(), "FLOWSCTL_ACCESS_SECRET") {
			t.Errorf("%s: Password error %v does not name the env var", tt.name, err)
		}
	}
	if got := f.String(); got != "" {
		t.Errorf("something was drawn on the terminal: %q", got)
	}
	if _, err := NewSurveyStdio(pipeR, f.tty, f.tty); err == nil {
		t.Error("NewSurveyStdio accepted a pipe")
	}
}
