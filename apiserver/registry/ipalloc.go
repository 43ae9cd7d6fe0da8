package registry

// Service cluster IPs and node ports are the only things the apiserver hands out that live
// outside the object being written: two Services must never get the same cluster IP or node
// port, so something has to remember which ones are taken. Upstream keeps that in etcd
// (IPAddress objects, a node-port bitmap) plus a repair loop; Skiff keeps it in memory and
// rebuilds it from the stored Services when the apiserver starts.
//
// Wiring (done by the apiserver's server setup, once, before serving):
//
//	ips, err := registry.NewIPRange(cfg.ServiceClusterIPRange)    // "10.0.0.0/24"
//	ports, err := registry.NewPortRange(cfg.ServiceNodePortRange) // "30000-32767"
//	registry.SeedServiceAllocators(ips, ports, existingServices)   // every stored Service
//	registry.UseServiceAllocators(ips, ports)
//
// The services strategy then draws from them in its Reserve hook (see hooks.go) and gives
// back in Release. Until UseServiceAllocators is called, creating a Service that needs a
// cluster IP or node port fails with "service IP allocation is not configured".

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// ClusterIPAllocator hands out service cluster IPs.
type ClusterIPAllocator interface {
	// Allocate reserves requested, or any free address when requested is "". It returns
	// the reserved address.
	Allocate(requested string) (string, error)
	// Release gives an address back; releasing a free or foreign address does nothing.
	Release(ip string)
}

// NodePortAllocator hands out service node ports.
type NodePortAllocator interface {
	// Allocate reserves requested, or any free port when requested is 0.
	Allocate(requested int32) (int32, error)
	Release(port int32)
}

// The allocation errors, with upstream's messages (they reach users inside 422 and 500
// answers: "failed to allocate IP 10.0.0.5: provided IP is already allocated").
var (
	ErrIPRangeFull = errors.New("range is full")
	ErrIPAllocated = errors.New("provided IP is already allocated")
	// ErrIPNotInRange is what upstream's (IPAddress-object based) allocator answers for a
	// requested IP outside the range, including its network and broadcast addresses.
	ErrIPNotInRange    = errors.New("the provided network does not match the current range")
	ErrPortRangeFull   = errors.New("range is full")
	ErrPortAllocated   = errors.New("provided port is already allocated")
	errNotConfigured   = errors.New("service IP allocation is not configured")
	errNodePortsNotSet = errors.New("service node port allocation is not configured")
)

// PortNotInRangeError says a requested node port lies outside the node port range.
type PortNotInRangeError struct{ Range string }

func (e *PortNotInRangeError) Error() string {
	return "provided port is not in the valid range. The range of valid ports is " + e.Range
}

// IPRange allocates IPv4 addresses from one CIDR. The network and broadcast addresses are
// never handed out. As upstream (KEP-3070), the low band of the range (size/16, at least 16
// and at most 256 addresses) is kept for explicitly requested IPs: dynamic allocation picks
// a random free address above it and only falls back into it when the upper part is full,
// so well-known addresses like the DNS service's x.x.x.10 stay free for whoever asks.
type IPRange struct {
	prefix netip.Prefix
	first  uint32 // first usable address
	size   uint32 // usable addresses
	offset uint32 // size of the low, static-preferred band

	mu   sync.Mutex
	used map[uint32]bool
}

// NewIPRange parses a CIDR such as "10.0.0.0/24". Only IPv4 ranges are supported.
func NewIPRange(cidr string) (*IPRange, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, fmt.Errorf("service cluster IP range %q: %w", cidr, err)
	}
	p = p.Masked()
	if !p.Addr().Is4() {
		return nil, fmt.Errorf("service cluster IP range %q: IPv6 service ranges are not implemented", cidr)
	}
	hostBits := 32 - p.Bits()
	if hostBits < 2 {
		return nil, fmt.Errorf("service cluster IP range %q: too small, need at least a /30", cidr)
	}
	total := uint64(1) << hostBits
	r := &IPRange{
		prefix: p,
		first:  addrToUint(p.Addr()) + 1,
		size:   uint32(total - 2),
		used:   map[uint32]bool{},
	}
	r.offset = uint32(bandOffset(total, 16, 256, 16))
	return r, nil
}

// bandOffset is min(max(lo, size/step), hi), or 0 for ranges no bigger than lo: the size
// of the low band reserved for static allocation.
func bandOffset(size uint64, lo, hi, step uint64) uint64 {
	if size <= lo {
		return 0
	}
	return min(max(lo, size/step), hi)
}

func addrToUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func uintToAddr(u uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// String is the CIDR, as error messages show it.
func (r *IPRange) String() string { return r.prefix.String() }

// Allocate implements ClusterIPAllocator.
func (r *IPRange) Allocate(requested string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if requested == "" {
		// Upper band first, then the static band.
		if u, ok := r.pickFree(r.offset, r.size); ok {
			return uintToAddr(u).String(), nil
		}
		if u, ok := r.pickFree(0, r.offset); ok {
			return uintToAddr(u).String(), nil
		}
		return "", ErrIPRangeFull
	}
	a, err := netip.ParseAddr(requested)
	if err != nil || !a.Is4() {
		return "", ErrIPNotInRange
	}
	u := addrToUint(a)
	if !r.prefix.Contains(a) || u < r.first || u >= r.first+r.size {
		return "", ErrIPNotInRange
	}
	if r.used[u] {
		return "", ErrIPAllocated
	}
	r.used[u] = true
	return a.String(), nil
}

// pickFree marks and returns a free address with index in [lo, hi), starting the scan at a
// random index so concurrent apiservers (and tests) do not all pick the same one.
func (r *IPRange) pickFree(lo, hi uint32) (uint32, bool) {
	n := hi - lo
	if n == 0 {
		return 0, false
	}
	start := rand.Uint32N(n)
	for i := uint32(0); i < n; i++ {
		u := r.first + lo + (start+i)%n
		if !r.used[u] {
			r.used[u] = true
			return u, true
		}
	}
	return 0, false
}

// Release implements ClusterIPAllocator.
func (r *IPRange) Release(ip string) {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return
	}
	r.mu.Lock()
	delete(r.used, addrToUint(a))
	r.mu.Unlock()
}

