#!/usr/bin/env bash
# Stops what hack/up.sh started (`make down`), by the PIDs in its pid files only, and removes
# what the node left on the machine, so that nothing of the cluster remains running,
# mounted or attached:
#
#   1. the kubelet first, so nothing restarts the containers being removed
#   2. every pod sandbox and container in Skiff's containerd (its k8s.io namespace)
#   3. proxy, scheduler, controller-manager and apiserver, then the proxy's iptables rules
#      (proxy --cleanup), then containerd
#   4. leftover mounts under $SKIFF_HOME (network namespaces, shm, volumes), the pod bridge,
#      the Service route, the CNI address leases and result cache, empty pod cgroups
#
# The cluster's data (etcd, images) stays in $SKIFF_HOME: `make up` brings the same cluster
# back, and the kubelet recreates the pods still bound to the node. Remove $SKIFF_HOME to
# forget it. Running down.sh when nothing runs is harmless.
set -euo pipefail
# shellcheck source=cluster-env.sh
source "$(dirname "$0")/cluster-env.sh"
CD=$SKIFF_HOME/containerd
# The cgroup the kubelet puts pods under (in each cgroup v1 hierarchy, or the v2 tree).
KUBELET_CGROUP_ROOT=${KUBELET_CGROUP_ROOT:-kubepods}

if [ "$(id -u)" != 0 ]; then
  echo "down: run as root (sudo make down)" >&2
  exit 1
fi

# stop_pid sends SIGTERM, waits up to $2 seconds, then SIGKILLs.
stop_pid() {
  local pid=$1 wait_s=${2:-10} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < wait_s * 20; i++)); do
    [ -d "/proc/$pid" ] || return 0
    # A zombie has exited; its parent (init, once the shell that ran up.sh is gone) may
    # reap it late.
    [ "$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" = Z ] && return 0
    sleep 0.05
  done
  echo "down: pid $pid did not stop within ${wait_s} s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

stop_component() {
  local name=$1 pid
  if pid=$(component_pid "$name"); then
    stop_pid "$pid"
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$(pidfile "$name")"
}

ctr_() { ctr -n k8s.io --address "$CONTAINERD_SOCK" "$@"; }

