package probes

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
)

func TestHTTPAndTCPProbes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			if r.Header.Get("X-Check") != "yes" || r.UserAgent() != "kube-probe/1.33" {
				w.WriteHeader(400)
				return
			}
			w.Write([]byte("fine"))
		case "/redirect":
			http.Redirect(w, r, "http://example.invalid/", http.StatusFound)
		default:
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	host, portStr, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	c := &corev1.Container{Name: "app", Ports: []corev1.ContainerPort{{Name: "web", ContainerPort: int32(port)}}}
	target := Target{Pod: &corev1.Pod{}, Container: c, PodIP: host}
	r := &Runner{UserAgent: "kube-probe/1.33"}
	run := func(h corev1.ProbeHandler) (outcome, string) {
		out, msg, err := r.Run(context.Background(), &h, target, time.Second)
		if err != nil {
			t.Fatalf("probe error: %v", err)
		}
		return out, msg
	}
	if out, msg := run(corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ok", Port: intstr.FromString("web"), HTTPHeaders: []corev1.HTTPHeader{{Name: "X-Check", Value: "yes"}}}}); out != outcomeSuccess || msg != "fine" {
		t.Errorf("ok: %v %q", out, msg)
	}
	if out, msg := run(corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/bad", Port: intstr.FromInt32(int32(port))}}); out != outcomeFailure || msg != "HTTP probe failed with statuscode: 500" {
		t.Errorf("bad: %v %q", out, msg)
	}
	if out, _ := run(corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/redirect", Port: intstr.FromInt32(int32(port))}}); out != outcomeWarning {
		t.Errorf("off-host redirect: %v", out)
	}
	if out, _ := run(corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(int32(port))}}); out != outcomeSuccess {
		t.Errorf("tcp open: %v", out)
	}
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := lis.Addr().(*net.TCPAddr).Port
	lis.Close()
	if out, msg := run(corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(int32(closed))}}); out != outcomeFailure || msg == "" {
		t.Errorf("tcp closed: %v %q", out, msg)
	}
	if _, _, err := r.Run(context.Background(), &corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("nope")}}, target, time.Second); err == nil {
		t.Error("an unknown named port is an error")
	}
}
