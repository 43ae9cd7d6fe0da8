package kubelet

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
)

func TestCrashLoopBackOffAndRestartCount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("crash", func(p *corev1.Pod) {
		p.Annotations = map[string]string{"fake-cri.skiff.dev/exit-code.app": "1"}
	}))
	p := h.waitPod("crash", 10*time.Second, "CrashLoopBackOff after a restart", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.RestartCount >= 1 && cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff"
	})
	cs := containerStatus(p, "app")
	wantMsg := "restarting failed container=app pod=crash_default(" + p.UID + ")"
	if !strings.HasPrefix(cs.State.Waiting.Message, "back-off ") || !strings.HasSuffix(cs.State.Waiting.Message, wantMsg) {
		t.Errorf("waiting message %q", cs.State.Waiting.Message)
	}
	if lt := cs.LastTerminationState.Terminated; lt == nil || lt.ExitCode != 1 || lt.Reason != "Error" || lt.ContainerID == "" {
		t.Errorf("lastState %+v", cs.LastTerminationState)
	}
	if p.Status.Phase != corev1.PodRunning {
		t.Errorf("a crash-looping Always pod is Running, got %s", p.Status.Phase)
	}
	if c := condition(p, corev1.ContainersReady); c == nil || c.Reason != "ContainersNotReady" || c.Message != "containers with unready status: [app]" {
		t.Errorf("ContainersReady %+v", c)
	}
	if !h.events.has("Warning BackOff Back-off restarting failed container app in pod crash_default(" + p.UID + ")") {
		t.Errorf("no BackOff event in %v", h.events.all())
	}
	// The restart count keeps growing, and only the newest two containers are kept.
	h.waitPod("crash", 10*time.Second, "restartCount 3", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.RestartCount >= 3
	})
	h.waitFor(3*time.Second, "old dead containers removed", func() bool {
		return len(h.callsMatching("RemoveContainer default/crash/app")) > 0
	})
}

func TestOnFailurePodSucceeds(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("job", func(p *corev1.Pod) {
		p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		p.Annotations = map[string]string{"fake-cri.skiff.dev/exit-after": "200ms"}
	}))
	p := h.waitPod("job", 5*time.Second, "succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	cs := containerStatus(p, "app")
	if cs.State.Terminated == nil || cs.State.Terminated.Reason != "Completed" || cs.Ready || cs.RestartCount != 0 {
		t.Errorf("status %+v", cs)
	}
	if c := condition(p, corev1.PodReady); c == nil || c.Status != corev1.ConditionFalse || c.Reason != "PodCompleted" {
		t.Errorf("Ready %+v", c)
	}
	h.waitFor(2*time.Second, "sandbox stopped", func() bool { return len(h.callsMatching("StopPodSandbox default/job")) == 1 })
	time.Sleep(1500 * time.Millisecond)
	if n := len(h.callsMatching("CreateContainer default/job/app")); n != 1 {
		t.Errorf("a succeeded pod is not restarted; created %d times", n)
	}
}

func TestLivenessFailureRestartsContainer(t *testing.T) {
	h := newHarness(t, harnessOptions{runtime: fakeruntime.Options{ServePorts: true}})
	h.create(testPod("live", func(p *corev1.Pod) {
		c := &p.Spec.Containers[0]
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
		c.LivenessProbe = &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}},
			PeriodSeconds: 1, FailureThreshold: 2,
		}
	}))
	h.waitPod("live", 5*time.Second, "running", isRunning)
	time.Sleep(1200 * time.Millisecond) // a few successful probes
	if h.events.has("Unhealthy") {
		t.Fatalf("healthy container reported unhealthy: %v", h.events.all())
	}
	if err := h.rt.SetHTTPStatus("default", "live", "app", 500); err != nil {
		t.Fatal(err)
	}
	p := h.waitPod("live", 10*time.Second, "restarted", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.RestartCount == 1 && cs.State.Running != nil
	})
	for _, e := range []string{
		"Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500",
		"Normal Killing Container app failed liveness probe, will be restarted",
	} {
		if !h.events.has(e) {
			t.Errorf("missing event %q in %v", e, h.events.all())
		}
	}
	if lt := containerStatus(p, "app").LastTerminationState.Terminated; lt == nil || lt.ExitCode != 143 {
		t.Errorf("lastState %+v, want terminated 143", lt)
	}
}

