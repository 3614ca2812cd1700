package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deskgate/deskgate/store/storetest"
)

// cpuTimes is the CPU time (user + system) used so far by this process and
// by the test PostgreSQL cluster (its postmaster, the backends it has
// reaped and those still running; zero on bbolt or when it cannot be
// read), so a benchmark can report which side a phase kept busy.
func cpuTimes() (self, pg time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return self, pgCPU()
}

// clockTick is the kernel's USER_HZ, the unit of /proc/PID/stat times.
const clockTick = 10 * time.Millisecond

// pgCPU is the CPU time of the cluster in DESKGATE_TEST_PG_DIR, when
// the benchmarks run on PostgreSQL.
func pgCPU() time.Duration {
	dir := os.Getenv("DESKGATE_TEST_PG_DIR")
	if dir == "" || !storetest.Postgres() {
		return 0
	}
	data, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, _, _ := strings.Cut(string(data), "\n")
	pmTicks := procTicks(pm, true)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	total := pmTicks
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if procParent(e.Name()) == pm {
			total += procTicks(e.Name(), false)
		}
	}
	return time.Duration(total) * clockTick
}

// procStat is the fields of /proc/PID/stat after the command name (the
// state is field 0).
func procStat(pid string) []string {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return nil
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

func procParent(pid string) string {
	if f := procStat(pid); len(f) > 1 {
		return f[1]
	}
	return ""
}

// procTicks is utime+stime of pid, plus cutime+cstime (its reaped
// children) when children is set.
func procTicks(pid string, children bool) int64 {
	f := procStat(pid)
	if len(f) < 15 {
		return 0
	}
	n := 2
	if children {
		n = 4
	}
	var t int64
	for _, v := range f[11 : 11+n] {
		x, _ := strconv.ParseInt(v, 10, 64)
		t += x
	}
	return t
}
