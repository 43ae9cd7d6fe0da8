package node

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// Machine is what the kubelet reads about its host once at start.
type Machine struct {
	CPUs             int64
	MemoryBytes      int64
	EphemeralBytes   int64
	HugePageSizes    []string // "2Mi", "1Gi"
	KernelVersion    string
	OSImage          string
	MachineID        string
	SystemUUID       string
	BootID           string
	OperatingSystem  string
	Architecture     string
	ephemeralRootDir string
}

// ReadMachine inspects the host; rootDir is the kubelet's root directory, whose filesystem
// is the node's ephemeral storage.
func ReadMachine(rootDir string) (*Machine, error) {
	m := &Machine{
		CPUs:             int64(runtime.NumCPU()),
		OperatingSystem:  runtime.GOOS,
		Architecture:     runtime.GOARCH,
		KernelVersion:    readTrimmed("/proc/sys/kernel/osrelease"),
		OSImage:          osImage(),
		MachineID:        readTrimmed("/etc/machine-id"),
		SystemUUID:       strings.ToLower(readTrimmed("/sys/class/dmi/id/product_uuid")),
		BootID:           readTrimmed("/proc/sys/kernel/random/boot_id"),
		ephemeralRootDir: rootDir,
	}
	mem, err := memTotal()
	if err != nil {
		return nil, err
	}
	m.MemoryBytes = mem
	var st syscall.Statfs_t
	dir := rootDir
	for dir != "/" {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil, fmt.Errorf("statfs %s: %w", dir, err)
	}
	m.EphemeralBytes = int64(st.Blocks) * int64(st.Bsize)
	entries, _ := os.ReadDir("/sys/kernel/mm/hugepages")
	for _, e := range entries {
		// "hugepages-2048kB" -> "2Mi"
		kb := strings.TrimSuffix(strings.TrimPrefix(e.Name(), "hugepages-"), "kB")
		var n int64
		if _, err := fmt.Sscan(kb, &n); err == nil {
			m.HugePageSizes = append(m.HugePageSizes, resource.NewQuantity(n*1024, resource.BinarySI).String())
		}
	}
	return m, nil
}

func readTrimmed(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func osImage() string {
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return "Unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Unknown"
}

func memTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("read memory size: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		var kb int64
		if _, err := fmt.Sscanf(s.Text(), "MemTotal: %d kB", &kb); err == nil {
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("read memory size: no MemTotal in /proc/meminfo")
}

// Resources computes capacity and allocatable as upstream does with no reservations:
// allocatable memory is capacity minus the default hard eviction threshold (100Mi), and
// allocatable ephemeral storage is capacity minus 10% (nodefs.available<10%).
func (m *Machine) Resources(maxPods int64, cpuOverride, memoryOverride *resource.Quantity) (capacity, allocatable corev1.ResourceList) {
	cpu := *resource.NewQuantity(m.CPUs, resource.DecimalSI)
	if cpuOverride != nil {
		cpu = *cpuOverride
	}
	mem := *resource.NewQuantity(m.MemoryBytes, resource.BinarySI)
	if memoryOverride != nil {
		mem = *memoryOverride
	}
	capacity = corev1.ResourceList{
		corev1.ResourceCPU:              cpu,
		corev1.ResourceMemory:           mem,
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(m.EphemeralBytes, resource.BinarySI),
		corev1.ResourcePods:             *resource.NewQuantity(maxPods, resource.DecimalSI),
	}
	for _, size := range m.HugePageSizes {
		capacity[corev1.ResourceName(corev1.ResourceHugePagesPrefix+size)] = *resource.NewQuantity(0, resource.BinarySI)
	}
	allocatable = capacity.DeepCopy()
	allocMem := mem.DeepCopy()
	allocMem.Sub(resource.MustParse("100Mi"))
	if allocMem.Sign() < 0 {
		allocMem = *resource.NewQuantity(0, resource.BinarySI)
	}
	allocatable[corev1.ResourceMemory] = allocMem
	allocatable[corev1.ResourceEphemeralStorage] = *resource.NewQuantity(m.EphemeralBytes-m.EphemeralBytes/10, resource.DecimalSI)
	return capacity, allocatable
}
