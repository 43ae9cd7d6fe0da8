package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/server/portforward"
	"github.com/skiff-k8s/skiff/kubelet/server/remotecommand"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// execURL is the kubelet URL the apiserver builds for an exec.
func execURL(base, path string, opts remotecommand.Options, cmd ...string) string {
	q := url.Values{}
	opts.Query(q)
	for _, c := range cmd {
		q.Add("command", c)
	}
	return base + path + "?" + q.Encode()
}

type streamFunc func(context.Context, string, remotecommand.Options, remotecommand.Streams) error

var transports = map[string]streamFunc{"spdy": remotecommand.Stream, "websocket": remotecommand.StreamWebSocket}

func TestExec(t *testing.T) {
	h := newHarness(t)
	h.runPod("default", "web", nil, "app")
	for name, stream := range transports {
		t.Run(name, func(t *testing.T) {
			opts := remotecommand.Options{Stdout: true, Stderr: true}
			var out, errOut bytes.Buffer
			err := stream(context.Background(), execURL(h.url, "/exec/default/web/app", opts, "echo", "hello", "world"), opts, remotecommand.Streams{Stdout: &out, Stderr: &errOut})
			if err != nil || out.String() != "hello world\n" {
				t.Errorf("echo: %q, %v", out.String(), err)
			}

			err = stream(context.Background(), execURL(h.url, "/exec/default/web/app", opts, "sh", "-c", "exit 3"), opts, remotecommand.Streams{Stdout: &out, Stderr: &errOut})
			var exit *remotecommand.ExitError
			if !errors.As(err, &exit) || exit.Code != 3 {
				t.Errorf("exit 3: %v", err)
			}

			// stdin to the end: the process sees EOF (kubectl exec -i ... cat).
			in := remotecommand.Options{Stdin: true, Stdout: true, Stderr: true}
			out.Reset()
			err = stream(context.Background(), execURL(h.url, "/exec/default/web/app", in, "cat"), in, remotecommand.Streams{Stdin: strings.NewReader("piped\n"), Stdout: &out, Stderr: &errOut})
			if err != nil || out.String() != "piped\n" {
				t.Errorf("cat: %q, %v", out.String(), err)
			}

			// A terminal, with its size.
			tty := remotecommand.Options{Stdin: true, Stdout: true, TTY: true}
			sizes := make(chan remotecommand.TerminalSize, 1)
			sizes <- remotecommand.TerminalSize{Width: 120, Height: 40}
			close(sizes)
			out.Reset()
			pr, pw := io.Pipe()
			defer pw.Close()
			err = stream(context.Background(), execURL(h.url, "/exec/default/web/app", tty, "size"), tty, remotecommand.Streams{Stdin: pr, Stdout: &out, Resize: sizes})
			if err != nil || out.String() != "120x40" {
				t.Errorf("tty: %q, %v", out.String(), err)
			}

			// A runtime failure other than an exit code comes back as a Status.
			err = stream(context.Background(), execURL(h.url, "/exec/default/web/app", opts, "nosuch"), opts, remotecommand.Streams{Stdout: &out})
			var se *remotecommand.StatusError
			if !errors.As(err, &se) || !strings.Contains(se.Status.Message, `"nosuch": executable file not found`) {
				t.Errorf("unknown command: %v", err)
			}
		})
	}
}

func TestAttach(t *testing.T) {
	h := newHarness(t)
	h.runPod("default", "web", nil, "app")
	opts := remotecommand.Options{Stdin: true, Stdout: true}
	var out bytes.Buffer
	err := remotecommand.StreamWebSocket(context.Background(), execURL(h.url, "/attach/default/web/app", opts), opts, remotecommand.Streams{Stdin: strings.NewReader("to main process"), Stdout: &out})
	if err != nil || out.String() != "to main process" {
		t.Errorf("attach: %q, %v", out.String(), err)
	}
}

// Failures before the upgrade are plain-text HTTP errors with upstream's wording.
func TestStreamingErrors(t *testing.T) {
	h := newHarness(t)
	h.runPod("default", "web", nil, "app")
	out := remotecommand.Options{Stdout: true}
	for _, tc := range []struct {
		url  string
		code int
		body string
	}{
		{execURL(h.url, "/exec/default/nosuch/app", out, "ls"), 404, "pod does not exist"},
		{execURL(h.url, "/exec/default/web/other", out, "ls"), 500, `container not found ("other")`},
		{h.url + "/exec/default/web/app?command=ls", 400, "you must specify at least 1 of stdin, stdout, stderr"},
		{execURL(h.url, "/exec/default/web/app", out, "ls"), 400, "unable to upgrade: missing upgrade headers in request"},
		{h.url + "/portForward/default/nosuch", 404, "pod does not exist"},
	} {
		code, body := get(t, tc.url)
		if code != tc.code || strings.TrimSpace(body) != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.url, code, body, tc.code, tc.body)
		}
	}
	// Through a client: the refused upgrade carries the kubelet's text.
	err := remotecommand.Stream(context.Background(), execURL(h.url, "/exec/default/web/other", out, "ls"), out, remotecommand.Streams{Stdout: io.Discard})
	if err == nil || err.Error() != `unable to upgrade connection: container not found ("other")` {
		t.Errorf("spdy client error: %v", err)
	}
}

