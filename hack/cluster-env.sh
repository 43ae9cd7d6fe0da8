# Sourced by hack/up.sh, down.sh, demo.sh and bench.sh: where a local cluster keeps its state,
# which ports and networks it uses, and how its processes are found again (by the PID in
# their pid file, checked against the binary that PID runs, never by name).
#
# Every setting can be changed from the environment, so a second cluster (the e2e tests')
# can use its own state directory and ports:
#   SKIFF_HOME            state, logs, pid files, kubeconfig   (default: <repo>/.skiff)
#   SKIFF_BIN             the built binaries                   (default: <repo>/_output/bin)
#   SKIFF_API_PORT        apiserver                            (6443)
#   SKIFF_CM_PORT         controller-manager /healthz          (10257)
#   SKIFF_SCHEDULER_PORT  scheduler /healthz                   (10259)
#   SKIFF_KUBELET_PORT    kubelet API (logs, exec)             (10250)
#   SKIFF_PROXY_PORT      proxy /healthz and /metrics          (10249)
#   SKIFF_NODE_NAME       the node's name                      (the host name, lower case)
#   POD_CIDR, SERVICE_CIDR, BRIDGE                             (10.88.0.0/16, 10.96.0.0/12, skiff0)
# The pod network is one per machine (the bridge and its routes), so only one cluster at a
# time can run pods; /run/skiff/<bridge>.home records which SKIFF_HOME owns it.

SKIFF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SKIFF_HOME=${SKIFF_HOME:-$SKIFF_ROOT/.skiff}
mkdir -p "$SKIFF_HOME"
SKIFF_HOME=$(cd "$SKIFF_HOME" && pwd)
export SKIFF_HOME
SKIFF_BIN=${SKIFF_BIN:-$SKIFF_ROOT/_output/bin}
case $SKIFF_BIN in /*) ;; *) SKIFF_BIN=$PWD/$SKIFF_BIN ;; esac
SKIFF_API_PORT=${SKIFF_API_PORT:-6443}
SKIFF_CM_PORT=${SKIFF_CM_PORT:-10257}
SKIFF_SCHEDULER_PORT=${SKIFF_SCHEDULER_PORT:-10259}
SKIFF_KUBELET_PORT=${SKIFF_KUBELET_PORT:-10250}
SKIFF_PROXY_PORT=${SKIFF_PROXY_PORT:-10249}
SKIFF_NODE_NAME=${SKIFF_NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}
export POD_CIDR=${POD_CIDR:-10.88.0.0/16}
export SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/12}
export BRIDGE=${BRIDGE:-skiff0}
KUBECONFIG_FILE=$SKIFF_HOME/kubeconfig
CONTAINERD_SOCK=$SKIFF_HOME/containerd/containerd.sock
BRIDGE_OWNER_FILE=/run/skiff/$BRIDGE.home
# The processes of the control plane and the node, in start order.
SKIFF_COMPONENTS=(apiserver controller-manager scheduler kubelet proxy)

# bridge_gateway prints the first address of POD_CIDR (10.88.0.0/16 -> 10.88.0.1/16): the
# bridge's own address, the one the CNI bridge plugin (isGateway) would give it.
bridge_gateway() {
  local net=${POD_CIDR%/*} bits=${POD_CIDR#*/} a b c d
  IFS=. read -r a b c d <<<"$net"
  local n=$(((a << 24 | b << 16 | c << 8 | d) + 1))
  echo "$((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))/$bits"
}

pidfile() { echo "$SKIFF_HOME/pid/$1.pid"; }

# component_pid prints the PID of a running component started from this SKIFF_BIN (the PID
# in its pid file, if that process still runs that binary) and fails otherwise. A binary
# rebuilt since shows as "<path> (deleted)" in /proc and still counts.
component_pid() {
  local f pid exe
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  exe=${exe% (deleted)}
  [ "$exe" = "$SKIFF_BIN/$1" ] || return 1
  echo "$pid"
}

# containerd_pid is the same for hack/containerd.sh's containerd.
containerd_pid() {
  local f pid
  f=$(pidfile containerd)
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
  */containerd | */containerd" (deleted)") echo "$pid" ;;
  *) return 1 ;;
  esac
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# node_ready succeeds when the node's Ready condition is True, and, given a time ($1, epoch
# seconds), was last reported at or after it: after `make down`, etcd still holds the
# Ready that the previous kubelet posted. Plain curl: kubectl takes a tenth of a second to
# start, which would dominate the wait.
node_ready() {
  local since beat
  beat=$(curl -fsS --max-time 1 "http://127.0.0.1:$SKIFF_API_PORT/api/v1/nodes/$SKIFF_NODE_NAME" 2>/dev/null |
    tr -d ' \n' | grep -o '"type":"Ready","status":"True","lastHeartbeatTime":"[^"]*"' | cut -d'"' -f12) || return 1
  [ -n "$beat" ] || return 1
  [ -z "${1:-}" ] && return 0
  since=$(date -u -d "@${1%.*}" +%Y-%m-%dT%H:%M:%SZ)
  [[ ! "$beat" < "$since" ]] # RFC 3339 UTC times compare as strings
}

# print_log_tails shows the end of every component log (after a failure).
print_log_tails() {
  local f
  for f in "$SKIFF_HOME"/logs/*.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last ${1:-20} lines)" >&2
    tail -n "${1:-20}" "$f" >&2
  done
}