func TestStartupProbeGatesReadiness(t *testing.T) {
	h := newHarness(t, harnessOptions{runtime: fakeruntime.Options{ServePorts: true}})
	h.create(testPod("slow", func(p *corev1.Pod) {
		p.Annotations = map[string]string{"fake-cri.skiff.dev/http-status": "500"}
		c := &p.Spec.Containers[0]
		c.Ports = []corev1.ContainerPort{{ContainerPort: 8080}}
		c.ReadinessProbe = &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}},
			PeriodSeconds: 1, FailureThreshold: 1, SuccessThreshold: 1,
		}
		c.StartupProbe = &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/started", Port: intstr.FromInt32(8080)}},
			PeriodSeconds: 1, FailureThreshold: 30,
		}
	}))
	p := h.waitPod("slow", 5*time.Second, "running", isRunning)
	time.Sleep(1500 * time.Millisecond)
	p = h.get("slow")
	if cs := containerStatus(p, "app"); cs.Started == nil || *cs.Started || cs.Ready || isReady(p) {
		t.Fatalf("before its startup probe passes the container is neither started nor ready: %+v", cs)
	}
	if err := h.rt.SetHTTPStatus("default", "slow", "app", 200); err != nil {
		t.Fatal(err)
	}
	p = h.waitPod("slow", 6*time.Second, "started and ready", isReady)
	if cs := containerStatus(p, "app"); !*cs.Started || !cs.Ready || cs.RestartCount != 0 {
		t.Errorf("status %+v", cs)
	}
}

func TestExecReadinessFlipsReady(t *testing.T) {
	ready := make(chan bool, 1)
	ready <- true
	state := true
	h := newHarness(t, harnessOptions{runtime: fakeruntime.Options{Exec: func(c fakeruntime.ContainerRef, cmd []string) (string, int32) {
		select {
		case state = <-ready:
		default:
		}
		if state {
			return "ok", 0
		}
		return "not ready", 1
	}}})
	h.create(testPod("flip", func(p *corev1.Pod) {
		p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"check"}}},
			PeriodSeconds: 1, FailureThreshold: 1, SuccessThreshold: 1, TimeoutSeconds: 1,
		}
	}))
	h.waitPod("flip", 5*time.Second, "ready", isReady)
	ready <- false
	p := h.waitPod("flip", 5*time.Second, "not ready", func(p *corev1.Pod) bool { return !isReady(p) })
	if c := condition(p, corev1.PodReady); c.Reason != "ContainersNotReady" || c.Message != "containers with unready status: [app]" {
		t.Errorf("Ready condition %+v", c)
	}
	if p.Status.Phase != corev1.PodRunning || containerStatus(p, "app").Ready {
		t.Errorf("phase %s ready %t", p.Status.Phase, containerStatus(p, "app").Ready)
	}
	if !h.events.has("Warning Unhealthy Readiness probe failed: not ready") {
		t.Errorf("events %v", h.events.all())
	}
	ready <- true
	h.waitPod("flip", 5*time.Second, "ready again", isReady)
}

func TestGracefulTermination(t *testing.T) {
	h := newHarness(t, harnessOptions{deletionGrace: "10"})
	h.create(testPod("bye", func(p *corev1.Pod) {
		// The finalizer lets the in-memory API mark the pod for deletion as the real one
		// does during a graceful delete.
		p.Finalizers = []string{"test.skiff.dev/hold"}
		p.Annotations = map[string]string{"fake-cri.skiff.dev/stop-delay": "500ms", "fake-cri.skiff.dev/stop-exit-code": "0"}
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "side", Image: "skiff.local/busybox:1.36",
			Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "sleep 1"}}}}})
	}))
	p := h.waitPod("bye", 5*time.Second, "running", isRunning)
	if err := h.cs.Pods("default").Delete(context.Background(), "bye", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(10*time.Second, "pod deleted by the kubelet", func() bool {
		for _, a := range h.api.Actions() {
			if a.Verb == "delete" && a.Resource == "pods" && strings.Contains(string(a.Body), `"gracePeriodSeconds":0`) && strings.Contains(string(a.Body), p.UID) {
				return true
			}
		}
		return false
	})
	calls := h.rt.Calls()
	idx := func(prefix string) int {
		for i, c := range calls {
			if strings.HasPrefix(c, prefix) {
				return i
			}
		}
		return -1
	}
	preStop, stopSide, stopApp := idx("ExecSync default/bye/side sh -c sleep 1"), idx("StopContainer default/bye/side"), idx("StopContainer default/bye/app")
	stopSandbox, removeSandbox := idx("StopPodSandbox default/bye"), idx("RemovePodSandbox default/bye")
	if preStop < 0 || stopSide < preStop || stopApp < 0 || stopSandbox < max(stopSide, stopApp) || removeSandbox < stopSandbox {
		t.Fatalf("termination order wrong:\n%s", strings.Join(calls, "\n"))
	}
	final := h.get("bye")
	if final.Status.Phase != corev1.PodSucceeded {
		t.Errorf("containers that exit 0 on SIGTERM leave a Succeeded pod, got %s", final.Status.Phase)
	}
	for _, e := range []string{"Normal Killing Stopping container app", "Normal Killing Stopping container side"} {
		if !h.events.has(e) {
			t.Errorf("missing event %q", e)
		}
	}
}

