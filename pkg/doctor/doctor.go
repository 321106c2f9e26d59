// Package doctor is the check model shared by every verify command and `flowsctl doctor`.
package doctor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

type Status string

// The statuses say how flowsctl knows: Pass only when it observed the fact through an API,
// Confirmed when an operator said a console step is done (not observable), Todo for an
// operator step not done yet.
const (
	Pass      Status = "pass"
	Confirmed Status = "confirmed"
	Todo      Status = "todo"
	Warn      Status = "warn"
	Fail      Status = "fail"
	Skip      Status = "skip"
)

// Check is one verified fact. Fix says what to run or where to click when it is not a pass.
type Check struct {
	ID     string `json:"id" yaml:"id"`
	Title  string `json:"title" yaml:"title"`
	Status Status `json:"status" yaml:"status"`
	Detail string `json:"detail,omitempty" yaml:"detail,omitempty"`
	Fix    string `json:"fix,omitempty" yaml:"fix,omitempty"`
	// DurationMs is how long the probe that produced the check took.
	DurationMs int64 `json:"durationMs" yaml:"durationMs"`
}

// Probe produces one or more checks. Probes run concurrently.
type Probe struct {
	ID    string
	Title string
	Run   func(ctx context.Context) []Check
}

// Options bound a run.
type Options struct {
	Timeout     time.Duration // per probe; default 30s
	Concurrency int           // default 8
}

// Run executes probes concurrently (at most Options.Concurrency at once), each under its own
// timeout. A probe that times out or panics yields a failing check with its ID; a probe that
// returns nothing yields a skipped one; probes not started because ctx ended fail. Results
// keep the order of probes.
func Run(ctx context.Context, probes []Probe, o Options) []Check {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	results := make([][]Check, len(probes))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = []Check{{ID: p.ID, Title: p.Title, Status: Fail,
					Detail: "not run: " + ctx.Err().Error(), Fix: "run flowsctl doctor again and let it finish"}}
				return
			}
			defer func() { <-sem }()
			results[i] = runOne(ctx, p, o.Timeout)
		}()
	}
	wg.Wait()
	var out []Check
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

func runOne(parent context.Context, p Probe, timeout time.Duration) (out []Check) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	done := make(chan []Check, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- []Check{{ID: p.ID, Title: p.Title, Status: Fail, Detail: fmt.Sprintf("internal error: the check panicked: %v", r),
					Fix: "report this at the flowsctl issue tracker with the output of flowsctl doctor --debug"}}
			}
		}()
		if p.Run == nil {
			done <- nil
			return
		}
		done <- p.Run(ctx)
	}()
	select {
	case out = <-done:
	case <-ctx.Done():
		// A probe that ignores its context is abandoned; its late answer goes nowhere.
		if parent.Err() != nil {
			out = []Check{{ID: p.ID, Title: p.Title, Status: Fail,
				Detail: "interrupted: " + parent.Err().Error(), Fix: "run flowsctl doctor again and let it finish"}}
		} else {
			out = []Check{{ID: p.ID, Title: p.Title, Status: Fail,
				Detail: fmt.Sprintf("no answer within %s", timeout), Fix: "check the network path to the service, or raise --timeout"}}
		}
	}
	if len(out) == 0 {
		out = []Check{{ID: p.ID, Title: p.Title, Status: Skip, Detail: "nothing to check"}}
	}
	ms := time.Since(start).Milliseconds()
	for i := range out {
		if out[i].ID == "" {
			out[i].ID = p.ID
		}
		if out[i].Title == "" {
			out[i].Title = p.Title
		}
		switch out[i].Status {
		case Pass, Warn, Fail, Skip:
		default:
			out[i].Detail = strings.TrimSpace(fmt.Sprintf("the check returned status %q; %s", out[i].Status, out[i].Detail))
			out[i].Status = Fail
			if out[i].Fix == "" {
				out[i].Fix = "report this at the flowsctl issue tracker: check " + out[i].ID + " returned an unknown status"
			}
		}
		if out[i].DurationMs == 0 {
			out[i].DurationMs = ms
		}
	}
	return out
}

// Failed reports whether any check failed.
func Failed(cs []Check) bool {
	for _, c := range cs {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// ExitCode is 2 when any check failed, else 0.
func ExitCode(cs []Check) int {
	if Failed(cs) {
		return 2
	}
	return 0
}
