package registry

import (
	"errors"
	"net/netip"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

func TestIPRangeRequested(t *testing.T) {
	r, err := NewIPRange("10.0.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ip      string
		wantErr error
	}{
		{"10.0.0.1", nil},
		{"10.0.0.1", ErrIPAllocated},
		{"10.0.0.10", nil},
		{"10.0.0.254", nil},
		{"10.0.0.0", ErrIPNotInRange},   // network address
		{"10.0.0.255", ErrIPNotInRange}, // broadcast address
		{"10.9.0.50", ErrIPNotInRange},
		{"fd00::1", ErrIPNotInRange},
		{"not-an-ip", ErrIPNotInRange},
	} {
		got, err := r.Allocate(tc.ip)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("Allocate(%q): err %v, want %v", tc.ip, err, tc.wantErr)
		}
		if err == nil && got != tc.ip {
			t.Errorf("Allocate(%q) = %q", tc.ip, got)
		}
	}
	r.Release("10.0.0.1")
	if r.Has("10.0.0.1") {
		t.Error("released IP still allocated")
	}
	if _, err := r.Allocate("10.0.0.1"); err != nil {
		t.Errorf("re-allocating a released IP: %v", err)
	}
}

// Dynamic allocation prefers the upper part of the range, so low addresses stay free for
// services that ask for them (KEP-3070), and only then fills the low band.
func TestIPRangeDynamicPrefersUpperBand(t *testing.T) {
	r, err := NewIPRange("10.0.0.0/24") // 254 usable, low band of 16
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < 254; i++ {
		ip, err := r.Allocate("")
		if err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
		if seen[ip] {
			t.Fatalf("%s handed out twice", ip)
		}
		seen[ip] = true
		a := netip.MustParseAddr(ip)
		last := a.As4()[3]
		if i < 238 && last <= 16 {
			t.Fatalf("allocation %d took %s from the static band while the upper band had room", i, ip)
		}
		if last == 0 || last == 255 {
			t.Fatalf("handed out %s", ip)
		}
	}
	if _, err := r.Allocate(""); !errors.Is(err, ErrIPRangeFull) {
		t.Fatalf("full range: err %v, want %v", err, ErrIPRangeFull)
	}
}

func TestIPRangeSmall(t *testing.T) {
	r, err := NewIPRange("192.168.5.0/30") // two usable addresses, no static band
	if err != nil {
		t.Fatal(err)
	}
	a, _ := r.Allocate("")
	b, _ := r.Allocate("")
	if a == b || a == "" || b == "" {
		t.Fatalf("got %q and %q", a, b)
	}
	if _, err := r.Allocate(""); !errors.Is(err, ErrIPRangeFull) {
		t.Fatalf("err %v", err)
	}
	for _, bad := range []string{"10.0.0.0/31", "fd00::/112", "nonsense"} {
		if _, err := NewIPRange(bad); err == nil {
			t.Errorf("NewIPRange(%q) accepted", bad)
		}
	}
}

func TestPortRange(t *testing.T) {
	r, err := NewPortRange("30000-32767")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Allocate(30080); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Allocate(30080); !errors.Is(err, ErrPortAllocated) || err.Error() != "provided port is already allocated" {
		t.Errorf("taken port: %v", err)
	}
	_, err = r.Allocate(40080)
	if err == nil || err.Error() != "provided port is not in the valid range. The range of valid ports is 30000-32767" {
		t.Errorf("out of range port: %v", err)
	}
	// The low band is size/32 = 86 ports: dynamic allocation avoids 30000-30085.
	for i := 0; i < 200; i++ {
		p, err := r.Allocate(0)
		if err != nil {
			t.Fatal(err)
		}
		if p < 30086 || p > 32767 {
			t.Fatalf("dynamic port %d outside the upper band", p)
		}
	}
	r.Release(30080)
	if r.Has(30080) {
		t.Error("released port still allocated")
	}
	for _, bad := range []string{"", "5-1", "0-10", "30000-70000", "a-b"} {
		if _, err := NewPortRange(bad); err == nil {
			t.Errorf("NewPortRange(%q) accepted", bad)
		}
	}
}

func TestSeedServiceAllocators(t *testing.T) {
	ips, _ := NewIPRange("10.0.0.0/24")
	ports, _ := NewPortRange("30000-32767")
	lb := &corev1.Service{Spec: corev1.ServiceSpec{
		Type: corev1.ServiceTypeLoadBalancer, ClusterIP: "10.0.0.52", ClusterIPs: []string{"10.0.0.52"},
		ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, HealthCheckNodePort: 30100,
		Ports: []corev1.ServicePort{{Port: 53, Protocol: "TCP", NodePort: 30053}, {Port: 53, Protocol: "UDP", NodePort: 30053}},
	}}
	headless := &corev1.Service{Spec: corev1.ServiceSpec{ClusterIP: "None", ClusterIPs: []string{"None"}}}
	ext := &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}}
	SeedServiceAllocators(ips, ports, []*corev1.Service{lb, headless, ext})
	if !ips.Has("10.0.0.52") || !ports.Has(30053) || !ports.Has(30100) {
		t.Fatal("stored allocations not reserved")
	}
}
