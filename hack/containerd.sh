#!/usr/bin/env bash
# Starts (or stops) Skiff's own containerd: its own root, state and socket under
# $SKIFF_HOME/containerd, the locally built pause image as sandbox image, and a CNI bridge
# network (skiff0) for pods. The system's containerd, if any, is left alone.
#
#   hack/containerd.sh start | stop | config
#
# Pod network: bridge skiff0 with gateway 10.88.0.1 on $POD_CIDR. Pods get a route to their
# subnet and to the Service range only (no default route), and the host routes the Service
# range to the bridge, so no packet from a pod or to an unknown ClusterIP leaves the machine.
set -euo pipefail
SKIFF_HOME=${SKIFF_HOME:-$(cd "$(dirname "$0")/.." && pwd)/.skiff}
POD_CIDR=${POD_CIDR:-10.88.0.0/16}
SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/12}
BRIDGE=${BRIDGE:-skiff0}
CD=$SKIFF_HOME/containerd
SOCK=$CD/containerd.sock
PIDFILE=$SKIFF_HOME/pid/containerd.pid
mkdir -p "$CD" "$SKIFF_HOME/pid" "$SKIFF_HOME/logs" "$SKIFF_HOME/cni/net.d" "$SKIFF_HOME/cni/ipam"

write_config() {
  cat >"$SKIFF_HOME/cni/net.d/10-skiff.conflist" <<EOC
{
  "cniVersion": "0.4.0",
  "name": "skiff",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$SKIFF_HOME/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "$SERVICE_CIDR"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOC
  cat >"$CD/config.toml" <<EOC
version = 2
root = "$CD/root"
state = "$CD/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "skiff.local/pause:3.10"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$SKIFF_HOME/cni/net.d"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$CD/runc"
EOC
}

# alive: the process exists and is not a zombie (an exited daemon whose parent, init once
# the starting shell is gone, has not reaped it yet).
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
running() { [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; }

case "${1:-start}" in
config)
  write_config ;;
start)
  write_config
  if running; then echo "containerd already running (pid $(cat "$PIDFILE"))"; exit 0; fi
  # Its own session: a Ctrl-C in the terminal that ran `make up` must not stop it.
  setsid containerd --config "$CD/config.toml" >"$SKIFF_HOME/logs/containerd.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for i in $(seq 1 100); do
    [ -S "$SOCK" ] && ctr --address "$SOCK" version >/dev/null 2>&1 && break
    running || { echo "containerd died; see $SKIFF_HOME/logs/containerd.log" >&2; tail -20 "$SKIFF_HOME/logs/containerd.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "containerd running (pid $(cat "$PIDFILE")), socket $SOCK" ;;
stop)
  if running; then
    pid=$(cat "$PIDFILE"); kill "$pid"
    for i in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then kill -9 "$pid"; fi
    echo "stopped containerd ($pid)"
  fi
  rm -f "$PIDFILE" ;;
*) echo "usage: $0 start|stop|config" >&2; exit 2 ;;
esac
