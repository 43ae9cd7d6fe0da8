package validation

import (
	"strings"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// testPod is a valid, defaulted pod to start each case from.
func testPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", UID: "u1", ResourceVersion: "1"},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "nginx", ImagePullPolicy: "IfNotPresent",
				TerminationMessagePolicy: "File", TerminationMessagePath: "/dev/termination-log"}},
			RestartPolicy:                 "Always",
			DNSPolicy:                     "ClusterFirst",
			TerminationGracePeriodSeconds: ptr(int64(30)),
		},
	}
}

func TestValidatePodUpdateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(newP, oldP *corev1.Pod)
		want   []string
	}{
		{"grace period may go from negative to 1", func(n, o *corev1.Pod) {
			o.Spec.TerminationGracePeriodSeconds = ptr(int64(-1))
			n.Spec.TerminationGracePeriodSeconds = ptr(int64(1))
		}, nil},
		{"grace period may not change otherwise", func(n, o *corev1.Pod) {
			n.Spec.TerminationGracePeriodSeconds = ptr(int64(5))
		}, []string{"spec: Forbidden: pod updates may not change fields other than ..."}},
		{"scheduling gates may be removed", func(n, o *corev1.Pod) {
			o.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/a"}, {Name: "example.com/b"}}
			n.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/b"}}
		}, nil},
		{"scheduling gates may not be added", func(n, o *corev1.Pod) {
			n.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/new"}}
		}, []string{"spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/new'"}},
		{"a gated pod may gain node selector entries", func(n, o *corev1.Pod) {
			o.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/a"}}
			n.Spec.SchedulingGates = o.Spec.SchedulingGates
			n.Spec.NodeSelector = map[string]string{"disk": "ssd"}
		}, nil},
		{"a gated pod may not lose node selector entries", func(n, o *corev1.Pod) {
			o.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/a"}}
			o.Spec.NodeSelector = map[string]string{"disk": "ssd"}
			n.Spec.SchedulingGates = o.Spec.SchedulingGates
		}, []string{"spec.nodeSelector: Invalid value: null: only additions to spec.nodeSelector are allowed (no mutations or deletions)"}},
		{"deadline may be set", func(n, o *corev1.Pod) { n.Spec.ActiveDeadlineSeconds = ptr(int64(10)) }, nil},
		{"deadline out of range", func(n, o *corev1.Pod) { n.Spec.ActiveDeadlineSeconds = ptr(int64(-1)) }, []string{
			"spec.activeDeadlineSeconds: Invalid value: -1: must be between 1 and 2147483647, inclusive",
			"spec.activeDeadlineSeconds: Invalid value: -1: must be between 0 and 2147483647, inclusive",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, o := testPod(), testPod()
			tt.mutate(n, o)
			expectErrors(t, ValidatePodUpdate(n, o), tt.want...)
		})
	}
}

func TestValidatePodStatusUpdateRules(t *testing.T) {
	terminated := func(code int32) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
	}
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	tests := []struct {
		name   string
		policy corev1.RestartPolicy
		old    corev1.ContainerState
		want   []string
	}{
		{"Always restarts", "Always", terminated(0), nil},
		{"Never stays terminated", "Never", terminated(1), []string{"status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"}},
		{"OnFailure restarts failures", "OnFailure", terminated(1), nil},
		{"OnFailure keeps successes", "OnFailure", terminated(0), []string{"status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, o := testPod(), testPod()
			n.Spec.RestartPolicy, o.Spec.RestartPolicy = tt.policy, tt.policy
			o.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: tt.old}}
			n.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", State: running}}
			expectErrors(t, ValidatePodStatusUpdate(n, o), tt.want...)
		})
	}

	t.Run("node name is set by binding only", func(t *testing.T) {
		n, o := testPod(), testPod()
		n.Spec.NodeName = "node-1"
		expectErrors(t, ValidatePodStatusUpdate(n, o), "status.nodeName: Forbidden: may not be changed directly")
	})
	t.Run("host IPs", func(t *testing.T) {
		n, o := testPod(), testPod()
		n.Status.HostIP = "10.0.0.1"
		n.Status.HostIPs = []corev1.HostIP{{IP: "10.0.0.2"}, {IP: "010.0.0.3"}}
		expectErrors(t, ValidatePodStatusUpdate(n, o),
			`status.hostIPs[0].ip: Invalid value: "10.0.0.2": must be equal to `+"`hostIP`",
			`status.hostIPs[1]: Invalid value: "010.0.0.3": must not have leading 0s`,
			`status.hostIPs: Invalid value: [{"IP":"10.0.0.2"},{"IP":"010.0.0.3"}]: may specify no more than one IP for each IP family`)
	})
}

func TestSpecDiff(t *testing.T) {
	type inner struct{ A, B string }
	type outer struct {
		Name  string
		Items []inner
		Extra map[string]int
	}
	before := outer{Name: "x", Items: []inner{{"1", "2"}, {"3", "4"}}}
	after := outer{Name: "x", Items: []inner{{"1", "2"}, {"3", "5"}}}
	got := specDiff(before, after)
	want := "@@ -7,7 +7,7 @@\n" +
		"   },\n   {\n    \"A\": \"3\",\n-   \"B\": \"4\"\n+   \"B\": \"5\"\n   }\n  ],\n  \"Extra\": null\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if specDiff(before, before) != "" {
		t.Error("equal values must give an empty diff")
	}
}

func TestLegacyIPAndCIDR(t *testing.T) {
	p := NewPath("ip")
	tests := []struct {
		got  ErrorList
		want string
	}{
		{validateLegacyIP(p, "10.0.0.1", nil), ""},
		{validateLegacyIP(p, "2001:db8::1", nil), ""},
		{validateLegacyIP(p, "010.0.0.1", nil), `ip: Invalid value: "010.0.0.1": must not have leading 0s`},
		{validateLegacyIP(p, "010.0.0.1", []string{"010.0.0.1"}), ""},
		{validateLegacyIP(p, "::ffff:1.2.3.4", nil), `ip: Invalid value: "::ffff:1.2.3.4": must not be an IPv4-mapped IPv6 address`},
		{validateLegacyIP(p, "1.2.3", nil), `ip: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`},
		{validateLegacyCIDR(p, "10.0.0.0/8", nil), ""},
		{validateLegacyCIDR(p, "10.0.0.1/8", nil), `ip: Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length`},
		{validateLegacyCIDR(p, "10.0.0.0/08", nil), `ip: Invalid value: "10.0.0.0/08": must not have leading 0s in IP or prefix length`},
		{validateLegacyCIDR(p, "10.0.0.0/33", nil), `ip: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`},
	}
	for _, tt := range tests {
		got := strings.Join(messages(tt.got), "; ")
		if got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
