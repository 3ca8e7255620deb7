package service_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the processor time (user and system) this process has used:
// on a shared, loaded machine a steadier measure of a benchmark's own work
// than its wall time.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
