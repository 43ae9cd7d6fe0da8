package kubeletproxy_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

// fakeKubelet answers like a kubelet: logs (streamed line by line when following), a
// refusal for unknown containers, and upgrades that echo what the client sends.
type fakeKubelet struct {
	mu       sync.Mutex
	requests []string
}

func (k *fakeKubelet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	k.requests = append(k.requests, r.Method+" "+r.URL.RequestURI())
	k.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/containerLogs/default/web/waiting"):
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `container "waiting" in pod "web" is waiting to start: ContainerCreating`)
	case strings.HasPrefix(r.URL.Path, "/containerLogs/"):
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "line %d\n", i)
			w.(http.Flusher).Flush()
			if r.URL.Query().Get("follow") == "true" {
				time.Sleep(50 * time.Millisecond)
			}
		}
	case strings.Contains(r.URL.Path, "/nosuch"):
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `container not found ("nosuch")`)
	case r.Header.Get("Upgrade") != "":
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", r.Header.Get("Upgrade"))
		rw.Flush()
		io.Copy(rw, rw) // echo (flushes as bufio fills; the test reads one line)
	case r.URL.Path == "/stats/summary":
		io.WriteString(w, `{"node":{"nodeName":"n1"}}`)
	default:
		http.NotFound(w, r)
	}
}

func (k *fakeKubelet) last() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.requests) == 0 {
		return ""
	}
	return k.requests[len(k.requests)-1]
}

type cluster struct {
	t       *testing.T
	env     *testenv.Env
	kubelet *fakeKubelet
}

func newCluster(t *testing.T) *cluster {
	env := testenv.Start(t)
	k := &fakeKubelet{}
	ks := httptest.NewServer(k)
	t.Cleanup(ks.Close)
	port, _ := strconv.Atoi(ks.URL[strings.LastIndex(ks.URL, ":")+1:])
	c := &cluster{t: t, env: env, kubelet: k}
	c.do("POST", "/api/v1/nodes", fmt.Sprintf(`{"metadata":{"name":"n1"},"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}`, port), 201)
	c.do("POST", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"web"},"spec":{"containers":[{"name":"app","image":"x"},{"name":"waiting","image":"x"}]}}`, 201)
	c.do("POST", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"single"},"spec":{"containers":[{"name":"app","image":"x"}]}}`, 201)
	c.do("POST", "/api/v1/namespaces/default/pods/web/binding", `{"target":{"kind":"Node","name":"n1"}}`, 201)
	return c
}

