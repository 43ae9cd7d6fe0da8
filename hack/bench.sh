#!/usr/bin/env bash
# Runs Skiff's benchmarks (`make bench`) and writes a summary that pastes into
# docs/PERFORMANCE.md: each figure with the exact command that produced it.
#
#   1. the Go benchmarks of the product packages (apiserver, storage, scheduler,
#      controllers, client: every package with a Benchmark function)
#   2. on a real node (root + containerd): the time from up.sh (binaries built) to node
#      Ready, fresh and again, the idle memory of every process, and pod start-up latency
#      over 50 pods (test/e2e BenchmarkPodStartup)
#
#   BENCHTIME=2s hack/bench.sh        (default 1s; -benchtime of the Go benchmarks)
#   BENCH_PKGS="./apiserver/..."      (default: every product package with benchmarks)
#   PODS=50                           (pods of BenchmarkPodStartup)
# The summary goes to stdout and to _output/bench/summary.md; raw outputs beside it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/_output/bench
BIN=${SKIFF_BIN:-$ROOT/_output/bin}
BENCHTIME=${BENCHTIME:-1s}
PODS=${PODS:-50}
mkdir -p "$OUT"
SUMMARY=$OUT/summary.md
: >"$SUMMARY"
note() { echo "$*" | tee -a "$SUMMARY"; }

machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(go version | awk '{ print $3 }'), $(uname -r)"
note "# Skiff benchmarks, $(date -u +%Y-%m-%d) ($machine)"
note ""
note "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (the figures below depend on it)."

# --- 1. Go benchmarks -------------------------------------------------------------------
if [ -n "${BENCH_PKGS:-}" ]; then
  read -r -a pkgs <<<"$BENCH_PKGS"
else
  mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Benchmark' apiserver scheduler controllers client kubelet proxy 2>/dev/null |
    xargs -r -n1 dirname | LC_ALL=C sort -u | sed 's|^|./|')
fi
note ""
note "## Go benchmarks"
for pkg in "${pkgs[@]}"; do
  cmd="go test -run '^\$' -bench . -benchmem -benchtime $BENCHTIME $pkg"
  raw=$OUT/$(echo "${pkg#./}" | tr / _).txt
  note ""
  note "\`$cmd\`"
  note '```'
  if go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" "$pkg" >"$raw" 2>&1; then
    grep -E '^Benchmark' "$raw" | tee -a "$SUMMARY"
  else
    echo "FAILED (see $raw):" | tee -a "$SUMMARY"
    tail -n 15 "$raw" | tee -a "$SUMMARY"
  fi
  note '```'
done

# --- 1b. Many simulated nodes: real kubelets on the fake CRI runtime ---------------------
note ""
note "## A ReplicaSet on 10 real kubelets over fake-cri (no containers)"
cmd="cd test && SKIFF_BIN=$BIN go test -run '^\$' -bench BenchmarkReplicaSetOnFakeKubelets -benchtime 1x ./fakenodes/"
note ""
note "\`$cmd\`"
note '```'
if (cd test && SKIFF_BIN=$BIN go test -run '^$' -bench BenchmarkReplicaSetOnFakeKubelets -benchtime 1x -timeout 10m ./fakenodes/) >"$OUT/fakenodes.txt" 2>&1; then
  grep -E '^BenchmarkReplicaSetOnFakeKubelets' "$OUT/fakenodes.txt" | tee -a "$SUMMARY"
else
  echo "FAILED (see $OUT/fakenodes.txt):" | tee -a "$SUMMARY"
  tail -n 15 "$OUT/fakenodes.txt" | tee -a "$SUMMARY"
fi
note '```'

# --- 2. A real node ----------------------------------------------------------------------
note ""
note "## A real node (containerd $(containerd --version 2>/dev/null | awk '{ print $3 }'), runc, CNI bridge)"
if [ "$(id -u)" != 0 ] || ! command -v containerd >/dev/null; then
  note "skipped: needs root and containerd (hack/install-deps.sh)"
  exit 0
