package main

import (
	"fmt"
	"os"
	"syscall"
)

// raiseFileLimit raises the process's open-file soft limit to its hard
// limit and returns both. Setting it explicitly (rather than relying on
// the Go runtime, which raises it for its own process only) makes the
// linli server started afterwards inherit it.
func raiseFileLimit() (soft, hard uint64, err error) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		return 0, 0, errNoProc
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, fmt.Errorf("read the open-file limit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, fmt.Errorf("raise the open-file limit to %d: %w", lim.Max, err)
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	return lim.Cur, lim.Max, nil
}
