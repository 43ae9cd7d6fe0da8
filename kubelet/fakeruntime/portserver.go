package fakeruntime

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// declaredPort is the part of a container port the kubelet records in the
// io.kubernetes.container.ports annotation that the fake needs.
type declaredPort struct {
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// serveDeclaredPorts listens on every declared TCP port of c at ip and answers HTTP with
// the container's current HTTPStatus. Ports that cannot be bound are logged and skipped:
// the simulated container still runs, and probes against that port fail as they would
// against a real process that does not listen.
func serveDeclaredPorts(ip string, c *container) []net.Listener {
	raw := c.config.GetAnnotations()["io.kubernetes.container.ports"]
	if raw == "" {
		return nil
	}
	var ports []declaredPort
	if err := json.Unmarshal([]byte(raw), &ports); err != nil {
		return nil
	}
	var out []net.Listener
	for _, p := range ports {
		if p.Protocol != "" && !strings.EqualFold(p.Protocol, "TCP") {
			continue
		}
		addr := net.JoinHostPort(ip, strconv.Itoa(int(p.ContainerPort)))
		lis, err := net.Listen("tcp", addr)
		if err != nil {
			slog.Warn("fake runtime cannot listen on a declared port", "addr", addr, "container", c.ref.Container, "err", err)
			continue
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			code := int(c.httpStatus.Load())
			if code == 0 {
				code = http.StatusOK
			}
			w.WriteHeader(code)
			fmt.Fprintf(w, "fake-cri %s/%s/%s %s\n", c.ref.Namespace, c.ref.Pod, c.ref.Container, r.URL.Path)
		})}
		go func() { _ = srv.Serve(lis) }()
		out = append(out, lis)
	}
	return out
}
