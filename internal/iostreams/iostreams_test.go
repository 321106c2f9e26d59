package iostreams

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDetectEnv(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		tty       bool
		wantCI    bool
		wantColor bool
	}{
		{"terminal", nil, true, false, true},
		{"not a terminal", nil, false, false, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, true, false, false},
		{"empty NO_COLOR is unset", map[string]string{"NO_COLOR": ""}, true, false, true},
		{"CI=true", map[string]string{"CI": "true"}, true, true, false},
		{"CI=1", map[string]string{"CI": "1"}, true, true, false},
		{"CI=false", map[string]string{"CI": "false"}, true, false, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, true, false, false},
	}
	for _, tt := range tests {
		ci, color := detectEnv(func(k string) string { return tt.env[k] }, tt.tty)
		if ci != tt.wantCI || color != tt.wantColor {
			t.Errorf("%s: ci=%v color=%v, want %v %v", tt.name, ci, color, tt.wantCI, tt.wantColor)
		}
	}
}

func TestPromptAndProgressGates(t *testing.T) {
	tests := []struct {
		stdin, stdout, stderr, ci bool
		prompt, progress          bool
	}{
		{true, true, true, false, true, true},
		{true, false, true, false, true, true},
		{false, true, true, false, false, true},
		{true, true, false, false, false, false},
		{true, true, true, true, false, false},
	}
	for _, tt := range tests {
		s, _, _, _ := Test()
		s.SetTTY(tt.stdin, tt.stdout, tt.stderr)
		s.SetCI(tt.ci)
		if s.CanPrompt() != tt.prompt || s.ShowProgress() != tt.progress {
			t.Errorf("%+v: CanPrompt=%v ShowProgress=%v", tt, s.CanPrompt(), s.ShowProgress())
		}
	}
}

func TestColorScheme(t *testing.T) {
	s, _, _, _ := Test()
	cs := s.ColorScheme()
	for _, got := range []string{cs.Green("ok"), cs.Red("ok"), cs.Yellow("ok"), cs.Bold("ok"), cs.Gray("ok"), cs.Cyan("ok")} {
		if got != "ok" {
			t.Errorf("colour without a terminal: %q", got)
		}
	}
	s.SetColorEnabled(true)
	cs = s.ColorScheme()
	tests := []struct{ got, want string }{
		{cs.Green("ok"), "\x1b[32mok\x1b[0m"},
		{cs.Red("no"), "\x1b[31mno\x1b[0m"},
		{cs.Yellow("hm"), "\x1b[33mhm\x1b[0m"},
		{cs.Bold("b"), "\x1b[1mb\x1b[0m"},
		{cs.Green(""), ""},
		{cs.SuccessIcon(), "\x1b[32m✓\x1b[0m"},
		{cs.FailureIcon(), "\x1b[31m✗\x1b[0m"},
		{cs.WarningIcon(), "\x1b[33m!\x1b[0m"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	s.SetCI(true)
	if s.ColorScheme().Enabled() {
		t.Error("CI=true must disable colour")
	}
}

func TestSpinnerOffTerminal(t *testing.T) {
	s, _, out, errOut := Test()
	stop := s.StartProgress("working")
	stop("done")
	stop("again")
	if errOut.String() != "done\n" || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q, want only the final line", errOut.String(), out.String())
	}
	s2, _, _, errOut2 := Test()
	s2.SetTTY(true, true, true)
	s2.SetCI(true)
	s2.StartProgress("working")("")
	if errOut2.Len() != 0 {
		t.Errorf("a spinner drew in CI: %q", errOut2.String())
	}
}

func TestSpinnerOnTerminal(t *testing.T) {
	s, _, out, errOut := Test()
	s.SetTTY(false, false, true)
	s.spinEvery = time.Millisecond
	stop := s.StartProgress("applying")
	time.Sleep(10 * time.Millisecond) // let a few frames draw; the assertions do not depend on how many
	stop("applied")
	stop("ignored")
	got := errOut.String()
	if !strings.HasPrefix(got, clearLine+spinnerFrames[0]+" applying") {
		t.Errorf("first frame missing: %q", got)
	}
	if !strings.HasSuffix(got, clearLine+"applied\n") {
		t.Errorf("spinner not erased before the final line: %q", got)
	}
	if strings.Contains(got, "ignored") || out.Len() != 0 {
		t.Errorf("stderr %q stdout %q", got, out.String())
	}
}

func TestSpinnerReplaced(t *testing.T) {
	s, _, _, errOut := Test()
	s.SetTTY(false, false, true)
	stop1 := s.StartProgress("one")
	stop2 := s.StartProgress("two")
	stop1("")
	stop2("end")
	if !strings.HasSuffix(errOut.String(), "end\n") {
		t.Errorf("%q", errOut.String())
	}
}

func TestProgressBar(t *testing.T) {
	s, _, _, errOut := Test()
	s.SetTTY(false, false, true)
	p := s.NewProgressBar(4, "users")
	p.Add(1)
	p.Add(10) // capped at total
	p.Done()
	p.Add(1)
	p.Done()
	got := errOut.String()
	want := clearLine + "users [------------------------------] 0/4" +
		clearLine + "users [#######-----------------------] 1/4" +
		clearLine + "users [##############################] 4/4" +
		clearLine + "users [##############################] 4/4\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if p.Current() != 4 {
		t.Errorf("current %d", p.Current())
	}
}