func TestGracePeriodSelection(t *testing.T) {
	thirty, five, one := int64(30), int64(5), int64(1)
	cases := []struct {
		name     string
		pod      corev1.Pod
		override *int64
		want     int64
	}{
		{"spec default", corev1.Pod{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &thirty}}, nil, 30},
		{"deletion wins", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionGracePeriodSeconds: &five}, Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &thirty}}, nil, 5},
		{"probe override", corev1.Pod{Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &thirty}}, &one, 1},
		{"nothing set", corev1.Pod{}, nil, 30},
	}
	for _, tc := range cases {
		if got := gracePeriodOf(&tc.pod, tc.override); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRestartedKubeletAdoptsRunningContainers(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("keep", func(p *corev1.Pod) {
		p.Annotations = map[string]string{"fake-cri.skiff.dev/exit-code.app": "2"}
	}))
	h.waitPod("keep", 10*time.Second, "one restart", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.RestartCount >= 1
	})
	h.create(testPod("steady", nil))
	before := h.waitPod("steady", 5*time.Second, "running", isRunning)
	h.stop()
	h.rt.ResetCalls()

	// A new kubelet, same runtime, same API, same root dir.
	h2 := newHarness(t, harnessOptions{rt: h.rt, socket: h.socket, root: h.root, api: h.api})
	time.Sleep(2500 * time.Millisecond)
	if n := len(h2.callsMatching("default/steady")); n != 0 {
		t.Errorf("the running pod was touched after the restart: %v", h2.callsMatching("default/steady"))
	}
	after := h2.get("steady")
	if containerStatus(after, "app").ContainerID != containerStatus(before, "app").ContainerID || !isRunning(after) {
		t.Errorf("container not adopted: before %+v after %+v", containerStatus(before, "app"), containerStatus(after, "app"))
	}
	// The crash-looping pod continues counting from where it was.
	prev := containerStatus(h2.get("keep"), "app").RestartCount
	h2.waitPod("keep", 10*time.Second, "restart count grows past the old one", func(p *corev1.Pod) bool {
		return containerStatus(p, "app").RestartCount > prev
	})
}

func TestOrphanedPodIsRemoved(t *testing.T) {
	api := clienttest.New()
	h := newHarness(t, harnessOptions{api: api})
	h.create(testPod("gone", nil))
	h.waitPod("gone", 5*time.Second, "running", isRunning)
	h.stop()
	// Force-deleted while the kubelet was down.
	if err := h.cs.Pods("default").Delete(context.Background(), "gone", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, harnessOptions{rt: h.rt, socket: h.socket, root: h.root, api: api})
	h2.waitFor(8*time.Second, "orphan sandbox removed", func() bool {
		return len(h2.callsMatching("RemovePodSandbox default/gone")) == 1
	})
	if running := h.rt.RunningContainers(); len(running) != 0 {
		t.Errorf("still running: %v", running)
	}
}

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }

func TestAdmissionRejectsPodsOverCapacity(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("huge", func(p *corev1.Pod) {
		p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: mustQuantity("8")}
	}))
	p := h.waitPod("huge", 5*time.Second, "rejected", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	if p.Status.Reason != "OutOfcpu" || p.Status.Message != "Node didn't have enough resource: cpu, requested: 8000, used: 0, capacity: 4000" {
		t.Errorf("reason %q message %q", p.Status.Reason, p.Status.Message)
	}
	if len(h.callsMatching("default/huge")) != 0 {
		t.Errorf("a rejected pod must not reach the runtime")
	}
}

