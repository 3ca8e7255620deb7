package config

import "syscall"

// errAddrInUse is the errno a busy port gives on Unix.
const errAddrInUse = syscall.EADDRINUSE
