//go:build !unix

package e2e

import (
	"os"
	"time"
)

// cpuTime is 0 where getrusage is unavailable (the benchmark then reports no CPU figures).
func cpuTime() time.Duration { return 0 }

func pageFaults() int64 { return 0 }

func processUse(*os.ProcessState) (int64, float64) { return 0, 0 }
