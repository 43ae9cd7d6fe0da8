#!/usr/bin/env bash
# Starts a single-node Skiff cluster on this machine (`make up`, as root):
#
#   1. installs containerd, runc, the CNI plugins and iptables if missing (hack/install-deps.sh)
#   2. starts Skiff's own containerd (hack/containerd.sh) and imports the images (hack/images.sh)
#   3. creates the pod bridge and routes the Service range to it, before any pod exists
#   4. starts apiserver (etcd embedded), controller-manager, scheduler, kubelet and proxy as
#      separate processes, logs in $SKIFF_HOME/logs, pid files in $SKIFF_HOME/pid
#   5. writes $SKIFF_HOME/kubeconfig and waits until the node is Ready
#
# Running it again is harmless: a component whose pid file names a live process running
# its binary is kept. Ports and paths come from hack/cluster-env.sh (all overridable).
set -euo pipefail
# shellcheck source=cluster-env.sh
source "$(dirname "$0")/cluster-env.sh"
READY_TIMEOUT=${SKIFF_READY_TIMEOUT:-60}

if [ "$(id -u)" != 0 ]; then
  echo "up: run as root: containerd, the pod bridge and iptables need it (sudo make up)" >&2
  exit 1
fi
t_begin=$(now)

"$SKIFF_ROOT/hack/install-deps.sh"
for b in "${SKIFF_COMPONENTS[@]}"; do
  if [ ! -x "$SKIFF_BIN/$b" ]; then
    echo "up: $SKIFF_BIN/$b is missing: build first (make build, or make up which builds)" >&2
    exit 1
  fi
done
mkdir -p "$SKIFF_HOME"/{pid,logs,kubelet,etcd}

# claim_bridge records that this SKIFF_HOME owns the pod bridge, refusing when another
# cluster's containerd is still running on it: two clusters would hand out the same pod IPs
# on one bridge and rewrite each other's Service rules.
claim_bridge() {
  mkdir -p "$(dirname "$BRIDGE_OWNER_FILE")"
  if [ -f "$BRIDGE_OWNER_FILE" ]; then
    local owner
    owner=$(cat "$BRIDGE_OWNER_FILE")
    if [ "$owner" != "$SKIFF_HOME" ] && (SKIFF_HOME=$owner containerd_pid >/dev/null); then
      echo "up: bridge $BRIDGE is used by the cluster in $owner; stop it first: SKIFF_HOME=$owner make down" >&2
      exit 1
    fi
  fi
  # Interfaces on the bridge with no live owner: pods of a containerd that up.sh did not
  # start (or of this cluster after a crash, which down.sh clears). Leave them alone.
  if ! containerd_pid >/dev/null && [ -n "$(ls "/sys/class/net/$BRIDGE/brif" 2>/dev/null)" ]; then
    echo "up: bridge $BRIDGE has pods attached ($(ls "/sys/class/net/$BRIDGE/brif" | tr '\n' ' ')) that no running Skiff cluster owns;" >&2
    echo "    if they are this cluster's, left from a crash, run: SKIFF_HOME=$SKIFF_HOME make down" >&2
    exit 1
  fi
  echo "$SKIFF_HOME" >"$BRIDGE_OWNER_FILE"
}

# setup_network creates the bridge the CNI config names, with the address the CNI bridge
# plugin would give it, and routes the Service range to it, so that a ClusterIP is
# reachable (and an unknown one fails locally) before the first pod starts.
setup_network() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip addr replace "$(bridge_gateway)" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE"
}

write_kubeconfig() {
  cat >"$KUBECONFIG_FILE.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: http://127.0.0.1:$SKIFF_API_PORT
users:
- name: admin
  user: {}
contexts:
- name: skiff
  context:
    cluster: skiff
    user: admin
    namespace: default
current-context: skiff
EOF
  mv "$KUBECONFIG_FILE.tmp" "$KUBECONFIG_FILE"
}

