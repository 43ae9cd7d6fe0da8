#!/usr/bin/env bash
# Measures Skiff's apiserver against upstream's kube-apiserver in one run on this machine,
# so the figure is a ratio, not two numbers from different days: creates/s of small
# ConfigMaps (hack/loadgen) through
#   1. kube-apiserver v1.37.2 on its etcd v3.7.3 (../shared/peers; built by build-k8s.sh),
#   2. Skiff's apiserver on that same etcd (--etcd-servers, own key prefix),
#   3. Skiff's apiserver on its embedded etcd (the default),
# and raw etcd puts on the peer etcd for reference. Also the idle RSS of each apiserver.
# Needs the peer binaries in ${PEERS_HOME:-~/.cache/skiff-peers}/bin.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/peers}
PEERS_HOME=${PEERS_HOME:-$HOME/.cache/skiff-peers}
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-10s}
RUN=$(mktemp -d /tmp/skiff-bench-peer.XXXXXX)
export PEER_RUN=$RUN/peer APISERVER_PORT=${APISERVER_PORT:-26443} ETCD_PORT=${ETCD_PORT:-26379} ETCD_PEER_PORT=${ETCD_PEER_PORT:-26380} KCM_PORT=${KCM_PORT:-26257} SCHED_PORT=${SCHED_PORT:-26259}
SKIFF_PORT=${SKIFF_PORT:-26500}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  "$PEERS/down.sh" --wipe >/dev/null 2>&1 || true
  rm -rf "$RUN"
}
trap cleanup EXIT
[ -x "$PEERS_HOME/bin/kube-apiserver" ] || { echo "peer binaries missing: run $PEERS/build-k8s.sh" >&2; exit 1; }
cd "$ROOT"
go build -o "$RUN/bin/" ./cmd/apiserver ./hack/loadgen
"$PEERS/up.sh" >"$RUN/peer-up.log" 2>&1
rss() { awk '/VmRSS/ {printf "%d MB", $2/1024}' "/proc/$1/status"; }
wait_ready() { for i in $(seq 100); do curl -sf "$1/readyz" >/dev/null && return 0; sleep 0.1; done; echo "not ready: $1" >&2; return 1; }

echo "# creates/s of small ConfigMaps, $CLIENTS clients for $DURATION each, one run"
"$RUN/bin/loadgen" -label "kube-apiserver v1.37.2 (peer etcd)" -server "https://127.0.0.1:$APISERVER_PORT" -token peer-admin-token -insecure -clients "$CLIENTS" -duration "$DURATION"

"$RUN/bin/apiserver" --port "$SKIFF_PORT" --etcd-servers "http://127.0.0.1:$ETCD_PORT" --etcd-prefix /skiff-bench >"$RUN/skiff-ext.log" 2>&1 &
pids+=($!); wait_ready "http://127.0.0.1:$SKIFF_PORT"
"$RUN/bin/loadgen" -label "skiff apiserver (same peer etcd)" -server "http://127.0.0.1:$SKIFF_PORT" -clients "$CLIENTS" -duration "$DURATION"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

"$RUN/bin/apiserver" --port "$SKIFF_PORT" --data-dir "$RUN/skiff-etcd" >"$RUN/skiff-emb.log" 2>&1 &
SKIFF_PID=$!; pids+=($SKIFF_PID); wait_ready "http://127.0.0.1:$SKIFF_PORT"
echo "# idle RSS before load: skiff apiserver (embedded etcd) $(rss $SKIFF_PID), kube-apiserver $(rss "$(cat "$PEER_RUN/pid/kube-apiserver.pid")") + etcd $(rss "$(cat "$PEER_RUN/pid/etcd.pid")")"
"$RUN/bin/loadgen" -label "skiff apiserver (embedded etcd)" -server "http://127.0.0.1:$SKIFF_PORT" -clients "$CLIENTS" -duration "$DURATION"
