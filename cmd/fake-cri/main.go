// Command fake-cri serves Skiff's simulated CRI runtime (package kubelet/fakeruntime) on a
// unix socket, so a kubelet can run pods without containers:
//
//	fake-cri --listen /tmp/node-1/fake.sock --pod-cidr 127.17.1.0/24 &
//	kubelet --runtime-endpoint unix:///tmp/node-1/fake.sock --hostname-override node-1 ...
//
// Give every simulated node its own socket and its own loopback pod range (pod IPs are
// 127.x addresses, so probes and Services reach the simulated servers without any packet
// leaving the machine). Containers run until stopped; pod annotations change that, per pod
// or per container ("fake-cri.skiff.dev/exit-code.app: 1"): exit-after, exit-code,
// oom-after, stop-delay, stop-exit-code, start-error, exec-output, exec-exit-code,
// http-status (see kubelet/fakeruntime).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"

	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
)

func main() {
	listen := flag.String("listen", "/tmp/skiff-fake-cri.sock", "unix socket to serve the CRI on")
	podCIDR := flag.String("pod-cidr", "127.16.0.0/16", "loopback range pod IPs are allocated from (inside 127.0.0.0/8)")
	images := flag.String("images", strings.Join(fakeruntime.DefaultImages, ","), "comma-separated images present at start")
	pullFail := flag.String("pull-fail-regexp", `does-not-exist|nonexistent`, "pulls of images whose name matches fail with NotFound (empty: none fail)")
	servePorts := flag.Bool("serve-ports", true, "listen on running containers' declared TCP ports at the pod IP (HTTP 200), so probes and Services work")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))

	opts := fakeruntime.Options{PodCIDR: *podCIDR, ServePorts: *servePorts}
	if *images != "" {
		opts.Images = strings.Split(*images, ",")
	} else {
		opts.Images = []string{}
	}
	if *pullFail != "" {
		re, err := regexp.Compile(*pullFail)
		if err != nil {
			fmt.Fprintf(os.Stderr, "--pull-fail-regexp: %v\n", err)
			os.Exit(2)
		}
		opts.PullFailPattern = re
	}
	rt, err := fakeruntime.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	srv, err := rt.Listen(*listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slog.Info("fake CRI runtime serving", "socket", *listen, "podCIDR", *podCIDR)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	srv.Stop()
	rt.Shutdown()
	_ = os.Remove(*listen)
}