// Has reports whether ip is currently allocated (for tests and the repair at startup).
func (r *IPRange) Has(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.used[addrToUint(a)]
}

// PortRange allocates node ports from an inclusive range such as 30000-32767, with the same
// static band as IPRange (size/32, at least 16 and at most 128 ports, KEP-3668).
type PortRange struct {
	base, size int32
	offset     int32
	text       string

	mu   sync.Mutex
	used map[int32]bool
}

// NewPortRange parses "30000-32767" (or a single port "30000").
func NewPortRange(spec string) (*PortRange, error) {
	lo, hi, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		hi = lo
	}
	b, err1 := strconv.ParseInt(strings.TrimSpace(lo), 10, 32)
	e, err2 := strconv.ParseInt(strings.TrimSpace(hi), 10, 32)
	if err1 != nil || err2 != nil || b < 1 || e > 65535 || e < b {
		return nil, fmt.Errorf("service node port range %q: want FROM-TO with 1 <= FROM <= TO <= 65535", spec)
	}
	size := int32(e - b + 1)
	return &PortRange{
		base:   int32(b),
		size:   size,
		offset: int32(bandOffset(uint64(size), 16, 128, 32)),
		text:   fmt.Sprintf("%d-%d", b, e),
		used:   map[int32]bool{},
	}, nil
}

// String is "30000-32767", as error messages show it.
func (r *PortRange) String() string { return r.text }

// Allocate implements NodePortAllocator.
func (r *PortRange) Allocate(requested int32) (int32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if requested == 0 {
		if p, ok := r.pickFree(r.offset, r.size); ok {
			return p, nil
		}
		if p, ok := r.pickFree(0, r.offset); ok {
			return p, nil
		}
		return 0, ErrPortRangeFull
	}
	if requested < r.base || requested >= r.base+r.size {
		return 0, &PortNotInRangeError{Range: r.text}
	}
	if r.used[requested] {
		return 0, ErrPortAllocated
	}
	r.used[requested] = true
	return requested, nil
}

func (r *PortRange) pickFree(lo, hi int32) (int32, bool) {
	n := hi - lo
	if n <= 0 {
		return 0, false
	}
	start := rand.Int32N(n)
	for i := int32(0); i < n; i++ {
		p := r.base + lo + (start+i)%n
		if !r.used[p] {
			r.used[p] = true
			return p, true
		}
	}
	return 0, false
}

// Release implements NodePortAllocator.
func (r *PortRange) Release(port int32) {
	r.mu.Lock()
	delete(r.used, port)
	r.mu.Unlock()
}

// Has reports whether port is currently allocated.
func (r *PortRange) Has(port int32) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.used[port]
}

// serviceAllocators is what the services strategy allocates from; set by UseServiceAllocators.
var serviceAllocators struct {
	mu    sync.RWMutex
	ips   ClusterIPAllocator
	ports NodePortAllocator
}

// UseServiceAllocators installs the allocators the services strategy draws cluster IPs and
// node ports from. Call it once at startup, after SeedServiceAllocators.
func UseServiceAllocators(ips ClusterIPAllocator, ports NodePortAllocator) {
	serviceAllocators.mu.Lock()
	serviceAllocators.ips, serviceAllocators.ports = ips, ports
	serviceAllocators.mu.Unlock()
}

func currentServiceAllocators() (ClusterIPAllocator, NodePortAllocator) {
	serviceAllocators.mu.RLock()
	defer serviceAllocators.mu.RUnlock()
	return serviceAllocators.ips, serviceAllocators.ports
}

// SeedServiceAllocators marks every cluster IP, node port and health check node port held by
// the stored services as taken, so a restarted apiserver does not hand them out again.
// Conflicts (two stored services with one IP, an IP outside a changed range) are logged and
// skipped: the stored objects stay as they are, as upstream's repair loop leaves them.
func SeedServiceAllocators(ips ClusterIPAllocator, ports NodePortAllocator, services []*corev1.Service) {
	for _, svc := range services {
		key := svc.Namespace + "/" + svc.Name
		if svc.Spec.Type != corev1.ServiceTypeExternalName {
			for _, ip := range svc.Spec.ClusterIPs {
				if ip == "" || ip == corev1.ClusterIPNone || ips == nil {
					continue
				}
				if _, err := ips.Allocate(ip); err != nil {
					slog.Warn("service cluster IP not reserved at startup", "service", key, "clusterIP", ip, "err", err)
				}
			}
		}
		if ports == nil {
			continue
		}
		seen := map[int32]bool{}
		for _, p := range svc.Spec.Ports {
			if p.NodePort == 0 || seen[p.NodePort] {
				continue
			}
			seen[p.NodePort] = true
			if _, err := ports.Allocate(p.NodePort); err != nil {
				slog.Warn("service node port not reserved at startup", "service", key, "nodePort", p.NodePort, "err", err)
			}
		}
		if hc := svc.Spec.HealthCheckNodePort; hc != 0 && !seen[hc] {
			if _, err := ports.Allocate(hc); err != nil {
				slog.Warn("service health check node port not reserved at startup", "service", key, "nodePort", hc, "err", err)
			}
		}
	}
}
