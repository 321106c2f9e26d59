package setupcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/iostreams"
	"github.com/flowsctl/flowsctl/pkg/config"
	"github.com/flowsctl/flowsctl/pkg/doctor"
)

// TenantResult is one tenant's run in a fleet: what `plan|apply|doctor -f DIR -o json` prints,
// one per config file.
type TenantResult struct {
	Tenant string `json:"tenant" yaml:"tenant"`
	File   string `json:"file" yaml:"file"`
	// Status is ok, pending (changes or operator steps), failed or error.
	Status string `json:"status" yaml:"status"`
	Exit   int    `json:"exit" yaml:"exit"`
	// Changes counts the steps plan would change, or apply changed.
	Changes      int    `json:"changes" yaml:"changes"`
	FailedChecks int    `json:"failedChecks" yaml:"failedChecks"`
	DurationMs   int64  `json:"durationMs" yaml:"durationMs"`
	Error        string `json:"error,omitempty" yaml:"error,omitempty"`
	// Report is what the command prints for this tenant alone with -o json.
	Report any `json:"report,omitempty" yaml:"report,omitempty"`

	checks []doctor.Check
}

// fleetRun is how a command runs one tenant: build the command's options from the tenant's
// factory and run its body.
type fleetRun func(f *cmdutil.Factory, parent *GraphOptions) error

// addFleetFlag adds --parallel.
func (o *GraphOptions) addFleetFlag(cmd *cobra.Command) {
	cmd.Flags().IntVar(&o.Parallel, "parallel", 4, "with a folder, glob or several -f: tenants run at once")
}

// fleet runs the command once per config file when -f named a folder, a glob or several
// files; handled is false for a single config (the command then runs as usual).
func (o *GraphOptions) fleet(verb string, run fleetRun) (handled bool, err error) {
	if o.Flags == nil || o.Factory == nil || o.Factory.ForFile == nil {
		return false, nil
	}
	files, isFleet, err := cmdutil.ConfigFiles(o.Flags.Files)
	if !isFleet {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	res := runFleet(o, files, run)
	return true, o.printFleet(verb, res)
}

// runFleet runs every tenant, at most --parallel at once, each on its own factory, streams and
// redactor; a tenant's error or panic is its own result.
func runFleet(o *GraphOptions, files []string, run fleetRun) []TenantResult {
	par := o.Parallel
	if par <= 0 {
		par = 4
	}
	if os.Getenv("GOGC") == "" {
		// A fleet keeps many tenants' short-lived working sets at once, and at the default
		// GOGC (100) the collector ran about a seventh of the fleet's CPU. Collecting at +400 %
		// trades memory for that CPU (figures in docs/performance.md). GOGC in the environment
		// wins.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	names := tenantNames(files)
	res := make([]TenantResult, len(files))
	// Every config is loaded before any tenant runs (sinkClashes needs them all); each tenant
	// then uses its own. A config that does not load is its tenant's error, reported by its run.
	cfgs := make([]*config.Config, len(files))
	var loading sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		loading.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			cfgs[i], _ = config.Load(f)
		})
	}
	loading.Wait()
	clash := sinkClashes(cfgs, names)
	var errMu sync.Mutex // whole lines from every tenant, never interleaved mid-line
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, file := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := clash[i]; err != "" {
				res[i] = TenantResult{Tenant: names[i], File: file, Status: "error", Exit: cmdutil.ExitFailure, Error: err}
				errMu.Lock()
				fmt.Fprintf(o.IO.ErrOut, "%s: %s\n", names[i], err)
				errMu.Unlock()
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i] = runTenant(o, names[i], file, cfgs[i], run, &errMu)
		}()
	}
	wg.Wait()
	return res
}

func runTenant(o *GraphOptions, name, file string, cfg *config.Config, run fleetRun, errMu *sync.Mutex) (r TenantResult) {
	r = TenantResult{Tenant: name, File: file}
	var out bytes.Buffer
	errW := &linePrefixer{prefix: name + ": ", w: o.IO.ErrOut, mu: errMu}
	tio := iostreams.Detached(&out, errW)
	tf := o.Factory.ForFile(file, cfg, tio)
	tf.Flags.Output = "json"
	start := time.Now()
	var runErr error
	func() {
		defer func() {
			if p := recover(); p != nil {
				runErr = fmt.Errorf("internal error in this tenant's run (the others went on): %v", p)
			}
		}()
		runErr = run(tf, o)
	}()
	r.DurationMs = time.Since(start).Milliseconds()
	r.Exit = cmdutil.CodeOf(runErr)
	if runErr != nil && runErr.Error() != "" && !isSilent(runErr) {
		r.Error = tf.Redactor.Mask(runErr.Error())
		fmt.Fprintf(tio.ErrOut, "%s\n", r.Error)
	}
	errW.flush()
	var rep struct {
		Steps []struct {
			Status string `json:"status"`
		} `json:"steps"`
		Checks []doctor.Check `json:"checks"`
	}
	if out.Len() > 0 && json.Unmarshal(out.Bytes(), &rep) == nil {
		var v any
		_ = json.Unmarshal(out.Bytes(), &v)
		r.Report = v
		for _, s := range rep.Steps {
			if s.Status == "pending" || s.Status == "done" {
				r.Changes++
			}
		}
		r.checks = rep.Checks
		r.FailedChecks = doctor.Summarize(rep.Checks).Fail
	}
	switch r.Exit {
	case cmdutil.ExitOK:
		r.Status = "ok"
	case cmdutil.ExitPending, cmdutil.ExitOperator:
		r.Status = "pending"
		if r.FailedChecks > 0 {
			r.Status = "failed"
		}
	case cmdutil.ExitAuth:
		r.Status = "auth"
	default:
		r.Status = "error"
	}
	return r
}

