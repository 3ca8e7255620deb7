package cli

import "syscall"

// peakRSSMiB returns this process's peak resident memory in MiB (Linux
// reports ru_maxrss in KiB), or 0 when it cannot be read.
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