fi

home=$(mktemp -d /tmp/skiff-bench-XXXXXX)
export SKIFF_HOME=$home SKIFF_BIN=$BIN
# Ports away from a developer's cluster (6443, 10250 ...).
export SKIFF_API_PORT=${BENCH_API_PORT:-16543} SKIFF_CM_PORT=16557 SKIFF_SCHEDULER_PORT=16559 \
  SKIFF_KUBELET_PORT=16550 SKIFF_PROXY_PORT=16549 SKIFF_NODE_NAME=skiff-bench
cleanup() {
  "$ROOT/hack/down.sh" >/dev/null 2>&1 || true
  rm -rf "$home"
}
trap cleanup EXIT

# up_once runs up.sh, printing the two times it reports: processes -> Ready, and whole run.
up_once() {
  local log=$1 line
  if ! "$ROOT/hack/up.sh" >"$log" 2>&1 </dev/null; then
    echo "up.sh failed (see $log):" >&2
    tail -n 20 "$log" >&2
    echo "failed failed"
    return
  fi
  line=$(grep -o 'Ready [0-9.]* s after starting the processes ([0-9.]* s' "$log")
  echo "$line" | awk '{ print $2, $8 }' | tr -d '('
}

read -r fresh_ready fresh_total < <(up_once "$OUT/up-fresh.log")
if [ "$fresh_ready" = failed ]; then
  note "hack/up.sh failed; see $OUT/up-fresh.log"
  exit 1
fi
sleep 10 # idle: informers synced, first node status and lease updates done
note ""
note "Idle memory, 10 s after the node is Ready, no pods (VmRSS in /proc/<pid>/status):"
note ""
note "| process | RSS |"
note "|---|---|"
total=0
for name in apiserver controller-manager scheduler kubelet proxy containerd; do
  pid=$(cat "$home/pid/$name.pid" 2>/dev/null || true)
  kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
  total=$((total + kb))
  note "| $name | $((kb / 1024)) MiB |"
done
note "| all | $((total / 1024)) MiB |"
"$ROOT/hack/down.sh" >"$OUT/down.log" 2>&1
read -r warm_ready warm_total < <(up_once "$OUT/up-again.log")
"$ROOT/hack/down.sh" >>"$OUT/down.log" 2>&1

note ""
note "Time from hack/up.sh (binaries built) to node Ready:"
note ""
note "| run | processes started -> node Ready | whole up.sh |"
note "|---|---|---|"
note "| fresh SKIFF_HOME (containerd start, image import) | $fresh_ready s | $fresh_total s |"
note "| again after down.sh (images kept) | $warm_ready s | $warm_total s |"
note ""
note "\`SKIFF_HOME=\$(mktemp -d) hack/up.sh\` (then \`hack/down.sh\`, \`hack/up.sh\` again)"

note ""
note "Pod start-up, create -> Running on containerd, one pod at a time, $PODS pods:"
cmd="cd test && SKIFF_BIN=$BIN go test -run '^\$' -bench BenchmarkPodStartup -benchtime ${PODS}x ./e2e/"
note ""
note "\`$cmd\`"
note '```'
if (cd test && SKIFF_BIN=$BIN go test -run '^$' -bench BenchmarkPodStartup -benchtime "${PODS}x" -timeout 20m ./e2e/) >"$OUT/pod-startup.txt" 2>&1; then
  grep -E '^BenchmarkPodStartup' "$OUT/pod-startup.txt" | tail -n 1 | tee -a "$SUMMARY"
else
  echo "FAILED (see $OUT/pod-startup.txt):" | tee -a "$SUMMARY"
  tail -n 30 "$OUT/pod-startup.txt" | tee -a "$SUMMARY"
fi
note '```'
note ""
note "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
note "Targets: node Ready < 3 s after the processes start; pod start-up p50 < 0.5 s, p99 < 1 s."
echo
echo "bench: summary in $SUMMARY"