func isSilent(err error) bool {
	ee, ok := err.(*cmdutil.ExitError)
	return ok && ee.Err == nil
}

// printFleet prints the results in the -o format and returns the worst exit.
func (o *GraphOptions) printFleet(verb string, res []TenantResult) error {
	w := o.IO.Out
	var err error
	switch o.Output() {
	case "junit", "markdown":
		suites := make([]doctor.Suite, len(res))
		for i, r := range res {
			cs := r.checks
			if r.Error != "" && len(cs) == 0 {
				cs = []doctor.Check{{ID: "config", Title: "the tenant's doctor ran", Status: doctor.Fail, Detail: r.Error, Fix: "run: flowsctl doctor -f " + r.File}}
			}
			suites[i] = doctor.Suite{Name: r.Tenant, Checks: cs}
		}
		err = cmdutil.PrintCheckSuites(w, o.Output(), suites)
	default:
		err = cmdutil.Print(w, o.Output(), res, func(w io.Writer) error { return writeFleetText(w, verb, res) })
	}
	if err != nil {
		return err
	}
	if code := worstExit(res); code != 0 {
		return cmdutil.Silent(code)
	}
	return nil
}

func writeFleetText(w io.Writer, verb string, res []TenantResult) error {
	tab := cmdutil.NewTable(w, "TENANT", "STATUS", "CHANGES", "FAILED CHECKS", "TIME", "EXIT")
	count := map[string]int{}
	for _, r := range res {
		tab.Row(r.Tenant, r.Status, r.Changes, r.FailedChecks, ms(r.DurationMs), r.Exit)
		count[r.Status]++
	}
	tab.Flush()
	fmt.Fprintf(w, "\n%s: %d tenants: %d ok, %d pending, %d failed, %d error, %d auth.\n", strings.ToUpper(verb[:1])+verb[1:], len(res), count["ok"], count["pending"], count["failed"], count["error"], count["auth"])
	return nil
}

// worstExit is the fleet's exit: an error (1) is worst, then refused authentication (4), an
// operator step pending (3), changes pending or failed checks (2), and 0.
func worstExit(res []TenantResult) int {
	rank := map[int]int{cmdutil.ExitOK: 0, cmdutil.ExitPending: 1, cmdutil.ExitOperator: 2, cmdutil.ExitAuth: 3, cmdutil.ExitFailure: 4}
	worst := 0
	for _, r := range res {
		rk, ok := rank[r.Exit]
		if !ok {
			rk = 4
		}
		if rk > rank[worst] {
			worst = r.Exit
		}
	}
	return worst
}

// tenantNames names each file's tenant: its base name without extension, or its path when two
// files share a base name.
func tenantNames(files []string) []string {
	names := make([]string, len(files))
	seen := map[string]int{}
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		seen[names[i]]++
	}
	for i, f := range files {
		if seen[names[i]] > 1 {
			names[i] = f
		}
	}
	return names
}

// linePrefixer writes whole lines to w, each prefixed with the tenant's name; a partial line
// waits for its end (or flush).
type linePrefixer struct {
	prefix string
	w      io.Writer
	mu     *sync.Mutex // shared by the fleet: one line at a time on the real stderr
	bufMu  sync.Mutex  // this tenant's goroutines (progress, notices) write concurrently
	buf    []byte
}

func (l *linePrefixer) Write(p []byte) (int, error) {
	l.bufMu.Lock()
	defer l.bufMu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
}

func (l *linePrefixer) emit(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s%s", l.prefix, line)
}

func (l *linePrefixer) flush() {
	l.bufMu.Lock()
	defer l.bufMu.Unlock()
	if len(l.buf) > 0 {
		l.emit(append(l.buf, '\n'))
		l.buf = nil
	}
}

// sinkClashes finds the tenants whose configs write a created secret to the same file as
// another tenant's (two configs in one folder both keeping the default
// file:.flowsctl/secrets/... sinks, say): one would overwrite the other's secret and each would
// read the other's. Such a tenant is an error naming the other and the key, and does not run.
// cfgs[i] is nil for a config that did not load (its own run reports why).
func sinkClashes(cfgs []*config.Config, names []string) map[int]string {
	type owner struct {
		tenant int
		key    string
	}
	byPath := map[string][]owner{}
	for i, c := range cfgs {
		if c == nil {
			continue
		}
		for key, p := range c.FileSinks() {
			byPath[p] = append(byPath[p], owner{i, key})
		}
	}
	clash := map[int]string{}
	for _, p := range slices.Sorted(maps.Keys(byPath)) { // the same message on every run
		owners := byPath[p]
		for _, a := range owners {
			for _, b := range owners {
				if a.tenant == b.tenant || clash[a.tenant] != "" {
					continue
				}
				clash[a.tenant] = fmt.Sprintf("%s writes to %s, as %s of tenant %s does: give each tenant its own sink (e.g. file:.flowsctl/secrets/%s/%s); nothing was run for this tenant",
					a.key, p, b.key, names[b.tenant], names[a.tenant], filepath.Base(p))
			}
		}
	}
	return clash
}