func (c *cluster) do(method, path, body string, wantCode int) string {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.env.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if wantCode != 0 && resp.StatusCode != wantCode {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return string(b)
}

// status decodes a Status answer into "code reason: message".
func status(t *testing.T, body string) string {
	var s struct {
		Kind, Reason, Message string
		Code                  int
	}
	if err := json.Unmarshal([]byte(body), &s); err != nil || s.Kind != "Status" {
		t.Fatalf("not a Status: %s", body)
	}
	return fmt.Sprintf("%d %s: %s", s.Code, s.Reason, s.Message)
}

func TestLogs(t *testing.T) {
	c := newCluster(t)
	if got := c.do("GET", "/api/v1/namespaces/default/pods/web/log?container=app&tailLines=3", "", 200); got != "line 1\nline 2\nline 3\n" {
		t.Errorf("logs %q", got)
	}
	if got := c.kubelet.last(); got != "GET /containerLogs/default/web/app?tailLines=3" {
		t.Errorf("kubelet saw %q", got)
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/namespaces/default/pods/web/log", "400 BadRequest: a container name must be specified for pod web, choose one of: [app waiting]"},
		{"/api/v1/namespaces/default/pods/web/log?container=zz", "400 BadRequest: container zz is not valid for pod web"},
		{"/api/v1/namespaces/default/pods/web/log?container=waiting", `400 BadRequest: container "waiting" in pod "web" is waiting to start: ContainerCreating`},
		{"/api/v1/namespaces/default/pods/nosuch/log", `404 NotFound: pods "nosuch" not found`},
		{"/api/v1/namespaces/default/pods/web/exec?container=app&command=ls&stdout=true", "400 BadRequest: Upgrade request required"},
		{"/api/v1/namespaces/default/pods/single/exec?command=ls&stdout=true", "400 BadRequest: pod single does not have a host assigned"},
	} {
		if got := status(t, c.do("GET", tc.path, "", 0)); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.path, got, tc.want)
		}
	}
	// A pod on no node has no logs yet: 204.
	resp, err := http.Get(c.env.URL + "/api/v1/namespaces/default/pods/single/log")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("unscheduled pod logs: %v %v", resp.StatusCode, err)
	}

	// Following streams lines as the kubelet sends them.
	resp, err = http.Get(c.env.URL + "/api/v1/namespaces/default/pods/web/log?container=app&follow=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain" {
		t.Errorf("content type %q", ct)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "line 1\n" {
		t.Errorf("first followed line %q %v", line, err)
	}
}

// Upgrades reach the kubelet with upstream's kubelet URL and query, and the connection
// is joined once it switches protocols.
func TestUpgradeIsRelayed(t *testing.T) {
	c := newCluster(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/namespaces/default/pods/web/exec?container=app&command=sh&command=-c&command=date&stdin=true&stdout=true&tty=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	if got := c.kubelet.last(); got != "POST /exec/default/web/app?command=sh&command=-c&command=date&input=1&output=1&tty=1" {
		t.Errorf("kubelet saw %q", got)
	}
	fmt.Fprintf(conn, "ping\n")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	// The fake kubelet's echo sits behind a buffered writer: close our side to flush it.
	conn.(*net.TCPConn).CloseWrite()
	rest, _ := io.ReadAll(br)
	if string(rest) != "ping\n" {
		t.Errorf("echo %q", rest)
	}

	// The kubelet's refusal reaches the client as the kubelet wrote it.
	req, _ := http.NewRequest("POST", c.env.URL+"/api/v1/namespaces/default/pods/web/exec?container=waiting&command=ls&stdout=true", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if got := c.kubelet.last(); got != "POST /exec/default/web/waiting?command=ls&output=1" {
		t.Errorf("kubelet saw %q", got)
	}
}

func TestKubeletUnreachable(t *testing.T) {
	c := newCluster(t)
	c.do("POST", "/api/v1/nodes", `{"metadata":{"name":"dead"},"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":1}}}}`, 201)
	c.do("POST", "/api/v1/namespaces/default/pods/single/binding", `{"target":{"kind":"Node","name":"dead"}}`, 201)
	got := status(t, c.do("GET", "/api/v1/namespaces/default/pods/single/log", "", 500))
	if want := `500 : Get "http://127.0.0.1:1/containerLogs/default/single/app": dial tcp 127.0.0.1:1: connect: connection refused`; got != want {
		t.Errorf("logs:\n got %s\nwant %s", got, want)
	}
	req, _ := http.NewRequest("POST", c.env.URL+"/api/v1/namespaces/default/pods/single/exec?command=ls&stdout=true", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "SPDY/3.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got, want := status(t, string(b)), "500 : error dialing backend: dial tcp 127.0.0.1:1: connect: connection refused"; got != want {
		t.Errorf("exec:\n got %s\nwant %s", got, want)
	}
}

func TestNodeProxyAndDiscovery(t *testing.T) {
	c := newCluster(t)
	if got := c.do("GET", "/api/v1/nodes/n1/proxy/stats/summary", "", 200); got != `{"node":{"nodeName":"n1"}}` {
		t.Errorf("node proxy %q", got)
	}
	var list struct {
		Resources []struct {
			Name, Kind string
			Verbs      []string
		}
	}
	json.Unmarshal([]byte(c.do("GET", "/api/v1", "", 200)), &list)
	found := map[string]string{}
	for _, r := range list.Resources {
		found[r.Name] = r.Kind + " " + strings.Join(r.Verbs, ",")
	}
	for name, want := range map[string]string{
		"pods/attach":      "PodAttachOptions create,get",
		"pods/exec":        "PodExecOptions create,get",
		"pods/log":         "Pod get",
		"pods/portforward": "PodPortForwardOptions create,get",
		"nodes/proxy":      "NodeProxyOptions create,delete,get,patch,update",
	} {
		if found[name] != want {
			t.Errorf("discovery %s = %q, want %q", name, found[name], want)
		}
	}
}
