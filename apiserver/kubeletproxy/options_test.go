package kubeletproxy

import (
	"errors"
	"net/url"
	"strconv"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/handlers"
)

// Messages as upstream's apiserver words them (checked against kube-apiserver 1.37).
func TestLogOptionErrors(t *testing.T) {
	for _, tc := range []struct{ query, code, message string }{
		{"tailLines=-1&limitBytes=0&sinceSeconds=0", "422",
			`PodLogOptions "web" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]`},
		{"sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z", "422",
			"PodLogOptions \"web\" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"},
		{"stream=Stdout", "422", `PodLogOptions "web" is invalid: stream: Forbidden: may not be specified`},
		{"tailLines=abc", "400", `strconv.ParseInt: parsing "abc": invalid syntax`},
		{"follow=yes", "400", `strconv.ParseBool: parsing "yes": invalid syntax`},
		{"follow=true&tailLines=10&timestamps=1", "", ""},
	} {
		q, _ := url.ParseQuery(tc.query)
		opts, err := parseLogOptions(q)
		if err == nil {
			if errs := validateLogOptions(opts); len(errs) > 0 {
				err = invalid("PodLogOptions", "web", errs)
			}
		}
		code, msg := "", ""
		var se *handlers.StatusError
		if errors.As(err, &se) {
			code, msg = strconv.Itoa(se.Code()), se.Status.Message
		} else if err != nil {
			t.Fatalf("%s: not a Status: %v", tc.query, err)
		}
		if code != tc.code || msg != tc.message {
			t.Errorf("%s:\n got %s %s\nwant %s %s", tc.query, code, msg, tc.code, tc.message)
		}
	}
}

func TestKubeletLogQuery(t *testing.T) {
	q, _ := url.ParseQuery("container=app&follow=true&previous=1&timestamps=true&sinceTime=2024-01-01T10:00:00%2B02:00&tailLines=5&limitBytes=100")
	opts, err := parseLogOptions(q)
	if err != nil {
		t.Fatal(err)
	}
	want := "follow=true&limitBytes=100&previous=true&sinceTime=2024-01-01T08%3A00%3A00Z&tailLines=5&timestamps=true"
	if got := kubeletLogQuery(opts).Encode(); got != want {
		t.Errorf("kubelet query\n got %s\nwant %s", got, want)
	}
}

func TestExecQuery(t *testing.T) {
	q, _ := url.ParseQuery("command=sh&command=-c&command=echo+hi&stdin=true&stdout=true&stderr=false&tty=true&container=app")
	opts, err := parseStreamOptions(q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := opts.kubeletQuery().Encode(), "command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1"; got != want {
		t.Errorf("kubelet query\n got %s\nwant %s", got, want)
	}
	if _, err := portForwardQuery(url.Values{"ports": {"80,x"}}); err == nil {
		t.Error("a bad port was accepted")
	}
	if got, _ := portForwardQuery(url.Values{"ports": {"80", "443"}}); got.Encode() != "port=80%2C443" {
		t.Errorf("port-forward query %s", got.Encode())
	}
}

func TestDefaultContainer(t *testing.T) {
	pod := func(init, main, ephemeral []string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
		for _, n := range init {
			p.Spec.InitContainers = append(p.Spec.InitContainers, corev1.Container{Name: n})
		}
		for _, n := range main {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: n})
		}
		for _, n := range ephemeral {
			var e corev1.EphemeralContainer
			e.Name = n
			p.Spec.EphemeralContainers = append(p.Spec.EphemeralContainers, e)
		}
		return p
	}
	for _, tc := range []struct {
		pod       *corev1.Pod
		container string
		want      string
	}{
		{pod(nil, []string{"app"}, nil), "", "app"},
		{pod(nil, []string{"app"}, nil), "app", "app"},
		{pod([]string{"init"}, []string{"app"}, nil), "init", "init"},
		{pod(nil, []string{"app"}, []string{"debug"}), "debug", "debug"},
		{pod(nil, []string{"app"}, nil), "zz", "error: container zz is not valid for pod web"},
		{pod([]string{"init1"}, []string{"a", "b"}, []string{"dbg"}), "", "error: a container name must be specified for pod web, choose one of: [init1 a b dbg]"},
		{pod(nil, nil, nil), "", "error: a container name must be specified for pod web"},
	} {
		got, err := defaultContainer(tc.pod, tc.container)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.container, got, tc.want)
		}
	}
}

func TestKubeletAddress(t *testing.T) {
	n := &corev1.Node{}
	if got := kubeletAddress(n); got != "127.0.0.1:10250" {
		t.Errorf("bare node: %s", got)
	}
	n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "node-1"}, {Type: corev1.NodeInternalIP, Address: "127.0.0.7"}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = 10251
	if got := kubeletAddress(n); got != "127.0.0.7:10251" {
		t.Errorf("node: %s", got)
	}
}

func TestKubeletResponseErrors(t *testing.T) {
	for _, tc := range []struct {
		code        int
		body, want  string
		wantReason  string
		wantDetails bool
	}{
		{400, `container "app" in pod "web" is waiting to start: ContainerCreating`, `container "app" in pod "web" is waiting to start: ContainerCreating`, "BadRequest", false},
		{404, `pod "web" does not exist`, "the server could not find the requested resource ( pods/log web)", "NotFound", true},
		{500, "boom", "Internal error occurred: boom", "InternalError", true},
	} {
		se := kubeletResponseError(tc.code, tc.body, "pods/log", "web")
		if se.Status.Message != tc.want || se.Status.Reason != tc.wantReason || (se.Status.Details != nil) != tc.wantDetails {
			t.Errorf("%d: %+v", tc.code, se.Status)
		}
	}
}