func TestDeadSandboxIsReplaced(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("sb", nil))
	p := h.waitPod("sb", 5*time.Second, "running", isRunning)
	rt, err := h.k.rt.GetPodStatus(context.Background(), p.UID)
	if err != nil {
		t.Fatal(err)
	}
	// The sandbox dies under the kubelet (a runtime restart, a killed pause process).
	if err := h.k.rt.StopPodSandbox(context.Background(), rt.LatestSandbox().ID); err != nil {
		t.Fatal(err)
	}
	p = h.waitPod("sb", 10*time.Second, "running in a new sandbox", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return isRunning(p) && cs.RestartCount == 1 && cs.State.Running != nil
	})
	if n := len(h.callsMatching("RunPodSandbox default/sb")); n != 2 {
		t.Errorf("%d sandboxes created, want 2", n)
	}
	if !h.events.has("Normal SandboxChanged Pod sandbox changed, it will be killed and re-created.") {
		t.Errorf("events %v", h.events.all())
	}
	sb, _ := h.rt.SandboxConfig("default", "sb")
	if sb.Metadata.Attempt != 1 || p.Status.PodIP == "" {
		t.Errorf("new sandbox attempt %d, pod IP %s", sb.Metadata.Attempt, p.Status.PodIP)
	}
}

func TestSidecarStartsFirstAndStopsLast(t *testing.T) {
	h := newHarness(t, harnessOptions{deletionGrace: "5"})
	always := corev1.ContainerRestartPolicyAlways
	h.create(testPod("side", func(p *corev1.Pod) {
		p.Finalizers = []string{"test.skiff.dev/hold"}
		p.Spec.InitContainers = []corev1.Container{{Name: "proxy", Image: "skiff.local/busybox:1.36", RestartPolicy: &always}}
	}))
	p := h.waitPod("side", 5*time.Second, "running", func(p *corev1.Pod) bool { return isRunning(p) && isReady(p) })
	if cs := containerStatus(p, "proxy"); cs == nil || cs.State.Running == nil || !cs.Ready {
		t.Fatalf("sidecar status %+v", cs)
	}
	if err := h.cs.Pods("default").Delete(context.Background(), "side", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(10*time.Second, "terminated", func() bool { return len(h.callsMatching("RemovePodSandbox default/side")) == 1 })
	var order []string
	for _, c := range h.rt.Calls() {
		if strings.HasPrefix(c, "StartContainer") || strings.HasPrefix(c, "StopContainer") {
			order = append(order, c)
		}
	}
	want := []string{"StartContainer default/side/proxy", "StartContainer default/side/app", "StopContainer default/side/app", "StopContainer default/side/proxy"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("order %v, want %v", order, want)
	}
}

func TestEphemeralContainerStartsOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("dbg", nil))
	p := h.waitPod("dbg", 5*time.Second, "running", isRunning)
	p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{
		EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "skiff.local/busybox:1.36", ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePolicy: corev1.TerminationMessageReadFile},
		TargetContainerName:      "app",
	}}
	if _, err := h.cs.Pods("default").Update(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	p = h.waitPod("dbg", 5*time.Second, "debugger running", func(p *corev1.Pod) bool {
		return len(p.Status.EphemeralContainerStatuses) == 1 && p.Status.EphemeralContainerStatuses[0].State.Running != nil
	})
	cfg, _ := h.rt.ContainerConfig("default", "dbg", "debugger")
	app := containerStatus(p, "app")
	if ns := cfg.Linux.SecurityContext.NamespaceOptions; ns.Pid != 3 /* TARGET */ || "skiff-fake://"+ns.TargetId != app.ContainerID {
		t.Errorf("namespace options %+v, want the app container's pid namespace", ns)
	}
	if err := h.rt.ExitContainer("default", "dbg", "debugger", 0); err != nil {
		t.Fatal(err)
	}
	h.waitPod("dbg", 5*time.Second, "debugger terminated", func(p *corev1.Pod) bool {
		return p.Status.EphemeralContainerStatuses[0].State.Terminated != nil
	})
	time.Sleep(1500 * time.Millisecond)
	if n := len(h.callsMatching("CreateContainer default/dbg/debugger")); n != 1 {
		t.Errorf("ephemeral container created %d times, want once", n)
	}
	if !isReady(h.get("dbg")) {
		t.Error("an exited debug container does not make the pod unready")
	}
}
