// Package setupcmd holds the end-to-end commands: init, plan, apply, doctor and demo. They run
// the step graph of pkg/setup over the steps pkg/setup/steps builds from the config.
package setupcmd

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/httpx"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/internal/prompt"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/setup"
	"github.com/flowsctl/flowsctl/pkg/setup/steps"
)

// GraphOptions are shared by plan, apply and doctor: where the config, HTTP stack and steps come from.
type GraphOptions struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	HTTPClient func() (*httpx.Client, error)
	Prompter   func() prompt.Prompter
	// Steps builds the steps (tests substitute fakes); default steps.Build.
	Steps func(d steps.Deps) ([]setup.Step, error)

	// HTTPOptions are passed to steps that build a second client (a dedicated CA).
	HTTPOptions httpx.Options

	Output      string
	NoInput     bool
	Only        []string
	Concurrency int
	Timeout     time.Duration
	ShowSecret  bool
}

func graphOptions(f *cmdutil.Factory) GraphOptions {
	return GraphOptions{IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient, Prompter: f.Prompter}
}

// httpOptions mirrors what the factory's HTTP client was built with.
func httpOptions(f *cmdutil.Factory) httpx.Options {
	o := httpx.Options{UserAgent: "flowsctl/" + f.Build.Version, CAFile: f.Flags.CAFile}
	if f.Flags.Debug {
		o.Debug = f.IO.ErrOut
	}
	return o
}

// fromFlags copies the global flags at run time (cobra parses them after the command is built).
func (o *GraphOptions) fromFlags(f *cmdutil.Factory) {
	o.Output = f.Flags.Output
	o.NoInput = f.Flags.NoInput
	o.Timeout = f.Flags.Timeout
	o.HTTPOptions = httpOptions(f)
}

// graph loads the config and builds the step graph.
func (o *GraphOptions) graph() (*config.Config, *setup.Graph, error) {
	cfg, g, _, err := o.graphDeps()
	return cfg, g, err
}

func (o *GraphOptions) graphDeps() (*config.Config, *setup.Graph, steps.Deps, error) {
	cfg, d, err := o.deps()
	if err != nil {
		return nil, nil, d, err
	}
	build := o.Steps
	if build == nil {
		build = steps.Build
	}
	ss, err := build(d)
	if err != nil {
		return nil, nil, d, err
	}
	g, err := setup.NewGraph(ss...)
	if err != nil {
		return nil, nil, d, err
	}
	return cfg, g, d, nil
}

// deps loads the config and the HTTP stack for the step adapters.
func (o *GraphOptions) deps() (*config.Config, steps.Deps, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, steps.Deps{}, err
	}
	hc, err := o.HTTPClient()
	if err != nil {
		return nil, steps.Deps{}, err
	}
	var p prompt.Prompter = prompt.NoInput{Reason: "--no-input"}
	if o.Prompter != nil && !o.NoInput {
		p = o.Prompter()
	}
	ho := o.HTTPOptions
	if cfg.CAFile != "" && ho.CAFile == "" {
		ho.CAFile = cfg.CAFile
	}
	return cfg, steps.Deps{Config: cfg, HTTP: hc, HTTPOptions: ho, ErrOut: o.IO.ErrOut, Prompter: p, NoInput: o.NoInput, ShowSecret: o.ShowSecret}, nil
}

func (o *GraphOptions) context(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.Timeout > 0 {
		return context.WithTimeout(ctx, o.Timeout)
	}
	return context.WithCancel(ctx)
}

// splitOnly reads --only a,b --only c.
func splitOnly(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// progress writes one line per finished step on stderr; on a TTY it also keeps a spinner line
// naming the running steps.
type progress struct {
	w       io.Writer
	tty     bool
	verb    string
	mu      sync.Mutex
	running map[string]time.Time
	stop    chan struct{}
	done    chan struct{}
	drawn   bool
}

func newProgress(io *iostreams.IOStreams, verb string) *progress {
	p := &progress{w: io.ErrOut, tty: io.ShowProgress(), verb: verb, running: map[string]time.Time{}}
	if p.tty {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.spin()
	}
	return p
}

var frames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (p *progress) spin() {
	defer close(p.done)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.stop:
			p.mu.Lock()
			p.clear()
			p.mu.Unlock()
			return
		case <-t.C:
			p.mu.Lock()
			if len(p.running) > 0 {
				var names []string
				for n := range p.running {
					names = append(names, n)
				}
				sort.Strings(names)
				p.clear()
				fmt.Fprintf(p.w, "%s %s %s", frames[i%len(frames)], p.verb, strings.Join(names, ", "))
				p.drawn = true
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func (p *progress) event(e setup.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case setup.EventStart:
		p.running[e.Step] = time.Now()
	case setup.EventDone:
		delete(p.running, e.Step)
		p.clear()
		r := e.Result
		mark := map[setup.Status]string{setup.Done: "✓", setup.Unchanged: "✓", setup.Read: "·", setup.Pending: "~",
			setup.Operator: "!", setup.Failed: "✗", setup.Skipped: "-", setup.Cancelled: "✗", setup.Checked: "✓"}[r.Status]
		line := fmt.Sprintf("%s %-24s %s", mark, r.ID, r.Status)
		switch r.Status {
		case setup.Skipped, setup.Cancelled:
			if r.Reason != "" {
				line += ": " + r.Reason
			}
		case setup.Failed:
			line += fmt.Sprintf(" after %s: %s", ms(r.DurationMs), r.Error)
		default:
			line += fmt.Sprintf(" (%s, %d requests)", ms(r.DurationMs), r.Requests)
		}
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) close() {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
}

func ms(n int64) string {
	d := time.Duration(n) * time.Millisecond
	if d < time.Second {
		return fmt.Sprintf("%dms", n)
	}
	return d.Round(10 * time.Millisecond).String()
}
