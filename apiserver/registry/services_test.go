package registry

import (
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// newService decodes and defaults a service manifest, as the handler would.
func newService(t *testing.T, manifest string) *corev1.Service {
	t.Helper()
	svc := &corev1.Service{}
	if err := yaml.UnmarshalStrict([]byte(manifest), svc); err != nil {
		t.Fatal(err)
	}
	svc.Namespace, svc.ResourceVersion = "default", "1"
	serviceStrategy{}.Default(svc)
	return svc
}

// createService runs the create path and stores (done(true)) on success.
func createService(t *testing.T, svc *corev1.Service) error {
	t.Helper()
	done, err := serviceStrategy{}.Reserve(svc, nil)
	if err != nil {
		return err
	}
	serviceStrategy{}.PrepareForCreate(svc)
	if errs := (serviceStrategy{}).Validate(svc); len(errs) > 0 {
		done(false)
		t.Fatalf("Validate: %s", errs.String())
	}
	done(true)
	return nil
}

// updateService runs the update path; stored says whether the write "succeeds".
func updateService(t *testing.T, svc, old *corev1.Service, stored bool) error {
	t.Helper()
	done, err := serviceStrategy{}.Reserve(svc, old)
	if err != nil {
		return err
	}
	serviceStrategy{}.PrepareForUpdate(svc, old)
	if errs := (serviceStrategy{}).ValidateUpdate(svc, old); len(errs) > 0 {
		done(false)
		t.Fatalf("ValidateUpdate: %s", errs.String())
	}
	done(stored)
	return nil
}

// The messages were taken from kube-apiserver v1.37.2 answering the same requests.
func TestServiceAllocationErrorsMatchUpstream(t *testing.T) {
	useTestAllocators(t)
	if err := createService(t, newService(t, `{metadata: {name: web}, spec: {clusterIP: 10.0.0.50, ports: [{port: 80}]}}`)); err != nil {
		t.Fatal(err)
	}
	if err := createService(t, newService(t, `{metadata: {name: web-np}, spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}}`)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		manifest string
		code     int32
		message  string
		field    string
	}{
		{`{metadata: {name: dup}, spec: {clusterIP: 10.0.0.50, ports: [{port: 80}]}}`, 422,
			`Service "dup" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.50"]: failed to allocate IP 10.0.0.50: provided IP is already allocated`,
			"spec.clusterIPs"},
		{`{metadata: {name: out}, spec: {clusterIP: 10.9.0.50, ports: [{port: 80}]}}`, 422,
			`Service "out" is invalid: spec.clusterIPs: Invalid value: ["10.9.0.50"]: failed to allocate IP 10.9.0.50: the provided network does not match the current range`,
			"spec.clusterIPs"},
		{`{metadata: {name: bc}, spec: {clusterIP: 10.0.0.255, ports: [{port: 80}]}}`, 422,
			`Service "bc" is invalid: spec.clusterIPs: Invalid value: ["10.0.0.255"]: failed to allocate IP 10.0.0.255: the provided network does not match the current range`,
			"spec.clusterIPs"},
		{`{metadata: {name: np}, spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}}`, 422,
			`Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`,
			"spec.ports[0].nodePort"},
		{`{metadata: {name: np2}, spec: {type: NodePort, ports: [{port: 80, nodePort: 40080}]}}`, 422,
			`Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 40080: provided port is not in the valid range. The range of valid ports is 30000-32767`,
			"spec.ports[0].nodePort"},
		{`{metadata: {name: v6}, spec: {ipFamilies: [IPv6], ports: [{port: 80}]}}`, 422,
			`Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster`,
			"spec.ipFamilies[0]"},
		{`{metadata: {name: ds}, spec: {ipFamilyPolicy: RequireDualStack, ports: [{port: 80}]}}`, 422,
			`Service "ds" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services`,
			"spec.ipFamilyPolicy"},
	} {
		err := createService(t, newService(t, tc.manifest))
		st, ok := err.(*metav1.Status)
		if !ok {
			t.Errorf("%s: err %v, want a Status", tc.manifest, err)
			continue
		}
		if st.Code != tc.code || st.Message != tc.message {
			t.Errorf("%s:\n got %d %s\nwant %d %s", tc.manifest, st.Code, st.Message, tc.code, tc.message)
		}
		if st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Field != tc.field || st.Details.Kind != "Service" {
			t.Errorf("%s: details %+v", tc.manifest, st.Details)
		}
	}
}

func TestServiceDynamicAllocationAndRelease(t *testing.T) {
	ips, ports := useTestAllocators(t)
	svc := newService(t, `{metadata: {name: lb}, spec: {type: LoadBalancer, externalTrafficPolicy: Local,
		ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}, {name: http, port: 80}]}}`)
	if err := createService(t, svc); err != nil {
		t.Fatal(err)
	}
	s := svc.Spec
	if s.ClusterIP == "" || len(s.ClusterIPs) != 1 || s.ClusterIPs[0] != s.ClusterIP || !ips.Has(s.ClusterIP) {
		t.Fatalf("cluster IP not allocated: %q %v", s.ClusterIP, s.ClusterIPs)
	}
	if policyOf(svc) != corev1.IPFamilyPolicySingleStack || len(s.IPFamilies) != 1 || s.IPFamilies[0] != corev1.IPv4Protocol {
		t.Fatalf("families: %v %v", s.IPFamilyPolicy, s.IPFamilies)
	}
	if s.Ports[0].NodePort == 0 || s.Ports[0].NodePort != s.Ports[1].NodePort || s.Ports[2].NodePort == s.Ports[0].NodePort {
		t.Fatalf("node ports: %+v (same port number shares one node port)", s.Ports)
	}
	if s.HealthCheckNodePort == 0 || !ports.Has(s.HealthCheckNodePort) {
		t.Fatalf("health check node port %d", s.HealthCheckNodePort)
	}

	serviceStrategy{}.Release(svc)
	if ips.Has(s.ClusterIP) || ports.Has(s.Ports[0].NodePort) || ports.Has(s.Ports[2].NodePort) || ports.Has(s.HealthCheckNodePort) {
		t.Fatal("Release left allocations behind")
	}
}

func TestServiceFailedWriteGivesBack(t *testing.T) {
	ips, ports := useTestAllocators(t)
	svc := newService(t, `{metadata: {name: np}, spec: {type: NodePort, clusterIP: 10.0.0.77, ports: [{port: 80, nodePort: 30001}]}}`)
	done, err := serviceStrategy{}.Reserve(svc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ips.Has("10.0.0.77") || !ports.Has(30001) {
		t.Fatal("not reserved")
	}
	done(false) // e.g. AlreadyExists from storage, or dry run
	if ips.Has("10.0.0.77") || ports.Has(30001) {
		t.Fatal("failed create kept its reservations")
	}

	// A partial failure (IP fine, node port taken) gives back the IP too.
	if _, err := ports.Allocate(30002); err != nil {
		t.Fatal(err)
	}
	svc = newService(t, `{metadata: {name: np}, spec: {type: NodePort, clusterIP: 10.0.0.78, ports: [{port: 80, nodePort: 30002}]}}`)
	if _, err := (serviceStrategy{}).Reserve(svc, nil); err == nil {
		t.Fatal("taken node port accepted")
	}
	if ips.Has("10.0.0.78") {
		t.Fatal("IP of a refused create still reserved")
	}
}

func TestServiceUpdateCarriesAndFrees(t *testing.T) {
	ips, ports := useTestAllocators(t)
	old := newService(t, `{metadata: {name: web}, spec: {type: NodePort, ports: [{name: http, port: 80}]}}`)
	if err := createService(t, old); err != nil {
		t.Fatal(err)
	}
	ip, np := old.Spec.ClusterIP, old.Spec.Ports[0].NodePort

	// A PUT of the original manifest (no clusterIP, no nodePort) keeps both.
	put := newService(t, `{metadata: {name: web}, spec: {type: NodePort, ports: [{name: http, port: 80}]}}`)
	if err := updateService(t, put, old, true); err != nil {
		t.Fatal(err)
	}
	if put.Spec.ClusterIP != ip || put.Spec.Ports[0].NodePort != np {
		t.Fatalf("PUT lost allocations: %q %d", put.Spec.ClusterIP, put.Spec.Ports[0].NodePort)
	}

	// Switching to ClusterIP with the old node port still in the body: the type-dependent
	// field is dropped and the port freed once stored.
	toClusterIP := put.DeepCopy()
	toClusterIP.Spec.Type = corev1.ServiceTypeClusterIP
	serviceStrategy{}.Default(toClusterIP)
	if err := updateService(t, toClusterIP, put, true); err != nil {
		t.Fatal(err)
	}
	if toClusterIP.Spec.ExternalTrafficPolicy != "" {
		t.Fatalf("externalTrafficPolicy %q kept on a ClusterIP service", toClusterIP.Spec.ExternalTrafficPolicy)
	}
	if toClusterIP.Spec.Ports[0].NodePort != 0 || ports.Has(np) {
		t.Fatalf("node port %d kept (still allocated: %v)", toClusterIP.Spec.Ports[0].NodePort, ports.Has(np))
	}

	// Switching to ExternalName frees the cluster IP and drops the IP fields.
	toExternal := toClusterIP.DeepCopy()
	toExternal.Spec.Type = corev1.ServiceTypeExternalName
	toExternal.Spec.ExternalName = "example.com"
	if err := updateService(t, toExternal, toClusterIP, true); err != nil {
		t.Fatal(err)
	}
	if ips.Has(ip) || toExternal.Spec.ClusterIP != "" || toExternal.Spec.ClusterIPs != nil || toExternal.Spec.IPFamilies != nil || toExternal.Spec.IPFamilyPolicy != nil {
		t.Fatalf("ExternalName kept IP state: %+v (allocated %v)", toExternal.Spec, ips.Has(ip))
	}

	// And back: a new IP is allocated; a failed write gives it back.
	back := newService(t, `{metadata: {name: web}, spec: {type: ClusterIP, ports: [{name: http, port: 80}]}}`)
	done, err := serviceStrategy{}.Reserve(back, toExternal)
	if err != nil {
		t.Fatal(err)
	}
	if back.Spec.ClusterIP == "" || !ips.Has(back.Spec.ClusterIP) {
		t.Fatalf("no IP after leaving ExternalName: %+v", back.Spec)
	}
	done(false)
	if ips.Has(back.Spec.ClusterIP) {
		t.Fatal("failed update kept its new IP")
	}
}

func TestServiceStatusUpdateKeepsSpec(t *testing.T) {
	old := newService(t, `{metadata: {name: web}, spec: {clusterIP: 10.0.0.9, ports: [{port: 80}]}}`)
	upd := old.DeepCopy()
	upd.Spec.Ports[0].Port = 81
	upd.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}}
	serviceStrategy{}.PrepareForStatusUpdate(upd, old)
	if upd.Spec.Ports[0].Port != 80 || len(upd.Status.LoadBalancer.Ingress) != 1 {
		t.Fatalf("status update: %+v", upd)
	}
}
