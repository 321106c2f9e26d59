package doctor

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunOutcomes(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	tests := []struct {
		name       string
		probe      Probe
		wantStatus []Status
		wantDetail string
	}{
		{"pass", Probe{ID: "a.pass", Title: "passes", Run: func(context.Context) []Check {
			return []Check{{Status: Pass, Detail: "fine"}}
		}}, []Status{Pass}, "fine"},
		{"several checks", Probe{ID: "a.multi", Title: "many", Run: func(context.Context) []Check {
			return []Check{{ID: "a.multi.one", Status: Pass}, {ID: "a.multi.two", Status: Warn}}
		}}, []Status{Pass, Warn}, ""},
		{"timeout honoured by the probe", Probe{ID: "b.slow", Title: "slow", Run: func(ctx context.Context) []Check {
			<-ctx.Done()
			return []Check{{Status: Pass}}
		}}, []Status{Fail}, "no answer within 50ms"},
		{"timeout ignored by the probe", Probe{ID: "b.stuck", Title: "stuck", Run: func(context.Context) []Check {
			<-hang
			return nil
		}}, []Status{Fail}, "no answer within 50ms"},
		{"panic", Probe{ID: "c.panic", Title: "panics", Run: func(context.Context) []Check {
			panic("a check gone wrong")
		}}, []Status{Fail}, "panicked"},
		{"nothing returned", Probe{ID: "d.empty", Title: "empty", Run: func(context.Context) []Check { return nil }},
			[]Status{Skip}, "nothing to check"},
		{"nil Run", Probe{ID: "d.nil", Title: "nil"}, []Status{Skip}, "nothing to check"},
		{"bad status", Probe{ID: "e.bad", Title: "bad", Run: func(context.Context) []Check {
			return []Check{{Status: "ok"}}
		}}, []Status{Fail}, `status "ok"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Run(context.Background(), []Probe{tt.probe}, Options{Timeout: 50 * time.Millisecond})
			if len(got) != len(tt.wantStatus) {
				t.Fatalf("got %d checks %+v, want %d", len(got), got, len(tt.wantStatus))
			}
			for i, c := range got {
				if c.Status != tt.wantStatus[i] {
					t.Errorf("check %d: status %s, want %s (%+v)", i, c.Status, tt.wantStatus[i], c)
				}
				if c.ID == "" || c.Title == "" {
					t.Errorf("check %d lacks ID or title: %+v", i, c)
				}
				if c.Status == Fail && c.Fix == "" {
					t.Errorf("failing check %d has no fix: %+v", i, c)
				}
			}
			if tt.wantDetail != "" && !strings.Contains(got[0].Detail, tt.wantDetail) {
				t.Errorf("detail %q lacks %q", got[0].Detail, tt.wantDetail)
			}
			if tt.probe.Run != nil && got[0].ID != tt.probe.ID && !strings.HasPrefix(got[0].ID, tt.probe.ID) {
				t.Errorf("ID %q, want the probe's %q", got[0].ID, tt.probe.ID)
			}
		})
	}
}

func TestRunKeepsOrder(t *testing.T) {
	var probes []Probe
	for i := 0; i < 20; i++ {
		id := string(rune('a'+i)) + ".x"
		delay := time.Duration(20-i) * time.Millisecond
		probes = append(probes, Probe{ID: id, Title: id, Run: func(ctx context.Context) []Check {
			time.Sleep(delay)
			return []Check{{Status: Pass}}
		}})
	}
	got := Run(context.Background(), probes, Options{Concurrency: 20})
	for i, c := range got {
		if c.ID != probes[i].ID {
			t.Fatalf("result %d is %s, want %s", i, c.ID, probes[i].ID)
		}
	}
}

func TestRunBoundsConcurrency(t *testing.T) {
	const limit, total = 3, 12
	var inFlight, maxSeen, started atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	var probes []Probe
	for i := 0; i < total; i++ {
		probes = append(probes, Probe{ID: "c.p", Title: "p", Run: func(ctx context.Context) []Check {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxSeen.Load()
				if n <= m || maxSeen.CompareAndSwap(m, n) {
					break
				}
			}
			started.Add(1)
			<-release
			return []Check{{Status: Pass}}
		}})
	}
	done := make(chan []Check)
	go func() {
		done <- Run(context.Background(), probes, Options{Concurrency: limit, Timeout: 10 * time.Second})
	}()
	// Wait until the runner has filled every slot, give it a chance to overfill, then let go.
	deadline := time.After(5 * time.Second)
	for started.Load() < limit {
		select {
		case <-deadline:
			t.Fatalf("only %d probes started", started.Load())
		case <-time.After(time.Millisecond):
		}
	}
	time.Sleep(20 * time.Millisecond)
	if got := started.Load(); got != limit {
		t.Errorf("%d probes started while %d were blocked, limit %d", got, limit, limit)
	}
	once.Do(func() { close(release) })
	got := <-done
	if len(got) != total {
		t.Fatalf("%d results", len(got))
	}
	if maxSeen.Load() != limit {
		t.Errorf("max in flight %d, want %d", maxSeen.Load(), limit)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := Run(ctx, []Probe{{ID: "x.y", Title: "t", Run: func(ctx context.Context) []Check {
		<-ctx.Done()
		return []Check{{Status: Pass}}
	}}}, Options{})
	if len(got) != 1 || got[0].Status != Fail {
		t.Fatalf("a cancelled run must fail, got %+v", got)
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		statuses []Status
		want     int
	}{
		{nil, 0},
		{[]Status{Pass}, 0},
		{[]Status{Pass, Warn, Skip}, 0},
		{[]Status{Pass, Fail}, 2},
		{[]Status{Fail, Fail, Warn}, 2},
	}
	for _, tt := range tests {
		var cs []Check
		for _, s := range tt.statuses {
			cs = append(cs, Check{ID: "x", Status: s})
		}
		if got := ExitCode(cs); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.statuses, got, tt.want)
		}
		if Failed(cs) != (tt.want == 2) {
			t.Errorf("Failed(%v) disagrees with ExitCode", tt.statuses)
		}
	}
}