func TestPortForward(t *testing.T) {
	h := newHarness(t)
	h.runPod("default", "web", []int32{8080}, "app")
	request := "GET /hello HTTP/1.0\r\n\r\n"
	check := func(t *testing.T, c *portforward.Client) {
		for i := 0; i < 2; i++ {
			var answer bytes.Buffer
			if err := c.Forward(context.Background(), 8080, &conn{in: strings.NewReader(request), out: &answer}); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(&answer), nil)
			if err != nil {
				t.Fatalf("answer %q: %v", answer.String(), err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(body) != "fake-cri default/web/app /hello\n" {
				t.Errorf("answer %d %q", resp.StatusCode, body)
			}
		}
		err := c.Forward(context.Background(), 9999, &conn{in: strings.NewReader(""), out: io.Discard})
		var re *portforward.RemoteError
		if !errors.As(err, &re) || !strings.Contains(re.Message, "connection refused") {
			t.Errorf("closed port: %v", err)
		}
	}
	t.Run("spdy", func(t *testing.T) {
		c, err := portforward.Dial(context.Background(), h.url+"/portForward/default/web")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		check(t, c)
	})
	t.Run("tunnel", func(t *testing.T) {
		tc, _, err := wschannel.DialTunnel(context.Background(), h.url+"/portForward/default/web", []string{portforward.TunnelProtocolV1})
		if err != nil {
			t.Fatal(err)
		}
		c := portforward.NewClient(tc)
		defer c.Close()
		check(t, c)
	})
}

type conn struct {
	in  io.Reader
	out io.Writer
}

func (c *conn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *conn) Write(p []byte) (int, error) { return c.out.Write(p) }

func TestContainerLogs(t *testing.T) {
	h := newHarness(t)
	pod := h.runPod("default", "web", nil, "app")
	h.appendLog("default", "web", "app", "2024-05-01T10:00:00Z stdout F line one\n2024-05-01T10:00:01Z stderr F line two\n")

	code, body := get(t, h.url+"/containerLogs/default/web/app")
	if code != 200 || !strings.HasPrefix(body, "fake container app of pod default/web started\n") || !strings.HasSuffix(body, "line one\nline two\n") {
		t.Errorf("logs: %d %q", code, body)
	}
	code, body = get(t, h.url+"/containerLogs/default/web/app?tailLines=1&timestamps=true")
	if body != "2024-05-01T10:00:01.000000000Z line two\n" {
		t.Errorf("tail with timestamps: %d %q", code, body)
	}
	for _, tc := range []struct{ q, body string }{
		{"/containerLogs/default/nosuch/app", `pod "nosuch" does not exist`},
		{"/containerLogs/default/web/other", `container "other" not found in pod "web"`},
		{"/containerLogs/default/web/app?tailLines=-1", `{"message": "Invalid request."}`},
		{"/containerLogs/default/web/app?follow=maybe", `{"message": "Unable to decode query."}`},
		{"/containerLogs/default/web/app?previous=true", `previous terminated container "app" in pod "web" not found`},
	} {
		_, body := get(t, h.url+tc.q)
		if strings.TrimSpace(body) != tc.body {
			t.Errorf("%s: %q, want %q", tc.q, body, tc.body)
		}
	}

	// A container still being created.
	waiting := *pod
	waiting.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}}
	h.pods.put(&waiting)
	code, body = get(t, h.url+"/containerLogs/default/web/app")
	if code != 400 || strings.TrimSpace(body) != `container "app" in pod "web" is waiting to start: ContainerCreating` {
		t.Errorf("waiting: %d %q", code, body)
	}
	h.pods.put(pod)

	// Follow: new lines arrive as they are written; the stream ends when the container
	// stops.
	resp, err := http.Get(h.url + "/containerLogs/default/web/app?follow=true&tailLines=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(200 * time.Millisecond)
	h.appendLog("default", "web", "app", "2024-05-01T10:00:02Z stdout F followed\n")
	select {
	case l := <-lines:
		if l != "followed" {
			t.Errorf("followed line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("followed line did not arrive")
	}
	if err := h.rt.ExitContainer("default", "web", "app", 0); err != nil {
		t.Fatal(err)
	}
	select {
	case l, ok := <-lines:
		if ok {
			t.Errorf("unexpected line %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end after the container stopped")
	}
}

func TestSummaryAndMetrics(t *testing.T) {
	h := newHarness(t)
	h.runPod("default", "web", nil, "app")
	code, body := get(t, h.url+"/stats/summary")
	if code != 200 || !strings.Contains(body, `"nodeName": "node-1"`) || !strings.Contains(body, `"name": "web"`) {
		t.Errorf("summary: %d %s", code, body)
	}
	code, body = get(t, h.url+"/metrics/resource")
	for _, want := range []string{"node_cpu_usage_seconds_total ", `container_memory_working_set_bytes{container="app",namespace="default",pod="web"}`, "resource_scrape_error 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("resource metrics lack %q:\n%s", want, body)
		}
	}
	code, body = get(t, h.url+"/healthz")
	if code != 200 || body != "ok" {
		t.Errorf("healthz: %d %q", code, body)
	}
	_, body = get(t, h.url+"/metrics")
	if !strings.Contains(body, `kubelet_http_requests_total{long_running="false",method="GET",path="/stats",server_type="readwrite"} 1`) {
		t.Errorf("metrics:\n%s", body)
	}
}
