package stats

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The kernel files the node's figures come from; tests point them at testdata.
type procFiles struct {
	stat, meminfo, netdev, route, pidMax, proc string
}

var defaultProcFiles = procFiles{
	stat: "/proc/stat", meminfo: "/proc/meminfo", netdev: "/proc/net/dev", route: "/proc/net/route",
	pidMax: "/proc/sys/kernel/pid_max", proc: "/proc",
}

// userHZ is the kernel's clock tick for /proc/stat times (100 on every Linux the
// kubelet supports).
const userHZ = 100

// cpuTimes is the aggregate line of /proc/stat.
type cpuTimes struct {
	// busy is the time spent not idle, in nanoseconds summed over CPUs.
	busy uint64
	// bootTime is when the node started.
	bootTime time.Time
}

// parseProcStat reads the "cpu" line (user nice system idle iowait irq softirq steal
// ...) and btime. Busy time is everything but idle and iowait, as cgroups count CPU use;
// guest time is already inside user.
func parseProcStat(r io.Reader) (cpuTimes, error) {
	var out cpuTimes
	sc := bufio.NewScanner(r)
	found := false
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "cpu":
			if len(fields) < 8 {
				return out, fmt.Errorf("short cpu line in /proc/stat: %q", sc.Text())
			}
			var ticks uint64
			for i, f := range fields[1:] {
				if i == 3 || i == 4 || i >= 8 { // idle, iowait, guest, guest_nice
					continue
				}
				v, err := strconv.ParseUint(f, 10, 64)
				if err != nil {
					return out, fmt.Errorf("/proc/stat cpu field %d: %w", i+1, err)
				}
				ticks += v
			}
			out.busy = ticks * (uint64(time.Second) / userHZ)
			found = true
		case "btime":
			if len(fields) == 2 {
				if s, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					out.bootTime = time.Unix(s, 0)
				}
			}
		}
	}
	if !found {
		return out, fmt.Errorf("no cpu line in /proc/stat")
	}
	return out, sc.Err()
}

// memInfo holds the /proc/meminfo fields the summary needs, in bytes.
type memInfo struct {
	total, free, inactiveFile uint64
}

func parseMeminfo(r io.Reader) (memInfo, error) {
	var m memInfo
	sc := bufio.NewScanner(r)
	seen := 0
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && fields[1] == "kB" {
			v *= 1024
		}
		switch name {
		case "MemTotal":
			m.total, seen = v, seen+1
		case "MemFree":
			m.free, seen = v, seen+1
		case "Inactive(file)":
			m.inactiveFile, seen = v, seen+1
		}
	}
	if seen < 3 {
		return m, fmt.Errorf("/proc/meminfo lacks MemTotal, MemFree or Inactive(file)")
	}
	return m, sc.Err()
}

// memoryStats turns meminfo into the node's memory figures the way the root cgroup
// reads: usage includes the page cache, the working set excludes its inactive part.
func (m memInfo) memoryStats(now time.Time) *MemoryStats {
	usage := m.total - m.free
	workingSet := usage
	if m.inactiveFile < workingSet {
		workingSet -= m.inactiveFile
	}
	available := m.total - workingSet
	return &MemoryStats{Time: timeOf(now), UsageBytes: &usage, WorkingSetBytes: &workingSet, AvailableBytes: &available}
}

// parseNetDev reads /proc/net/dev: per interface, receive bytes and errors (columns 1
// and 3) and transmit bytes and errors (9 and 11). Loopback is left out.
func parseNetDev(r io.Reader) ([]InterfaceStats, error) {
	var out []InterfaceStats
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		f := strings.Fields(rest)
		if name == "lo" || len(f) < 16 {
			continue
		}
		nums := make([]uint64, 4)
		for i, col := range []int{0, 2, 8, 10} {
			v, err := strconv.ParseUint(f[col], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("/proc/net/dev %s: %w", name, err)
			}
			nums[i] = v
		}
		out = append(out, InterfaceStats{Name: name, RxBytes: &nums[0], RxErrors: &nums[1], TxBytes: &nums[2], TxErrors: &nums[3]})
	}
	return out, sc.Err()
}

// defaultRouteInterface reads /proc/net/route for the interface of the default route
// (destination 00000000), "" when there is none.
func defaultRouteInterface(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 2 && f[1] == "00000000" && f[0] != "Iface" {
			return f[0]
		}
	}
	return ""
}

// networkStats reports every interface, with the default one's counters at the top
// level: the interface of the default route, else eth0 (upstream's default name), else
// the first.
func networkStats(ifaces []InterfaceStats, defaultName string, now time.Time) *NetworkStats {
	if len(ifaces) == 0 {
		return nil
	}
	def := ifaces[0]
	for _, name := range []string{defaultName, "eth0"} {
		found := false
		for _, i := range ifaces {
			if name != "" && i.Name == name {
				def, found = i, true
				break
			}
		}
		if found {
			break
		}
	}
	return &NetworkStats{Time: timeOf(now), InterfaceStats: def, Interfaces: ifaces}
}

// fsStats is statfs of the filesystem holding path.
func fsStats(path string, now time.Time) (*FsStats, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return nil, fmt.Errorf("statfs %s: %w", path, err)
	}
	bsize := uint64(st.Bsize)
	capacity := st.Blocks * bsize
	available := st.Bavail * bsize
	used := (st.Blocks - st.Bfree) * bsize
	inodes, free := st.Files, st.Ffree
	inodesUsed := inodes - free
	return &FsStats{Time: timeOf(now), CapacityBytes: &capacity, AvailableBytes: &available, UsedBytes: &used,
		Inodes: &inodes, InodesFree: &free, InodesUsed: &inodesUsed}, nil
}

// rlimitStats reads the pid limit and counts processes (numeric entries of /proc).
func rlimitStats(files procFiles, now time.Time) *RlimitStats {
	out := &RlimitStats{Time: timeOf(now)}
	if b, err := os.ReadFile(files.pidMax); err == nil {
		if v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil {
			out.MaxPID = &v
		}
	}
	if entries, err := os.ReadDir(files.proc); err == nil {
		var n int64
		for _, e := range entries {
			if _, err := strconv.Atoi(e.Name()); err == nil {
				n++
			}
		}
		out.NumOfRunningProcesses = &n
	}
	return out
}
