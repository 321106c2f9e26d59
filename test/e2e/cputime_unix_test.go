//go:build unix

package e2e

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time this process has used so far (every sandbox and
// flowsctl: both sides of each request), 0 where getrusage is unavailable. Unlike wall time it
// does not depend on what else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pageFaults is the number of minor page faults of this process so far: first touches of
// memory the kernel had not mapped yet (what a growing heap and new goroutine stacks cost).
func pageFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return int64(ru.Minflt)
}
