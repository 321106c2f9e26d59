package iostreams

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// spinnerInterval is how often a spinner redraws (IOStreams.spinEvery overrides it in tests).
const spinnerInterval = 120 * time.Millisecond

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// clearLine returns the cursor to column 0 and erases the line.
const clearLine = "\r\x1b[K"

// Spinner is a line on stderr with a turning mark and a label that can change while work runs;
// lines printed through it appear above the spinner. It draws only when ShowProgress() (stderr
// is a terminal, not CI); otherwise the label is not shown and Println and Stop still print
// their lines, so logs keep the outcome.
type Spinner struct {
	s     *IOStreams
	draw  bool
	label string // guarded by s.mu
	frame int    // guarded by s.mu
	drawn bool   // guarded by s.mu: the spinner line is on screen
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// StartSpinner starts a spinner with label (which may be empty: nothing shown until SetLabel).
// Starting a spinner stops the one already running.
func (s *IOStreams) StartSpinner(label string) *Spinner {
	sp := &Spinner{s: s, draw: s.ShowProgress(), label: label}
	if !sp.draw {
		return sp
	}
	s.mu.Lock()
	prev := s.spinner
	s.mu.Unlock()
	if prev != nil {
		prev.halt()
	}
	sp.stop, sp.done = make(chan struct{}), make(chan struct{})
	s.mu.Lock()
	s.spinner = sp
	sp.drawLocked() // first frame before returning
	s.mu.Unlock()
	go func() {
		defer close(sp.done)
		every := spinnerInterval
		if s.spinEvery > 0 {
			every = s.spinEvery
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-sp.stop:
				return
			case <-t.C:
				s.mu.Lock()
				sp.frame++
				sp.drawLocked()
				s.mu.Unlock()
			}
		}
	}()
	return sp
}

// Lines is a Spinner that never draws, for when the terminal may ask a question: its Println
// and Stop print their lines like a spinner's.
func (s *IOStreams) Lines() *Spinner { return &Spinner{s: s} }

func (sp *Spinner) drawLocked() {
	if sp.label == "" {
		sp.clearLocked()
		return
	}
	fmt.Fprintf(sp.s.ErrOut, "%s%s %s", clearLine, spinnerFrames[sp.frame%len(spinnerFrames)], sp.label)
	sp.drawn = true
}

func (sp *Spinner) clearLocked() {
	if sp.drawn {
		io.WriteString(sp.s.ErrOut, clearLine)
		sp.drawn = false
	}
}

// SetLabel changes what the spinner says ("" hides it until the next label).
func (sp *Spinner) SetLabel(label string) {
	if !sp.draw {
		return
	}
	sp.s.mu.Lock()
	defer sp.s.mu.Unlock()
	sp.label = label
	if sp.running() {
		sp.drawLocked()
	}
}

// Println prints line on stderr above the spinner.
func (sp *Spinner) Println(line string) {
	sp.s.mu.Lock()
	defer sp.s.mu.Unlock()
	if sp.draw {
		sp.clearLocked()
	}
	fmt.Fprintln(sp.s.ErrOut, line)
	if sp.draw && sp.running() {
		sp.drawLocked()
	}
}

func (sp *Spinner) running() bool {
	select {
	case <-sp.stop:
		return false
	default:
		return true
	}
}

// Stop erases the spinner and, when final is not empty, prints final as a line on stderr.
// Stopping twice is harmless.
func (sp *Spinner) Stop(final string) {
	sp.once.Do(func() {
		if sp.draw {
			sp.halt()
		}
		sp.s.mu.Lock()
		defer sp.s.mu.Unlock()
		if sp.draw {
			if sp.s.spinner == sp {
				sp.s.spinner = nil
			}
			io.WriteString(sp.s.ErrOut, clearLine)
			sp.drawn = false
		}
		if final != "" {
			fmt.Fprintln(sp.s.ErrOut, final)
		}
	})
}

// halt stops the drawing goroutine and waits for it; safe to call more than once.
func (sp *Spinner) halt() {
	select {
	case <-sp.stop:
	default:
		close(sp.stop)
	}
	<-sp.done
}

// ProgressBar draws "label [#####-----] 3/10" on stderr. It is a no-op when progress is not
// shown (stderr not a terminal, or CI). Safe for concurrent use.
type ProgressBar struct {
	s       *IOStreams
	draw    bool
	label   string
	total   int
	mu      sync.Mutex
	current int
	done    bool
}

// progressWidth is the width of the bar between brackets.
const progressWidth = 30

// NewProgressBar starts a bar for total units of work.
func (s *IOStreams) NewProgressBar(total int, label string) *ProgressBar {
	p := &ProgressBar{s: s, draw: s.ShowProgress(), label: label, total: total}
	p.render(false)
	return p
}

// Add advances the bar by n units (never past total).
func (p *ProgressBar) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.current += n
	if p.current > p.total {
		p.current = p.total
	}
	if p.current < 0 {
		p.current = 0
	}
	p.renderLocked(false)
}

// Done draws the final state and ends the line. Further calls do nothing.
func (p *ProgressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	p.renderLocked(true)
}

func (p *ProgressBar) render(last bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.renderLocked(last)
}

func (p *ProgressBar) renderLocked(last bool) {
	if !p.draw {
		return
	}
	filled := progressWidth
	if p.total > 0 {
		filled = p.current * progressWidth / p.total
	}
	line := fmt.Sprintf("%s%s [%s%s] %d/%d", clearLine, p.label,
		strings.Repeat("#", filled), strings.Repeat("-", progressWidth-filled), p.current, p.total)
	if last {
		line += "\n"
	}
	p.s.mu.Lock()
	io.WriteString(p.s.ErrOut, line)
	p.s.mu.Unlock()
}

// Messages is w (ErrOut, or SecretErrOut) for text that other goroutines print while a spinner
// may be drawing, such as the checklists of steps running at once: each write holds the
// spinner's lock, erases the spinner's line first and draws it again after a complete line, so
// the spinner, Println and these writes never mix their bytes.
func (s *IOStreams) Messages(w io.Writer) io.Writer { return &messages{s: s, w: w} }

type messages struct {
	s *IOStreams
	w io.Writer
}

func (m *messages) Write(p []byte) (int, error) {
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	sp := m.s.spinner
	if sp != nil {
		sp.clearLocked()
	}
	n, err := m.w.Write(p)
	if sp != nil && sp.running() && len(p) > 0 && p[len(p)-1] == '\n' {
		sp.drawLocked()
	}
	return n, err
}