started=()
# start runs a component in its own session (a Ctrl-C in the terminal that ran `make up`
# must not reach it), unless it already runs.
start() {
  local name=$1 pid log
  shift
  if pid=$(component_pid "$name"); then
    echo "  $name already running (pid $pid)"
    return
  fi
  log=$SKIFF_HOME/logs/$name.log
  [ -f "$log" ] && mv "$log" "$log.1"
  # Not a process-group leader here (no job control), so setsid execs in place and $! is
  # the component's own PID.
  setsid "$SKIFF_BIN/$name" "$@" >"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pidfile "$name")"
  # Until the child has exec'd, /proc shows it running bash: wait for the binary.
  local i
  for i in $(seq 1 100); do
    component_pid "$name" >/dev/null && break
    [ -d "/proc/$pid" ] || break
    sleep 0.02
  done
  started+=("$name")
  echo "  $name started (pid $pid), log $log"
}

# check_alive fails, with the log's end, when a component died.
check_alive() {
  local name
  for name in "$@"; do
    if ! component_pid "$name" >/dev/null; then
      echo "up: $name exited; the end of $SKIFF_HOME/logs/$name.log:" >&2
      tail -n 30 "$SKIFF_HOME/logs/$name.log" >&2
      exit 1
    fi
  done
}

claim_bridge
"$SKIFF_ROOT/hack/containerd.sh" start
"$SKIFF_ROOT/hack/images.sh"
setup_network
write_kubeconfig

t_start=$(now)
start apiserver \
  --bind-address 127.0.0.1 --port "$SKIFF_API_PORT" \
  --data-dir "$SKIFF_HOME/etcd" \
  --service-cluster-ip-range "$SERVICE_CIDR"
# The others would retry until the API answers; waiting here spares them a backoff.
deadline=$(($(date +%s) + 30))
until curl -fsS --max-time 1 "http://127.0.0.1:$SKIFF_API_PORT/readyz" >/dev/null 2>&1; do
  check_alive apiserver
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "up: the apiserver did not answer on 127.0.0.1:$SKIFF_API_PORT within 30 s" >&2
    print_log_tails 30
    exit 1
  fi
  sleep 0.05
done
start controller-manager --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --port "$SKIFF_CM_PORT"
start scheduler --kubeconfig "$KUBECONFIG_FILE" --leader-elect=false --port "$SKIFF_SCHEDULER_PORT"
start kubelet --kubeconfig "$KUBECONFIG_FILE" \
  --hostname-override "$SKIFF_NODE_NAME" --node-ip 127.0.0.1 \
  --pod-cidr "$POD_CIDR" \
  --runtime-endpoint "unix://$CONTAINERD_SOCK" \
  --root-dir "$SKIFF_HOME/kubelet" --port "$SKIFF_KUBELET_PORT"
start proxy --kubeconfig "$KUBECONFIG_FILE" \
  --cluster-cidr "$POD_CIDR" --service-cidr "$SERVICE_CIDR" --bridge "$BRIDGE" \
  --metrics-bind-address "127.0.0.1:$SKIFF_PROXY_PORT"

deadline=$(($(date +%s) + READY_TIMEOUT))
# A kubelet started now must have posted the Ready it reports.
fresh_since=
if [[ " ${started[*]} " == *" kubelet "* ]]; then fresh_since=$t_start; fi
until node_ready "$fresh_since"; do
  check_alive "${SKIFF_COMPONENTS[@]}"
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "up: node $SKIFF_NODE_NAME is not Ready after ${READY_TIMEOUT} s" >&2
    print_log_tails 30
    exit 1
  fi
  sleep 0.05
done
t_ready=$(now)

echo
if [ ${#started[@]} -eq 0 ]; then
  echo "Skiff was already up: node $SKIFF_NODE_NAME is Ready."
else
  echo "Skiff is up: node $SKIFF_NODE_NAME Ready $(elapsed "$t_start" "$t_ready") s after starting the processes ($(elapsed "$t_begin" "$t_ready") s for the whole of up.sh)."
fi
down="make down"
[ "$SKIFF_HOME" = "$SKIFF_ROOT/.skiff" ] || down="SKIFF_HOME=$SKIFF_HOME make down"
cat <<EOF

  export KUBECONFIG=$KUBECONFIG_FILE
  kubectl get nodes
  kubectl create deployment web --image=skiff.local/demo-app:v1 --replicas=3

Logs: $SKIFF_HOME/logs/   Stop everything: $down
EOF
