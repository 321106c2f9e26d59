//go:build unix

package e2e

import (
	"os"
	"runtime"
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

// processUse is the minor page faults and peak RSS in MB of a process that has ended.
func processUse(ps *os.ProcessState) (int64, float64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, 0
	}
	unit := 1024.0 // ru_maxrss is in KB, but in bytes on Apple systems
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		unit = 1
	}
	return int64(ru.Minflt), float64(ru.Maxrss) * unit / (1 << 20)
}