func TestProgressBarOffTerminal(t *testing.T) {
	s, _, out, errOut := Test()
	p := s.NewProgressBar(10, "groups")
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); p.Add(1) }()
	}
	wg.Wait()
	p.Done()
	if errOut.Len() != 0 || out.Len() != 0 || p.Current() != 10 {
		t.Errorf("drew off a terminal: %q %q, current %d", errOut.String(), out.String(), p.Current())
	}
}

func TestSpinnerLabelAndLines(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{"terminal", true, "a\n" + clearLine + spinnerFrames[0] + " x" + clearLine + "b\n" + clearLine + spinnerFrames[0] + " x" + clearLine + "end\n"},
		{"log", false, "a\nb\nend\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, out, errOut := Test()
			s.SetTTY(false, false, tt.tty)
			sp := s.StartSpinner("")
			sp.Println("a")
			sp.SetLabel("x")
			sp.Println("b")
			sp.Stop("end")
			sp.Stop("again")
			if errOut.String() != tt.want || out.Len() != 0 {
				t.Errorf("stderr %q\nwant   %q (stdout %q)", errOut.String(), tt.want, out.String())
			}
		})
	}
}

// TestMaskWith: Out and ErrOut are masked; SecretOut and SecretErrOut are the raw streams.
func TestMaskWith(t *testing.T) {
	s, _, out, errOut := Test()
	s.MaskWith(func(w io.Writer) io.Writer { return maskAll{w} })
	io.WriteString(s.Out, "tok")
	io.WriteString(s.ErrOut, "tok")
	io.WriteString(s.SecretOut(), "+tok")
	io.WriteString(s.SecretErrOut(), "+tok")
	if out.String() != "***+tok" || errOut.String() != "***+tok" {
		t.Errorf("out %q err %q", out.String(), errOut.String())
	}
}

type maskAll struct{ w io.Writer }

func (m maskAll) Write(p []byte) (int, error) { io.WriteString(m.w, "***"); return len(p), nil }

// TestMessagesBesideASpinner: writes through Messages from many goroutines, beside a spinner's
// frames and Println lines, arrive whole and above the spinner (run with -race: they share one
// buffer).
func TestMessagesBesideASpinner(t *testing.T) {
	for _, tty := range []bool{true, false} {
		t.Run(fmt.Sprintf("terminal=%v", tty), func(t *testing.T) {
			s, _, _, errOut := Test()
			s.SetTTY(false, false, tty)
			s.spinEvery = time.Millisecond
			sp := s.StartSpinner("applying")
			m := s.Messages(s.ErrOut)
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(2)
				go func() { defer wg.Done(); fmt.Fprintf(m, "checklist %d\nsecond line %d\n", i, i) }()
				go func() { defer wg.Done(); sp.Println(fmt.Sprintf("step %d done", i)) }()
			}
			wg.Wait()
			sp.Stop("applied")
			got := errOut.String()
			for i := range 8 {
				if !strings.Contains(got, fmt.Sprintf("checklist %d\nsecond line %d\n", i, i)) || !strings.Contains(got, fmt.Sprintf("step %d done\n", i)) {
					t.Fatalf("%d's lines are not whole: %q", i, got)
				}
			}
			if strings.Contains(got, "applying"+"checklist") || strings.Contains(got, "applyingsecond") {
				t.Errorf("a message was written on the spinner's line: %q", got)
			}
			if !tty && strings.Contains(got, clearLine) {
				t.Errorf("drew off a terminal: %q", got)
			}
		})
	}
}
