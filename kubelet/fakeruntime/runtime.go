// Package fakeruntime is a CRI runtime whose containers are simulated: a gRPC server that
// answers the RuntimeService and ImageService calls a kubelet makes, without running any
// process. It exists for two reasons: kubelet unit tests that exercise the real CRI client
// code, and many simulated nodes on one machine (each kubelet with its own fake runtime)
// so that the scheduler and controller benchmarks run against real kubelets.
//
// What is simulated:
//   - Sandboxes get a pod IP from a loopback range (127.x.y.z by default), so that nothing
//     a probe or a proxy sends to a fake pod can leave the machine; host-network sandboxes
//     get none.
//   - A started container runs until it is stopped, or until the exit its Behavior asks
//     for. While it runs, every TCP port it declares is really listened on at the pod IP by
//     a tiny HTTP server (answering 200 unless told otherwise), so HTTP and TCP probes and
//     Services work against fake pods.
//   - StopContainer is a SIGTERM: the container exits with 143 after its StopDelay, or is
//     killed (137) when the grace period is shorter.
//   - ExecSync answers with the Behavior's output and exit code.
//   - Images: a preloaded list (the skiff.local images); pulls of any other name succeed
//     instantly unless the name matches the configured failure pattern.
//   - A container's log file gets one CRI-format line when it starts, so `kubectl logs`
//     has something to show.
//
// Behaviors come from pod annotations (see behavior.go) or from Go hooks in tests. Every
// call is recorded (Calls) so tests can check the order of operations. Calls the kubelet
// does not need answer Unimplemented: they fail loudly.
package fakeruntime

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Name and Version are what the fake runtime reports (container IDs read
// "skiff-fake://<id>").
const (
	Name    = "skiff-fake"
	Version = "0.1.0"
)

// DefaultImages are preloaded: the images hack/images.sh builds for real clusters.
var DefaultImages = []string{
	"skiff.local/pause:3.10",
	"skiff.local/demo-app:v1",
	"skiff.local/demo-app:v2",
	"skiff.local/cpu-burner:v1",
	"skiff.local/busybox:1.36",
}

// Options configure a Runtime.
type Options struct {
	// PodCIDR is the range pod IPs come from. It must be a loopback range (inside
	// 127.0.0.0/8) so that traffic to fake pods stays on the machine. Default
	// 127.16.0.0/16.
	PodCIDR string
	// Images are preloaded (DefaultImages when nil).
	Images []string
	// PullFailPattern: pulls of image names matching it fail as a registry's "not found"
	// would. Nil: every pull succeeds.
	PullFailPattern *regexp.Regexp
	// ServePorts makes running containers listen on their declared TCP ports.
	ServePorts bool
	// Behavior, when set, decides how a container behaves before annotations are read;
	// tests use it. Returning nil falls back to the annotations.
	Behavior func(c ContainerRef) *Behavior
	// Exec, when set, answers ExecSync before the Behavior does; tests use it.
	Exec func(c ContainerRef, cmd []string) (stdout string, exitCode int32)
}

// ContainerRef names a container for hooks and tests.
type ContainerRef struct {
	Namespace, Pod, PodUID, Container string
	Attempt                           uint32
	ID                                string
}

// Runtime is the simulated runtime. Create it with New, serve it with Serve or Listen.
type Runtime struct {
	runtimeapi.UnimplementedRuntimeServiceServer
	runtimeapi.UnimplementedImageServiceServer

	opts Options

	mu         sync.Mutex
	sandboxes  map[string]*sandbox
	containers map[string]*container
	images     map[string]*image // by id
	ips        *ipPool
	calls      []string
	nextID     uint64
}

// New returns a runtime with the options' images preloaded.
func New(opts Options) (*Runtime, error) {
	if opts.PodCIDR == "" {
		opts.PodCIDR = "127.16.0.0/16"
	}
	pool, err := newIPPool(opts.PodCIDR)
	if err != nil {
		return nil, err
	}
	if opts.Images == nil {
		opts.Images = DefaultImages
	}
	r := &Runtime{
		opts:       opts,
		sandboxes:  map[string]*sandbox{},
		containers: map[string]*container{},
		images:     map[string]*image{},
		ips:        pool,
	}
	for _, name := range opts.Images {
		r.addImage(name)
	}
	return r, nil
}

// Register adds the runtime's services to a gRPC server.
func (r *Runtime) Register(s *grpc.Server) {
	runtimeapi.RegisterRuntimeServiceServer(s, r)
	runtimeapi.RegisterImageServiceServer(s, r)
}

// Listen serves the runtime on a unix socket (replacing a stale one) until Stop is called
// on the returned server.
func (r *Runtime) Listen(socket string) (*grpc.Server, error) {
	if err := os.MkdirAll(filepath.Dir(socket), 0o755); err != nil {
		return nil, fmt.Errorf("fake runtime socket dir: %w", err)
	}
	_ = os.Remove(socket)
	lis, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("fake runtime listen on %s: %w", socket, err)
	}
	s := grpc.NewServer()
	r.Register(s)
	go func() { _ = s.Serve(lis) }()
	return s, nil
}

// Shutdown stops every simulated container (closing their listeners).
func (r *Runtime) Shutdown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.containers {
		c.stopProcessLocked()
	}
}

// Calls returns the calls made so far, one line each ("RunPodSandbox default/web",
// "StartContainer default/web/app" ...); read-only calls (list, status) are not recorded.
func (r *Runtime) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// ResetCalls forgets the recorded calls.
func (r *Runtime) ResetCalls() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

func (r *Runtime) recordLocked(format string, args ...any) {
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

// newIDLocked makes a 64-hex-digit id, as real runtimes use.
func (r *Runtime) newIDLocked() string {
	r.nextID++
	return fmt.Sprintf("%016x%048x", time.Now().UnixNano(), r.nextID)
}

// ipPool hands out addresses of a loopback range.
type ipPool struct {
	prefix netip.Prefix
	next   netip.Addr
	used   map[netip.Addr]bool
}

func newIPPool(cidr string) (*ipPool, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, fmt.Errorf("fake runtime pod CIDR %q: %w", cidr, err)
	}
	p = p.Masked()
	if !netip.MustParsePrefix("127.0.0.0/8").Contains(p.Addr()) || p.Bits() < 8 {
		return nil, fmt.Errorf("fake runtime pod CIDR %s must lie inside 127.0.0.0/8, so that traffic to fake pods never leaves the machine", cidr)
	}
	// Skip the network address and the first host (127.x.y.1 reads like a gateway).
	return &ipPool{prefix: p, next: p.Addr().Next().Next(), used: map[netip.Addr]bool{}}, nil
}

func (p *ipPool) allocate() (string, error) {
	first := p.prefix.Addr().Next().Next()
	size := 1 << (32 - p.prefix.Bits())
	for tries := 0; tries < size; tries++ {
		a := p.next
		// The last address of the range stays free, like a broadcast address.
		if p.next = a.Next(); !p.prefix.Contains(p.next.Next()) {
			p.next = first
		}
		if p.prefix.Contains(a) && p.prefix.Contains(a.Next()) && !p.used[a] {
			p.used[a] = true
			return a.String(), nil
		}
	}
	return "", fmt.Errorf("no free pod IP left in %s", p.prefix)
}

func (p *ipPool) release(ip string) {
	if a, err := netip.ParseAddr(ip); err == nil {
		delete(p.used, a)
	}
}
