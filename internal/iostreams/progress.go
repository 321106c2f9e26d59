package iostreams

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// spinnerInterval is how often a spinner redraws.
var spinnerInterval = 120 * time.Millisecond

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// clearLine returns the cursor to column 0 and erases the line.
const clearLine = "\r\x1b[K"

type spinner struct {
	stop chan struct{}
	done chan struct{}
}

// StartProgress shows a spinner with label on stderr while work runs, and returns the function
// that stops it. The spinner is drawn only when ShowProgress() (stderr is a terminal, not CI);
// otherwise nothing is drawn. The stop function erases the spinner and, when final is not
// empty, prints final as a line on stderr in both cases, so logs keep the outcome. Stopping
// twice is harmless; starting a spinner stops the one already running.
func (s *IOStreams) StartProgress(label string) func(final string) {
	if !s.ShowProgress() {
		var once sync.Once
		return func(final string) {
			once.Do(func() {
				if final != "" {
					s.mu.Lock()
					fmt.Fprintln(s.ErrOut, final)
					s.mu.Unlock()
				}
			})
		}
	}
	s.mu.Lock()
	prev := s.spinner
	s.mu.Unlock()
	if prev != nil {
		prev.halt()
	}
	sp := &spinner{stop: make(chan struct{}), done: make(chan struct{})}
	s.mu.Lock()
	s.spinner = sp
	fmt.Fprintf(s.ErrOut, "%s%s %s", clearLine, spinnerFrames[0], label) // first frame before returning
	s.mu.Unlock()
	go func() {
		defer close(sp.done)
		t := time.NewTicker(spinnerInterval)
		defer t.Stop()
		for i := 1; ; i++ {
			select {
			case <-sp.stop:
				return
			case <-t.C:
				s.mu.Lock()
				fmt.Fprintf(s.ErrOut, "%s%s %s", clearLine, spinnerFrames[i%len(spinnerFrames)], label)
				s.mu.Unlock()
			}
		}
	}()
	var once sync.Once
	return func(final string) {
		once.Do(func() {
			sp.halt()
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.spinner == sp {
				s.spinner = nil
			}
			io.WriteString(s.ErrOut, clearLine)
			if final != "" {
				fmt.Fprintln(s.ErrOut, final)
			}
		})
	}
}

// halt stops the drawing goroutine and waits for it; safe to call more than once.
func (sp *spinner) halt() {
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

// Current is how many units are done.
func (p *ProgressBar) Current() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
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