# remove_pods deletes every container and sandbox in Skiff's containerd: their processes
# are killed (by the PIDs containerd reports for their tasks), their tasks and rootfs
# mounts removed, and the CRI plugin forgets them (in containerd 1.6 it keeps its sandbox
# and container records on the containerd containers themselves). CNI DEL is not run this
# way; the network state it would release is removed in cleanup_network.
remove_pods() {
  containerd_pid >/dev/null || return 0
  local round listing pids tasks containers id removed=0 quiet=0
  for round in $(seq 1 100); do
    listing=$(ctr_ tasks ls 2>/dev/null | awk 'NR > 1')
    tasks=$(awk '{ print $1 }' <<<"$listing")
    if [ -n "$tasks" ]; then
      quiet=0
      pids=$(awk '$2 > 0 { print $2 }' <<<"$listing")
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
      # The CRI plugin deletes the task of a process that exited; delete the ones it has
      # not got to after a second, one `tasks rm` each (they run in parallel).
      if [ "$round" -gt 10 ]; then
        for id in $tasks; do ctr_ tasks rm -f "$id" >/dev/null 2>&1 & done
        wait
      fi
    else
      containers=$(ctr_ containers ls -q 2>/dev/null || true)
      if [ -n "$containers" ]; then
        quiet=0
        # shellcheck disable=SC2086
        ctr_ containers rm $containers >/dev/null 2>&1 || true
        removed=$((removed + $(wc -w <<<"$containers")))
        # libcni caches each attachment's result as <network>-<sandbox id>-<interface>.
        for id in $containers; do rm -f /var/lib/cni/results/*-"$id"-* 2>/dev/null || true; done
      else
        # Nothing left; look once more: a sandbox the kubelet was still creating when it
        # stopped may appear a moment later.
        quiet=$((quiet + 1))
        [ "$quiet" -lt 2 ] || break
      fi
    fi
    sleep 0.1
  done
  [ "$removed" -eq 0 ] || echo "removed $removed pod sandboxes and containers"
  tasks=$(ctr_ tasks ls -q 2>/dev/null || true)
  [ -z "$tasks" ] || echo "down: tasks still present in containerd: $tasks" >&2
}

# stop_orphan_shims ends the shims of this containerd still running after it stopped (a
# sandbox created while the kubelet went away can leave one): they are found by this
# cluster's own containerd socket on their command line, then stopped by PID, their
# children (container processes) first.
stop_orphan_shims() {
  local f pid child sock fd link ino
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "-address $CONTAINERD_SOCK " || continue
    sock=
    for fd in /proc/"$pid"/fd/*; do
      link=$(readlink "$fd" 2>/dev/null) || continue
      case $link in socket:*)
        ino=${link#socket:[}
        ino=${ino%]}
        sock=$(awk -v i="$ino" '$7 == i && $8 ~ /^\/run\/containerd\/s\// { print $8 }' /proc/net/unix)
        [ -z "$sock" ] || break
        ;;
      esac
    done
    for child in $(awk -v p="$pid" '$1 == "PPid:" && $2 == p { print FILENAME }' /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
      kill -KILL "$child" 2>/dev/null || true
    done
    echo "stopping a containerd shim left behind (pid $pid)"
    stop_pid "$pid" 2
    [ -z "$sock" ] || rm -f "$sock"
  done
}

# unmount_under unmounts everything mounted below $1, deepest first.
unmount_under() {
  local base=$1 m round i mounts
  for round in 1 2 3; do
    mapfile -t mounts < <(awk -v base="$base/" 'index($2, base) == 1 { print $2 }' /proc/mounts | sort -r)
    [ ${#mounts[@]} -gt 0 ] || return 0
    for i in "${!mounts[@]}"; do
      m=${mounts[$i]}
      mounts[i]=$(printf '%b' "${m//\\/\\0}") # /proc/mounts escapes a space as \040; %b wants \0040
    done
    # One umount for all (deepest first); whatever stays mounted is retried, then detached.
    umount "${mounts[@]}" 2>/dev/null && return 0
    if [ "$round" = 3 ]; then
      for m in "${mounts[@]}"; do
        grep -qF " $m " /proc/mounts && { umount -l "$m" 2>/dev/null || echo "down: cannot unmount $m" >&2; }
      done
    fi
  done
}

# owns_network: this cluster may remove the bridge, the route and the iptables rules unless
# another SKIFF_HOME's running cluster claimed them.
owns_network() {
  [ -f "$BRIDGE_OWNER_FILE" ] || return 0
  local owner
  owner=$(cat "$BRIDGE_OWNER_FILE")
  [ "$owner" = "$SKIFF_HOME" ] && return 0
  ! (SKIFF_HOME=$owner containerd_pid >/dev/null)
}

cleanup_network() {
  if ! owns_network; then
    echo "down: bridge $BRIDGE belongs to the running cluster in $(cat "$BRIDGE_OWNER_FILE"); left alone"
    return 0
  fi
  local members i
  # A pod's veth goes away with its network namespace, which the kernel frees shortly
  # after the last process and mount of it are gone.
  for i in $(seq 1 60); do
    members=$(ls "/sys/class/net/$BRIDGE/brif" 2>/dev/null | tr '\n' ' ')
    [ -n "$members" ] || break
    sleep 0.05
  done
  if [ -n "$members" ]; then
    # Not this cluster's pods (they are gone by now): another containerd uses the bridge.
    echo "down: bridge $BRIDGE still has interfaces attached ($members); bridge and route left in place" >&2
  else
    ip route del "$SERVICE_CIDR" dev "$BRIDGE" 2>/dev/null || true
  fi
  if [ -z "$members" ] && ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link del "$BRIDGE"
    echo "removed bridge $BRIDGE and the route of $SERVICE_CIDR"
  fi
  rm -f "$BRIDGE_OWNER_FILE"
  # Address leases (host-local IPAM); libcni's cached results went with each sandbox.
  rm -rf "${SKIFF_HOME:?}/cni/ipam/"*
}

# cleanup_cgroups removes the cgroups of the pods this kubelet ran (one directory per pod
# under its root dir, named by UID), then the QoS cgroups above them if they are empty.
# rmdir only removes a cgroup with no process and no child, so nothing alive is touched.
cleanup_cgroups() {
  local top uid poddir cg
  for top in /sys/fs/cgroup/*/"$KUBELET_CGROUP_ROOT" /sys/fs/cgroup/"$KUBELET_CGROUP_ROOT"; do
    [ -d "$top" ] || continue
    for poddir in "$SKIFF_HOME"/kubelet/pods/*/; do
      [ -d "$poddir" ] || continue
      uid=$(basename "$poddir")
      for cg in "$top/pod$uid" "$top/burstable/pod$uid" "$top/besteffort/pod$uid"; do
        if [ -d "$cg" ]; then find "$cg" -depth -type d -delete 2>/dev/null || true; fi
      done
    done
    rmdir "$top/burstable" "$top/besteffort" "$top" 2>/dev/null || true
  done
}

stop_component kubelet
# Containers outlive a containerd that died (their shims keep them): start it again to
# remove them properly.
if ! containerd_pid >/dev/null && compgen -G "$CD/state/io.containerd.runtime.v2.task/k8s.io/*" >/dev/null; then
  echo "containerd is not running but containers are left; starting it to remove them"
  "$SKIFF_ROOT/hack/containerd.sh" start >/dev/null
fi
if [ -x "$SKIFF_BIN/kubelet" ] && "$SKIFF_BIN/kubelet" -h 2>&1 | grep -q -- '-cleanup'; then
  # The kubelet's own clean-up goes through CRI (StopPodSandbox runs CNI DEL).
  containerd_pid >/dev/null && "$SKIFF_BIN/kubelet" --cleanup \
    --runtime-endpoint "unix://$CONTAINERD_SOCK" --root-dir "$SKIFF_HOME/kubelet" || true
fi
remove_pods
# The rest of the control plane has nothing left to act on: stop it all at once.
for name in proxy scheduler controller-manager apiserver; do
  stop_component "$name" &
done
wait
if owns_network && [ -x "$SKIFF_BIN/proxy" ]; then
  "$SKIFF_BIN/proxy" --cleanup || echo "down: proxy --cleanup failed" >&2
fi
"$SKIFF_ROOT/hack/containerd.sh" stop
stop_orphan_shims

unmount_under "$SKIFF_HOME"
rm -rf "$CD/state/netns" 2>/dev/null || true
if owns_network; then cleanup_cgroups; fi
cleanup_network
echo "Skiff is down (state kept in $SKIFF_HOME)"
