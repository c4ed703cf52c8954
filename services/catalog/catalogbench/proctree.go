package catalogbench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ProcessTreeCPU is the CPU time (user and system) a process and its
// children have used, read from /proc: the process's own, its reaped
// children's, and its live children's. A database server's backends are
// its children, and one that exits moves its time from the live ones to
// the reaped, so the sum only grows.
func ProcessTreeCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	self, err := procCPU(pid, true)
	if err != nil {
		b.Fatal(err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	total := self
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		stat, err := procStat(child)
		if err != nil || len(stat) < 13 || stat[1] != strconv.Itoa(pid) {
			continue // gone since, or not a child
		}
		if cpu, err := ticks(stat, false); err == nil {
			total += cpu
		}
	}
	return total
}

// procStat is a process's /proc/PID/stat fields after its command name
// (state, ppid, ...), which is in parentheses and may hold spaces.
func procStat(pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	end := bytes.LastIndexByte(data, ')')
	if end < 0 || end+2 > len(data) {
		return nil, fmt.Errorf("/proc/%d/stat: no command name in %q", pid, data)
	}
	return strings.Fields(string(data[end+2:])), nil
}

func procCPU(pid int, children bool) (time.Duration, error) {
	stat, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return ticks(stat, children)
}

// ticks adds up utime and stime (and cutime and cstime when children) of
// stat fields, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
func ticks(stat []string, children bool) (time.Duration, error) {
	fields := []int{11, 12}
	if children {
		fields = append(fields, 13, 14)
	}
	var sum int64
	for _, i := range fields {
		if i >= len(stat) {
			return 0, fmt.Errorf("short /proc stat: %d fields", len(stat))
		}
		v, err := strconv.ParseInt(stat[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat field %d: %w", i+3, err)
		}
		sum += v
	}
	return time.Duration(sum) * 10 * time.Millisecond, nil
}
